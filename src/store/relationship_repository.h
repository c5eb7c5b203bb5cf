#pragma once
// One-sided user relationships (Turms' `userRelationship`): a friendship is two records, and a
// block is a record with block_date set.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

struct RelationshipRecord {
  int64_t owner_id = 0;
  int64_t related_user_id = 0;
  std::optional<int64_t> block_date;  // set = owner blocked related_user_id
  int32_t group_index = 0;            // relationship group; 0 = the default group
  int64_t establishment_date = 0;
  std::string name;

  bool operator==(const RelationshipRecord&) const = default;
};

struct RelationshipFilter {
  int64_t owner_id = 0;
  std::vector<int64_t> related_user_ids;  // empty = all
  std::optional<bool> blocked;            // unset = both
  std::vector<int32_t> group_indexes;     // empty = all
};

class RelationshipRepository {
 public:
  virtual ~RelationshipRepository() = default;
  // kRecordContainsDuplicateKey when (owner, related) exists.
  virtual VoidResult insert(const RelationshipRecord& relationship) = 0;
  // Inserts or replaces (owner, related).
  virtual VoidResult upsert(const RelationshipRecord& relationship) = 0;
  virtual Result<int64_t> insertMany(std::span<const RelationshipRecord> relationships) = 0;
  virtual Result<bool> remove(int64_t owner_id, int64_t related_user_id) = 0;
  virtual Result<std::optional<RelationshipRecord>> find(int64_t owner_id,
                                                         int64_t related_user_id) = 0;
  virtual Result<std::vector<RelationshipRecord>> query(const RelationshipFilter& filter) = 0;
  // True when owner_id has blocked related_user_id.
  virtual Result<bool> isBlocked(int64_t owner_id, int64_t related_user_id) = 0;
};

}  // namespace parley
