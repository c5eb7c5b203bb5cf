#pragma once
// FriendRequestRepository on MongoDB, over upstream's `userFriendRequest` collection and the
// friend-request dates of `userVersion` (specs and shard keys in the .cpp, next to the queries).
// Without transactions, an accept is three writes, each safe to repeat, and a request marks an
// accept in progress until the last one (see acceptIfPending in the .cpp).
#include <vector>

#include "store/friend_request_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoFriendRequestRepository final : public FriendRequestRepository {
 public:
  // connection must outlive the repository.
  explicit MongoFriendRequestRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  VoidResult insert(const FriendRequestRecord& request, int64_t now_millis) override;
  Result<std::optional<FriendRequestRecord>> findById(int64_t id) override;
  Result<std::vector<FriendRequestRecord>> findBetween(int64_t requester_id,
                                                       int64_t recipient_id) override;
  Result<std::vector<FriendRequestRecord>> findByRequester(int64_t requester_id) override;
  Result<std::vector<FriendRequestRecord>> findByRecipient(int64_t recipient_id) override;
  Result<bool> replyIfPending(const FriendRequestReply& reply) override;
  Result<bool> acceptIfPending(const FriendRequestReply& reply) override;
  Result<int64_t> finishInterruptedAccepts(int64_t started_before) override;
  Result<std::vector<FriendRequestRecord>> search(const FriendRequestSearch& search, int64_t skip,
                                                  int64_t limit) override;
  Result<int64_t> count(const FriendRequestSearch& search) override;
  Result<bool> replace(const FriendRequestRecord& request, int64_t now_millis) override;
  Result<bool> remove(int64_t id, int64_t now_millis) override;
  Result<int64_t> removeCreatedBefore(int64_t created_before) override;
  Result<std::optional<int64_t>> findSentVersion(int64_t user_id) override;
  Result<std::optional<int64_t>> findReceivedVersion(int64_t user_id) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
