#pragma once
// Where online users are, for "nearby users" (upstream: turms-server-common
// SessionLocationService, turms-service NearbyUserService). The embedded default keeps the index
// in process; the Redis implementation shares it between nodes (redis_user_locations.h).
//
// An entry is a user (or, with per_device, a user's device type: upstream's
// treat-user-id-and-device-type-as-unique-user) and the position its session sent last, at login
// or with UpdateUserLocationRequest. Each entry remembers the session that wrote it (node, device
// type, login date), so that a session closing removes its own position only: not one a newer
// login of the same device, or another device of the user, wrote since.
//
// Entries of sessions that ended without removing theirs (a node that died) are not expired by a
// TTL: whoever finds one in a search while its user is offline removes it (removeStale), so they
// are never answered and go as soon as someone near them looks.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "online/session_registry.h"

namespace parley {

struct GeoPosition {
  double longitude = 0;
  double latitude = 0;
};

// Redis indexes positions in Web Mercator (EPSG:3857), whose latitudes end at ±85.05112878
// degrees; both implementations refuse positions beyond it so they answer alike.
constexpr double kMaxIndexableLatitude = 85.05112878;

// Empty when the position can be stored, else why not (for a 1102 reason).
std::string invalidPositionReason(const GeoPosition& position);

// Great-circle distance in meters, with the Earth radius Redis's GEO commands use, so both
// implementations agree on who is within a radius.
double distanceMeters(const GeoPosition& a, const GeoPosition& b);

// The session that writes or removes an entry (on the node the implementation acts for).
struct LocationSession {
  int64_t user_id = 0;
  DeviceType device_type = 0;
  int64_t login_date = 0;
};

struct LocatedUser {
  int64_t user_id = 0;
  std::optional<DeviceType> device_type;  // set with per_device only
  GeoPosition position;
  double distance_meters = 0;
  // Who wrote the entry, opaque: removeStale takes the entry back only if it is still theirs.
  std::string writer;
};

class UserLocations {
 public:
  virtual ~UserLocations() = default;

  // The session's position, replacing its user's (or its device's) previous one. The position
  // must be valid (invalidPositionReason).
  virtual VoidResult upsert(const LocationSession& session, GeoPosition position) = 0;
  // Removes the entry if this session wrote it last; nothing otherwise.
  virtual VoidResult remove(const LocationSession& session) = 0;
  // At most count entries within radius_meters of center, nearest first, every user included
  // (the caller leaves out the requester and offline users).
  virtual Result<std::vector<LocatedUser>> search(GeoPosition center, double radius_meters,
                                                  int count) = 0;
  // Removes entries a search returned whose users turned out to be offline, each only if
  // nobody rewrote it since.
  virtual VoidResult removeStale(std::span<const LocatedUser> entries) = 0;
};

std::unique_ptr<UserLocations> makeInProcessUserLocations(std::string node_id, bool per_device);

// How entries are told apart and who wrote them; shared by the implementations so their
// answers and their stale-entry rules are the same.
namespace location_entry {
// "<user>" or, per device, "<user>:<device type>".
std::string member(int64_t user_id, DeviceType device_type, bool per_device);
// The member a found entry came from (per device when it carries a device type).
std::string memberOf(const LocatedUser& located);
// false when the text is not a member this code writes.
bool parseMember(std::string_view member, int64_t* user_id, std::optional<DeviceType>* device);
// "<login date>:<device type>:<node id>": the login date first, so that a Lua script can tell
// which of two writers logged in later (tonumber of the text before the first ':').
std::string writer(const LocationSession& session, std::string_view node_id);
}  // namespace location_entry

}  // namespace parley
