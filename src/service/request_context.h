#pragma once
// What a business handler knows about the request's origin: an authenticated session.
#include <cstdint>
#include <string>

namespace parley {

struct RequestContext {
  int64_t user_id = 0;
  int32_t device_type = 0;  // im.turms.proto.DeviceType
  int64_t request_id = 0;
  int64_t now_millis = 0;
};

}  // namespace parley
