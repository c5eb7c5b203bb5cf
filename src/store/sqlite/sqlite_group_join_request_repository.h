#pragma once
// GroupJoinRequestRepository on SQLite, over `group_join_request`, the join requests version kept
// in `group_info` and the users' sent group join requests versions in `user_version` (schema
// migration 19, kGroupJoinRequestSchema below). The writes are the ones group invitations make
// (sqlite_group_request.h).
#include <string_view>

#include "store/group_join_request_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Each finder reads one index that leads with what it names and orders by creation date, as the
// answers are (the rowid, the request id, breaks ties): a group's requests (read by its owner and
// managers) and a requester's (sent). The cleanup job deletes by creation date. Versions are
// columns beside the other kinds' versions.
inline constexpr std::string_view kGroupJoinRequestSchema = R"sql(
CREATE TABLE group_join_request (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL,
  requester_id INTEGER NOT NULL,
  responder_id INTEGER,
  content TEXT NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT,
  creation_date INTEGER NOT NULL,
  response_date INTEGER
) STRICT;
CREATE INDEX group_join_request_by_group ON group_join_request (group_id, creation_date);
CREATE INDEX group_join_request_by_requester ON group_join_request (requester_id, creation_date);
CREATE INDEX group_join_request_by_creation_date ON group_join_request (creation_date);
ALTER TABLE group_info ADD COLUMN join_requests_last_updated_date INTEGER;
ALTER TABLE user_version ADD COLUMN sent_group_join_requests INTEGER;
)sql";

class SqliteGroupJoinRequestRepository final : public GroupJoinRequestRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteGroupJoinRequestRepository(Database& db, ReaderPool& readers)
      : db_(db), readers_(readers) {}

  VoidResult insert(const GroupJoinRequestRecord& request, int64_t now_millis) override;
  Result<std::optional<GroupJoinRequestRecord>> findById(int64_t id) override;
  Result<std::vector<GroupJoinRequestRecord>> findByGroup(int64_t group_id) override;
  Result<std::vector<GroupJoinRequestRecord>> findByRequester(int64_t requester_id) override;
  Result<bool> replyIfPending(const GroupJoinRequestReply& reply) override;
  // One transaction: the request's status and the membership commit together or not at all.
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
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
