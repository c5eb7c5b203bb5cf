#pragma once
// GroupJoinRequestRepository on MongoDB, over upstream's `groupJoinRequest` collection, the
// group's join requests version on its document and the users' sent group join requests dates of
// `userVersion` (specs and shard key in the .cpp, next to the queries). The writes are the ones
// group invitations make (mongo_group_request.h): without transactions, an accept adds the member
// before it answers the request.
#include <vector>

#include "store/group_join_request_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_group_repository.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoGroupJoinRequestRepository final : public GroupJoinRequestRepository {
 public:
  // Both must outlive the repository; members adds (and takes back) the requester of an accept.
  MongoGroupJoinRequestRepository(const Connection& connection, MongoGroupMemberRepository& members)
      : connection_(connection), members_(members) {}

  static const std::vector<CollectionSpec>& collections();

  VoidResult insert(const GroupJoinRequestRecord& request, int64_t now_millis) override;
  Result<std::optional<GroupJoinRequestRecord>> findById(int64_t id) override;
  Result<std::vector<GroupJoinRequestRecord>> findByGroup(int64_t group_id) override;
  Result<std::vector<GroupJoinRequestRecord>> findByRequester(int64_t requester_id) override;
  Result<bool> replyIfPending(const GroupJoinRequestReply& reply) override;
  Result<bool> acceptIfPending(const GroupJoinRequestReply& reply) override;
  Result<std::vector<GroupJoinRequestRecord>> search(const GroupJoinRequestSearch& search,
                                                     int64_t skip, int64_t limit) override;
  Result<int64_t> count(const GroupJoinRequestSearch& search) override;
  Result<bool> replace(const GroupJoinRequestRecord& request, int64_t now_millis) override;
  Result<bool> remove(int64_t id, int64_t now_millis) override;
  Result<int64_t> removeCreatedBefore(int64_t created_before) override;
  Result<std::optional<int64_t>> findGroupVersion(int64_t group_id) override;
  Result<std::optional<int64_t>> findSentVersion(int64_t user_id) override;

 private:
  const Connection& connection_;
  MongoGroupMemberRepository& members_;
};

}  // namespace parley::mongo
