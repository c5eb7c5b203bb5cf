#pragma once
// The group types every group rule reads, kept per node: there are a handful, read by every group
// creation and member change. Upstream keeps them in memory and follows a MongoDB change stream;
// Parley uses no change streams, so each node reloads them all when its copy is older than
// refresh_after_millis (another node's admin change shows within that time), and the node that
// changes them calls invalidate() to see its own change at once.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "core/result.h"
#include "store/group_type_repository.h"

namespace parley {

class Clock;

class GroupTypes {
 public:
  static constexpr int64_t kDefaultRefreshAfterMillis = 5'000;

  // repository and clock must outlive this.
  GroupTypes(GroupTypeRepository& repository, const Clock& clock,
             int64_t refresh_after_millis = kDefaultRefreshAfterMillis);

  // The type with this id, or nullopt when there is none. A type missing from the copy (created
  // on another node since the last reload) is looked up in the store. The status is a store
  // failure while no copy is loaded.
  Result<std::optional<GroupTypeRecord>> find(int64_t id);
  // The next find() reloads.
  void invalidate();

 private:
  using TypeMap = std::map<int64_t, GroupTypeRecord>;
  Result<std::shared_ptr<const TypeMap>> current();

  GroupTypeRepository& repository_;
  const Clock& clock_;
  const int64_t refresh_after_millis_;
  std::mutex mutex_;  // guards the three below, held only to swap them
  std::shared_ptr<const TypeMap> types_;
  int64_t loaded_at_millis_ = 0;
  // Moves on every invalidate(), so that a reload that began before one is not kept as fresh.
  uint64_t generation_ = 0;
};

}  // namespace parley
