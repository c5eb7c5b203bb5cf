#pragma once
// GroupInvitationRepository on SQLite, over `group_invitation`, the invitations version kept in
// `group_info` and the users' sent and received group invitations versions in `user_version`
// (schema migration 18, kGroupInvitationSchema below).
#include <string_view>

#include "store/group_invitation_repository.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// Each finder reads one index that leads with what it names and orders by creation date, as the
// answers are (the rowid, the invitation id, breaks ties): a group's invitations, an inviter's
// (sent) and an invitee's (received, and the pending ones of a group, few per invitee). The
// cleanup job deletes by creation date. Versions are columns beside the other kinds' versions.
inline constexpr std::string_view kGroupInvitationSchema = R"sql(
CREATE TABLE group_invitation (
  id INTEGER PRIMARY KEY,
  group_id INTEGER NOT NULL,
  inviter_id INTEGER NOT NULL,
  invitee_id INTEGER NOT NULL,
  content TEXT NOT NULL,
  status INTEGER NOT NULL,
  reason TEXT,
  creation_date INTEGER NOT NULL,
  response_date INTEGER
) STRICT;
CREATE INDEX group_invitation_by_group ON group_invitation (group_id, creation_date);
CREATE INDEX group_invitation_by_inviter ON group_invitation (inviter_id, creation_date);
CREATE INDEX group_invitation_by_invitee ON group_invitation (invitee_id, creation_date);
CREATE INDEX group_invitation_by_creation_date ON group_invitation (creation_date);
ALTER TABLE group_info ADD COLUMN invitations_last_updated_date INTEGER;
ALTER TABLE user_version ADD COLUMN sent_group_invitations INTEGER;
ALTER TABLE user_version ADD COLUMN received_group_invitations INTEGER;
)sql";

class SqliteGroupInvitationRepository final : public GroupInvitationRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to readers (see
  // SqliteStore); both must outlive the repository.
  SqliteGroupInvitationRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  VoidResult insert(const GroupInvitationRecord& invitation, int64_t now_millis) override;
  Result<std::optional<GroupInvitationRecord>> findById(int64_t id) override;
  Result<std::vector<GroupInvitationRecord>> findByGroup(int64_t group_id) override;
  Result<std::vector<GroupInvitationRecord>> findByInviter(int64_t inviter_id) override;
  Result<std::vector<GroupInvitationRecord>> findByInvitee(int64_t invitee_id) override;
  Result<std::vector<GroupInvitationRecord>> findPending(int64_t group_id, int64_t invitee_id,
                                                         int64_t expired_before) override;
  Result<bool> replyIfPending(const GroupInvitationReply& reply) override;
  // One transaction: the invitation's status and the membership commit together or not at all.
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
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
