#include "service/group/group_types.h"

#include <spdlog/spdlog.h>

#include "core/clock.h"

namespace parley {
namespace {

// Far more types than anyone defines; a store holding more still works, only past this many the
// extra types are looked up one by one.
constexpr int64_t kMaxLoadedTypes = 10'000;

}  // namespace

GroupTypes::GroupTypes(GroupTypeRepository& repository, const Clock& clock,
                       int64_t refresh_after_millis)
    : repository_(repository), clock_(clock), refresh_after_millis_(refresh_after_millis) {}

Result<std::shared_ptr<const GroupTypes::TypeMap>> GroupTypes::current() {
  const int64_t now = clock_.nowMillis();
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    if (types_ && now - loaded_at_millis_ < refresh_after_millis_ && now >= loaded_at_millis_) {
      return types_;
    }
    generation = generation_;
  }
  // Loaded outside the lock: threads that find the copy stale at once each load it, which costs
  // a few reads of a handful of rows, and no thread waits behind another's read.
  Result<std::vector<GroupTypeRecord>> loaded = repository_.findAll(0, kMaxLoadedTypes);
  std::lock_guard lock(mutex_);
  if (!loaded.ok()) {
    if (!types_) return loaded.status();
    // Rules keep working on the last copy while the store is away; the next call tries again.
    spdlog::warn("group types: reloading failed, using the copy from {} ms ago: {}",
                 now - loaded_at_millis_, loaded.status().reason);
    return types_;
  }
  auto types = std::make_shared<TypeMap>();
  for (GroupTypeRecord& type : *loaded) types->emplace(type.id, std::move(type));
  if (generation == generation_) {
    types_ = types;
    loaded_at_millis_ = now;
  }
  return std::shared_ptr<const TypeMap>(std::move(types));
}

Result<std::optional<GroupTypeRecord>> GroupTypes::find(int64_t id) {
  Result<std::shared_ptr<const TypeMap>> types = current();
  if (!types.ok()) return types.status();
  if (const auto it = (*types)->find(id); it != (*types)->end()) {
    return std::optional<GroupTypeRecord>(it->second);
  }
  return repository_.findById(id);
}

void GroupTypes::invalidate() {
  std::lock_guard lock(mutex_);
  ++generation_;
  types_.reset();
}

}  // namespace parley
