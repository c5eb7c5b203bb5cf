#pragma once
// Checks a client's value for a configured setting (core/custom_setting.h) the way upstream's
// CustomValueService does, and gives the value to store: of the setting's own type, converted
// where upstream converts (a number given as text for a number setting, "true"/"false" for a
// bool, any number or bool for a string setting).
#include "core/custom_setting.h"
#include "core/result.h"
#include "service/dispatcher.h"

namespace parley {

// kIllegalArgument with upstream's wording ("The value of the setting \"x\" must be ...") when
// the value does not fit.
Result<im::turms::proto::Value> checkSettingValue(const CustomSetting& setting,
                                                  const im::turms::proto::Value& value);

}  // namespace parley
