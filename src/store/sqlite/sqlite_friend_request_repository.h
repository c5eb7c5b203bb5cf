#pragma once
// FriendRequestRepository on SQLite, over the `friend_request` and `user_version` tables (schema
// migration 11, kFriendRequestSchema below).
#include <string_view>

#include "store/friend_request_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Requests are read by recipient (received, the common query) and by requester (sent, and the
// duplicate check of a new request, which names both); each index leads with its user and orders
// by creation date, as the answers are. `user_version` holds each user's sync versions, one
// nullable column per kind of data (NULL = never changed); later kinds add columns.
inline constexpr std::string_view kFriendRequestSchema = R"sql(
CREATE TABLE friend_request (
  id INTEGER PRIMARY KEY,
  requester_id INTEGER NOT NULL,
  recipient_id INTEGER NOT NULL,
  content TEXT NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT,
  creation_date INTEGER NOT NULL,
  response_date INTEGER
) STRICT;
CREATE INDEX friend_request_by_recipient ON friend_request (recipient_id, creation_date);
CREATE INDEX friend_request_by_requester ON friend_request (requester_id, recipient_id,
  creation_date);
CREATE INDEX friend_request_by_creation_date ON friend_request (creation_date);

CREATE TABLE user_version (
  user_id INTEGER PRIMARY KEY,
  sent_friend_requests INTEGER,
  received_friend_requests INTEGER
) STRICT;
)sql";

class SqliteFriendRequestRepository final : public FriendRequestRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteFriendRequestRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  VoidResult insert(const FriendRequestRecord& request, int64_t now_millis) override;
  Result<std::optional<FriendRequestRecord>> findById(int64_t id) override;
  Result<std::vector<FriendRequestRecord>> findBetween(int64_t requester_id,
                                                       int64_t recipient_id) override;
  Result<std::vector<FriendRequestRecord>> findByRequester(int64_t requester_id) override;
  Result<std::vector<FriendRequestRecord>> findByRecipient(int64_t recipient_id) override;
  Result<bool> replyIfPending(const FriendRequestReply& reply) override;
  // One transaction: the request's status and both relationships commit together or not at all.
  Result<bool> acceptIfPending(const FriendRequestReply& reply) override;
  Result<int64_t> finishInterruptedAccepts(int64_t) override { return int64_t{0}; }
  Result<std::vector<FriendRequestRecord>> search(const FriendRequestSearch& search, int64_t skip,
                                                  int64_t limit) override;
  Result<int64_t> count(const FriendRequestSearch& search) override;
  // One transaction: the request and the versions of its users before and after.
  Result<bool> replace(const FriendRequestRecord& request, int64_t now_millis) override;
  Result<bool> remove(int64_t id, int64_t now_millis) override;
  Result<int64_t> removeCreatedBefore(int64_t created_before) override;
  Result<std::optional<int64_t>> findSentVersion(int64_t user_id) override;
  Result<std::optional<int64_t>> findReceivedVersion(int64_t user_id) override;

 private:
  // Inside a transaction held by the caller: the conditional status change, then both versions.
  Result<bool> replyLocked(const FriendRequestReply& reply, int64_t* requester_id,
                           int64_t* recipient_id);
  VoidResult bumpVersionsLocked(int64_t requester_id, int64_t recipient_id, int64_t now_millis);
  Result<std::vector<FriendRequestRecord>> findMany(std::string_view sql, int64_t first,
                                                    std::optional<int64_t> second);

  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
