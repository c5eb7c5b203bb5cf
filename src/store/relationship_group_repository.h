#pragma once
// A user's relationship groups (Turms' `userRelationshipGroup`): named groups of the owner's
// relationships, each keyed by an index unique per owner. The default group (index 0, named "")
// exists for every user without being stored; it is stored once renamed. Which relationships sit
// in which group is kept with the relationships (relationship_repository.h).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/date_range.h"

namespace parley {

// Every user has this relationship group; it cannot be deleted.
inline constexpr int32_t kDefaultRelationshipGroupIndex = 0;

struct RelationshipGroupRecord {
  int64_t owner_id = 0;
  int32_t index = 0;
  std::string name;
  int64_t creation_date = 0;  // 0 for the default group while it is not stored

  bool operator==(const RelationshipGroupRecord&) const = default;
};

// The admin API's listing across owners (upstream's UserRelationshipGroupController): an empty
// list or an unset value does not filter.
struct RelationshipGroupSearch {
  std::vector<int64_t> owner_ids;
  std::vector<int32_t> indexes;
  std::vector<std::string> names;
  DateRange creation_date;
};

class RelationshipGroupRepository {
 public:
  virtual ~RelationshipGroupRepository() = default;
  // A new group under a random positive index free for this owner (upstream allocates them so),
  // and moves the owner's relationship groups version forward.
  virtual Result<RelationshipGroupRecord> create(int64_t owner_id, const std::string& name,
                                                 int64_t now_millis) = 0;
  // False (nothing written) when the owner has no such group or it already has that name.
  virtual Result<bool> rename(int64_t owner_id, int32_t index, const std::string& name,
                              int64_t now_millis) = 0;
  // Moves the group's members into target_index (a member already there is not doubled), then
  // deletes the group. Returns the related user ids that were members. The default group cannot
  // be deleted: callers refuse index 0.
  virtual Result<std::vector<int64_t>> remove(int64_t owner_id, int32_t index, int32_t target_index,
                                              int64_t now_millis) = 0;
  // The owner's groups ordered by index, the default group always among them.
  virtual Result<std::vector<RelationshipGroupRecord>> findAll(int64_t owner_id) = 0;
  // Stored groups only (a default group never renamed is not stored, so not listed), ordered by
  // owner, then index: the first `skip` matches skipped, at most `limit` of the rest.
  virtual Result<std::vector<RelationshipGroupRecord>> search(const RelationshipGroupSearch& search,
                                                              int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const RelationshipGroupSearch& search) = 0;
  // Bulk loading (demo data, `parley migrate`): the groups not stored yet; returns how many.
  virtual Result<int64_t> insertMany(std::span<const RelationshipGroupRecord> groups,
                                     int64_t now_millis) = 0;
  // The owner's relationship groups version (upstream's userVersion.rg): the last time a group,
  // or a membership, changed; nullopt when never.
  virtual Result<std::optional<int64_t>> findVersion(int64_t owner_id) = 0;
};

// groups (ordered by index) with the default group added in its place when it is not stored.
inline std::vector<RelationshipGroupRecord> withDefaultGroup(
    int64_t owner_id, std::vector<RelationshipGroupRecord> groups) {
  const auto position = std::lower_bound(
      groups.begin(), groups.end(), kDefaultRelationshipGroupIndex,
      [](const RelationshipGroupRecord& group, int32_t index) { return group.index < index; });
  if (position == groups.end() || position->index != kDefaultRelationshipGroupIndex) {
    groups.insert(position,
                  RelationshipGroupRecord{owner_id, kDefaultRelationshipGroupIndex, "", 0});
  }
  return groups;
}

// A random index for a new group: positive, as upstream's RandomUtil.nextPositiveInt.
inline int32_t randomRelationshipGroupIndex() {
  thread_local std::mt19937 generator{std::random_device{}()};
  return std::uniform_int_distribution<int32_t>(1, INT32_MAX)(generator);
}

}  // namespace parley
