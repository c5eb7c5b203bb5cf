#pragma once
// One-sided user relationships (Turms' `userRelationship`): a friendship is two records, and a
// block is a record with block_date set. Each relationship sits in one or more of its owner's
// relationship groups (Turms' `userRelationshipGroupMember`); the groups themselves are in
// relationship_group_repository.h.
//
// Writes move the owner's sync versions forward (the dates versioned queries compare a client's
// last_updated_date with): relationships on every change, relationship groups and their members
// whenever memberships change.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "store/date_range.h"
#include "store/relationship_group_repository.h"  // kDefaultRelationshipGroupIndex

namespace parley {

struct RelationshipRecord {
  int64_t owner_id = 0;
  int64_t related_user_id = 0;
  std::optional<int64_t> block_date;  // set = owner blocked related_user_id
  int64_t establishment_date = 0;
  std::string name;
  // The owner's relationship groups the related user is in, ascending, never empty when read: a
  // relationship in no group is in the default one. Writes store exactly these (empty = default).
  std::vector<int32_t> group_indexes{kDefaultRelationshipGroupIndex};

  bool operator==(const RelationshipRecord&) const = default;
};

// Which of the owner's sync versions a change moves, the same on every store: relationships
// when a relationship or a membership changed, relationship groups when a group or a membership
// changed, and group members when a membership changed (upstream moves groups and members
// together then).
struct RelationshipVersionMoves {
  bool relationships = false;
  bool groups = false;
  bool memberships = false;

  bool movesRelationships() const { return relationships || memberships; }
  bool movesGroups() const { return groups || memberships; }
  bool movesGroupMembers() const { return memberships; }
};

struct RelationshipFilter {
  int64_t owner_id = 0;
  std::vector<int64_t> related_user_ids;  // empty = all
  std::optional<bool> blocked;            // unset = both
  std::vector<int32_t> group_indexes;     // empty = all; else in any of them
};

// The admin API's listing across owners (upstream's UserRelationshipController): an empty list or
// an unset value does not filter.
struct RelationshipSearch {
  std::vector<int64_t> owner_ids;
  std::vector<int64_t> related_user_ids;
  std::vector<int32_t> group_indexes;  // in any of them
  std::optional<bool> blocked;
  DateRange establishment_date;
};

class RelationshipRepository {
 public:
  virtual ~RelationshipRepository() = default;
  // A new relationship with its group memberships. kRecordContainsDuplicateKey, with nothing
  // written, when (owner, related) exists.
  virtual VoidResult insert(const RelationshipRecord& relationship, int64_t now_millis) = 0;
  // Inserts or replaces (owner, related): its fields and exactly its group memberships (a
  // membership kept keeps its join date).
  virtual VoidResult upsert(const RelationshipRecord& relationship, int64_t now_millis) = 0;
  // Bulk loading (demo data, `parley migrate`): inserts the pairs not stored yet, with their
  // memberships; returns how many were new. Moves the versions of every owner named.
  virtual Result<int64_t> insertMany(std::span<const RelationshipRecord> relationships,
                                     int64_t now_millis) = 0;
  // The relationship and its memberships; false when there was none (nothing moves then).
  virtual Result<bool> remove(int64_t owner_id, int64_t related_user_id, int64_t now_millis) = 0;
  virtual Result<std::optional<RelationshipRecord>> find(int64_t owner_id,
                                                         int64_t related_user_id) = 0;
  // Ordered by related user id.
  virtual Result<std::vector<RelationshipRecord>> query(const RelationshipFilter& filter) = 0;
  // Ordered by owner, then related user: the first `skip` matches skipped, at most `limit` of the
  // rest.
  virtual Result<std::vector<RelationshipRecord>> search(const RelationshipSearch& search,
                                                         int64_t skip, int64_t limit) = 0;
  virtual Result<int64_t> count(const RelationshipSearch& search) = 0;
  // True when owner_id has blocked related_user_id.
  virtual Result<bool> isBlocked(int64_t owner_id, int64_t related_user_id) = 0;
  // For checks on the message path, cheaper than find(): nullopt when owner_id has no
  // relationship with related_user_id, else whether it is a block.
  virtual Result<std::optional<bool>> findBlocked(int64_t owner_id, int64_t related_user_id) = 0;
  // The owner's relationships version (upstream's userVersion.r): the last time one of them, or
  // a membership, changed; nullopt when never.
  virtual Result<std::optional<int64_t>> findVersion(int64_t owner_id) = 0;
};

}  // namespace parley
