#pragma once
// GroupBlocklistRepository on MongoDB, over upstream's `groupBlockedUser` collection
// ({_id: {gid, uid}, bd, rid}) and the blocklist version on the group's document.
#include <vector>

#include "store/group_blocklist_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_group_repository.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoGroupBlocklistRepository final : public GroupBlocklistRepository {
 public:
  // Both must outlive the repository; members removes a blocked member.
  MongoGroupBlocklistRepository(const Connection& connection, MongoGroupMemberRepository& members)
      : connection_(connection), members_(members) {}

  static const std::vector<CollectionSpec>& collections();

  Result<GroupBlockOutcome> block(const GroupBlockedUserRecord& blocked,
                                  int64_t now_millis) override;
  Result<bool> unblock(int64_t group_id, int64_t user_id, int64_t now_millis) override;
  Result<std::vector<GroupBlockedUserRecord>> findBlocked(int64_t group_id) override;
  Result<std::vector<int64_t>> findBlockedAmong(int64_t group_id,
                                                std::span<const int64_t> user_ids) override;
  Result<std::optional<int64_t>> findVersion(int64_t group_id) override;
  Result<std::vector<GroupBlockedUserRecord>> search(const GroupBlockedUserSearch& search,
                                                     int64_t skip, int64_t limit) override;
  Result<int64_t> count(const GroupBlockedUserSearch& search) override;
  Result<bool> update(int64_t group_id, int64_t user_id, const GroupBlockedUserUpdate& update,
                      int64_t now_millis) override;

 private:
  const Connection& connection_;
  MongoGroupMemberRepository& members_;
};

}  // namespace parley::mongo
