// The embedded node's location index: entries in a hash map and a grid of 0.1° cells, so that a
// search looks at the cells its radius covers (about 11 km square at the equator, narrower in
// longitude towards the poles) instead of at every entry. A radius covering more cells than
// there are entries scans the entries instead.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>
#include <unordered_map>
#include <unordered_set>

#include "online/user_locations.h"

namespace parley {
namespace {

constexpr double kCellsPerDegree = 10;
constexpr int32_t kLatitudeCells = 180 * 10;
constexpr int32_t kLongitudeCells = 360 * 10;
// Meters per degree of latitude on the sphere distanceMeters uses (its radius × π / 180), with a
// margin so that no cell an entry within the radius lies in is skipped.
constexpr double kMetersPerDegree = 6372797.560856 * std::numbers::pi / 180.0 * 0.99;

int32_t latitudeCell(double latitude) {
  return std::clamp(static_cast<int32_t>(std::floor((latitude + 90) * kCellsPerDegree)), 0,
                    kLatitudeCells - 1);
}

int32_t longitudeCell(double longitude) {
  const auto cell = static_cast<int32_t>(std::floor((longitude + 180) * kCellsPerDegree));
  return ((cell % kLongitudeCells) + kLongitudeCells) % kLongitudeCells;
}

uint32_t cellKey(int32_t latitude_cell, int32_t longitude_cell) {
  return static_cast<uint32_t>(latitude_cell) * kLongitudeCells +
         static_cast<uint32_t>(longitude_cell);
}

class InProcessUserLocations final : public UserLocations {
 public:
  InProcessUserLocations(std::string node_id, bool per_device)
      : node_id_(std::move(node_id)), per_device_(per_device) {}

  VoidResult upsert(const LocationSession& session, GeoPosition position) override {
    if (std::string reason = invalidPositionReason(position); !reason.empty()) {
      return error(StatusCode::kIllegalArgument, std::move(reason));
    }
    std::lock_guard lock(mutex_);
    const std::string member =
        location_entry::member(session.user_id, session.device_type, per_device_);
    auto [it, inserted] = entries_.try_emplace(member);
    Entry& entry = it->second;
    if (!inserted) unlinkFromCell(entry);
    entry.located.user_id = session.user_id;
    if (per_device_) entry.located.device_type = session.device_type;
    entry.located.position = position;
    entry.located.writer = location_entry::writer(session, node_id_);
    entry.cell = cellKey(latitudeCell(position.latitude), longitudeCell(position.longitude));
    cells_[entry.cell].insert(&entry);
    return {};
  }

  VoidResult remove(const LocationSession& session) override {
    std::lock_guard lock(mutex_);
    eraseIfWrittenBy(location_entry::member(session.user_id, session.device_type, per_device_),
                     location_entry::writer(session, node_id_));
    return {};
  }

  Result<std::vector<LocatedUser>> search(GeoPosition center, double radius_meters,
                                          int count) override {
    std::vector<LocatedUser> found;
    std::lock_guard lock(mutex_);
    auto consider = [&](const Entry& entry) {
      const double distance = distanceMeters(center, entry.located.position);
      if (distance > radius_meters) return;
      found.push_back(entry.located);
      found.back().distance_meters = distance;
    };
    const double span_latitude = radius_meters / kMetersPerDegree;
    const double lowest = std::max(-90.0, center.latitude - span_latitude);
    const double highest = std::min(90.0, center.latitude + span_latitude);
    const double widest_cos =
        std::cos(std::max(std::abs(lowest), std::abs(highest)) * std::numbers::pi / 180.0);
    const double span_longitude =
        widest_cos > 1e-6 ? span_latitude / widest_cos : 360.0;  // a pole: every longitude
    const int32_t first_lat = latitudeCell(lowest);
    const int32_t last_lat = latitudeCell(highest);
    const int64_t longitude_cells =
        span_longitude >= 180
            ? kLongitudeCells
            : std::min<int64_t>(
                  kLongitudeCells,
                  2 * static_cast<int64_t>(std::ceil(span_longitude * kCellsPerDegree)) + 1);
    const int64_t cells = (last_lat - first_lat + 1) * longitude_cells;
    if (cells > static_cast<int64_t>(entries_.size())) {
      for (const auto& [member, entry] : entries_) consider(entry);
    } else {
      const int32_t first_lon =
          longitude_cells == kLongitudeCells ? 0 : longitudeCell(center.longitude - span_longitude);
      for (int32_t lat = first_lat; lat <= last_lat; ++lat) {
        for (int64_t step = 0; step < longitude_cells; ++step) {
          const int32_t lon = static_cast<int32_t>((first_lon + step) % kLongitudeCells);
          const auto cell = cells_.find(cellKey(lat, lon));
          if (cell == cells_.end()) continue;
          for (const Entry* entry : cell->second) consider(*entry);
        }
      }
    }
    std::sort(found.begin(), found.end(), [](const LocatedUser& a, const LocatedUser& b) {
      return a.distance_meters < b.distance_meters;
    });
    if (found.size() > static_cast<size_t>(std::max(count, 0))) found.resize(count);
    return found;
  }

  VoidResult removeStale(std::span<const LocatedUser> stale) override {
    std::lock_guard lock(mutex_);
    for (const LocatedUser& located : stale) {
      eraseIfWrittenBy(location_entry::memberOf(located), located.writer);
    }
    return {};
  }

 private:
  struct Entry {
    LocatedUser located;
    uint32_t cell = 0;
  };

  void eraseIfWrittenBy(const std::string& member, const std::string& writer) {
    const auto it = entries_.find(member);
    if (it == entries_.end() || it->second.located.writer != writer) return;
    unlinkFromCell(it->second);
    entries_.erase(it);
  }

  void unlinkFromCell(const Entry& entry) {
    auto cell = cells_.find(entry.cell);
    cell->second.erase(&entry);
    if (cell->second.empty()) cells_.erase(cell);
  }

  const std::string node_id_;
  const bool per_device_;
  std::mutex mutex_;
  // Node-based containers: the cells hold pointers to the entries, which rehashing keeps valid.
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_map<uint32_t, std::unordered_set<const Entry*>> cells_;
};

}  // namespace

std::unique_ptr<UserLocations> makeInProcessUserLocations(std::string node_id, bool per_device) {
  return std::make_unique<InProcessUserLocations>(std::move(node_id), per_device);
}

}  // namespace parley
