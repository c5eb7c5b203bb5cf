#include "online/user_locations.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>

namespace parley {

namespace {

// The sphere Redis's geohash helpers measure on (meters).
constexpr double kEarthRadiusMeters = 6372797.560856;

double radians(double degrees) { return degrees * std::numbers::pi / 180.0; }

}  // namespace

std::string invalidPositionReason(const GeoPosition& position) {
  if (!std::isfinite(position.longitude) || position.longitude < -180 || position.longitude > 180) {
    return "longitude must be between -180 and 180";
  }
  if (!std::isfinite(position.latitude) || position.latitude < -90 || position.latitude > 90) {
    return "latitude must be between -90 and 90";
  }
  if (std::abs(position.latitude) > kMaxIndexableLatitude) {
    return "latitudes beyond ±85.05112878 cannot be indexed";
  }
  return {};
}

double distanceMeters(const GeoPosition& a, const GeoPosition& b) {
  const double lat1 = radians(a.latitude);
  const double lat2 = radians(b.latitude);
  const double half_dlat = std::sin((lat2 - lat1) / 2);
  const double half_dlon = std::sin(radians(b.longitude - a.longitude) / 2);
  const double h = half_dlat * half_dlat + std::cos(lat1) * std::cos(lat2) * half_dlon * half_dlon;
  return 2.0 * kEarthRadiusMeters * std::asin(std::sqrt(std::min(1.0, h)));
}

namespace location_entry {

std::string member(int64_t user_id, DeviceType device_type, bool per_device) {
  std::string text = std::to_string(user_id);
  if (per_device) text += ":" + std::to_string(device_type);
  return text;
}

std::string memberOf(const LocatedUser& located) {
  return member(located.user_id, located.device_type.value_or(0), located.device_type.has_value());
}

bool parseMember(std::string_view member, int64_t* user_id, std::optional<DeviceType>* device) {
  const size_t colon = member.find(':');
  const std::string_view user_text = member.substr(0, colon);
  const auto [end, ec] =
      std::from_chars(user_text.data(), user_text.data() + user_text.size(), *user_id);
  if (ec != std::errc() || end != user_text.data() + user_text.size()) return false;
  device->reset();
  if (colon == std::string_view::npos) return true;
  const std::string_view device_text = member.substr(colon + 1);
  DeviceType value = 0;
  const auto [device_end, device_ec] =
      std::from_chars(device_text.data(), device_text.data() + device_text.size(), value);
  if (device_ec != std::errc() || device_end != device_text.data() + device_text.size()) {
    return false;
  }
  *device = value;
  return true;
}

std::string writer(const LocationSession& session, std::string_view node_id) {
  std::string text =
      std::to_string(session.login_date) + ":" + std::to_string(session.device_type) + ":";
  text.append(node_id);
  return text;
}

}  // namespace location_entry

}  // namespace parley
