#pragma once
// What a business handler knows about the request's origin: an authenticated session.
#include <cstdint>
#include <string>

namespace parley {

struct RequestContext {
  int64_t user_id = 0;
  int32_t device_type = 0;  // im.turms.proto.DeviceType
  // When the session logged in (its registry entry's login date): tells it apart from a later
  // session of the same device, e.g. as the writer of a location.
  int64_t login_date = 0;
  int64_t request_id = 0;
  int64_t now_millis = 0;
};

}  // namespace parley
