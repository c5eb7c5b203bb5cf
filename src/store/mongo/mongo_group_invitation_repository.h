#pragma once
// GroupInvitationRepository on MongoDB, over upstream's `groupInvitation` collection, the group's
// invitations version on its document and the users' sent and received group invitations dates of
// `userVersion` (specs and shard key in the .cpp, next to the queries). The writes are the ones
// group join requests make (mongo_group_request.h): without transactions, an accept adds the
// member before it answers the invitation.
#include <vector>

#include "store/group_invitation_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_group_repository.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoGroupInvitationRepository final : public GroupInvitationRepository {
 public:
  // Both must outlive the repository; members adds (and takes back) the invitee of an accept.
  MongoGroupInvitationRepository(const Connection& connection, MongoGroupMemberRepository& members)
      : connection_(connection), members_(members) {}

  static const std::vector<CollectionSpec>& collections();

  VoidResult insert(const GroupInvitationRecord& invitation, int64_t now_millis) override;
  Result<std::optional<GroupInvitationRecord>> findById(int64_t id) override;
  Result<std::vector<GroupInvitationRecord>> findByGroup(int64_t group_id) override;
  Result<std::vector<GroupInvitationRecord>> findByInviter(int64_t inviter_id) override;
  Result<std::vector<GroupInvitationRecord>> findByInvitee(int64_t invitee_id) override;
  Result<std::vector<GroupInvitationRecord>> findPending(int64_t group_id, int64_t invitee_id,
                                                         int64_t expired_before) override;
  Result<bool> replyIfPending(const GroupInvitationReply& reply) override;
  Result<bool> acceptIfPending(const GroupInvitationReply& reply) override;
  Result<std::vector<GroupInvitationRecord>> search(const GroupInvitationSearch& search,
                                                    int64_t skip, int64_t limit) override;
  Result<int64_t> count(const GroupInvitationSearch& search) override;
  Result<bool> replace(const GroupInvitationRecord& invitation, int64_t now_millis) override;
  Result<bool> remove(int64_t id, int64_t now_millis) override;
  Result<int64_t> removeCreatedBefore(int64_t created_before) override;
  Result<std::optional<int64_t>> findGroupVersion(int64_t group_id) override;
  Result<std::optional<int64_t>> findSentVersion(int64_t user_id) override;
  Result<std::optional<int64_t>> findReceivedVersion(int64_t user_id) override;

 private:
  const Connection& connection_;
  MongoGroupMemberRepository& members_;
};

}  // namespace parley::mongo
