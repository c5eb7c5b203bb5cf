#include "store/sqlite/sqlite_group_invitation_repository.h"

#include <vector>

#include "store/sqlite/sqlite_group_request.h"
#include "store/sqlite/sqlite_request_search.h"

namespace parley::sqlite {
namespace {

// Column order shared by every SELECT and INSERT below (readInvitation depends on it).
#define PARLEY_GROUP_INVITATION_COLUMNS                                            \
  "id, group_id, inviter_id, invitee_id, content, status, reason, creation_date, " \
  "response_date"

constexpr std::string_view kInsert =
    "INSERT INTO group_invitation (" PARLEY_GROUP_INVITATION_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr std::string_view kFindById =
    "SELECT " PARLEY_GROUP_INVITATION_COLUMNS " FROM group_invitation WHERE id = ?1";
constexpr std::string_view kFindByGroup =
    "SELECT " PARLEY_GROUP_INVITATION_COLUMNS
    " FROM group_invitation WHERE group_id = ?1 ORDER BY creation_date DESC, id DESC";
constexpr std::string_view kFindByInviter =
    "SELECT " PARLEY_GROUP_INVITATION_COLUMNS
    " FROM group_invitation WHERE inviter_id = ?1 ORDER BY creation_date DESC, id DESC";
constexpr std::string_view kFindByInvitee =
    "SELECT " PARLEY_GROUP_INVITATION_COLUMNS
    " FROM group_invitation WHERE invitee_id = ?1 ORDER BY creation_date DESC, id DESC";
// Status 0 is PENDING.
constexpr std::string_view kFindPending =
    "SELECT " PARLEY_GROUP_INVITATION_COLUMNS
    " FROM group_invitation WHERE invitee_id = ?2 AND group_id = ?1 AND status = 0 "
    "AND creation_date >= ?3 ORDER BY creation_date, id";
constexpr std::string_view kReplace =
    "UPDATE group_invitation SET group_id = ?2, inviter_id = ?3, invitee_id = ?4, content = ?5, "
    "status = ?6, reason = ?7, creation_date = ?8, response_date = ?9 WHERE id = ?1";

const RequestSearchSql<GroupInvitationSearch, 3>& searchSql() {
  static const RequestSearchSql<GroupInvitationSearch, 3> sql(
      "group_invitation", PARLEY_GROUP_INVITATION_COLUMNS,
      {{{"group_id", &GroupInvitationSearch::group_ids},
        {"inviter_id", &GroupInvitationSearch::inviter_ids},
        {"invitee_id", &GroupInvitationSearch::invitee_ids}}});
  return sql;
}
#undef PARLEY_GROUP_INVITATION_COLUMNS

// ?5 = 0 means invitations never expire. RETURNING names the group and users whose versions move,
// in kTable.user_versions' order.
constexpr std::string_view kReplyIfPending =
    "UPDATE group_invitation SET status = ?2, reason = coalesce(?3, reason), response_date = ?4 "
    "WHERE id = ?1 AND status = 0 AND creation_date >= ?5 "
    "RETURNING group_id, inviter_id, invitee_id";
constexpr std::string_view kRemove =
    "DELETE FROM group_invitation WHERE id = ?1 RETURNING group_id, inviter_id, invitee_id";
constexpr std::string_view kFindParties =
    "SELECT group_id, inviter_id, invitee_id FROM group_invitation WHERE id = ?1";
constexpr std::string_view kRemoveCreatedBefore =
    "DELETE FROM group_invitation WHERE creation_date < ?1";

constexpr UserVersionColumn kUserVersions[] = {UserVersionColumn::kSentGroupInvitations,
                                               UserVersionColumn::kReceivedGroupInvitations};
// The invitee (the second user) joins on an accept.
constexpr GroupRequestTable kTable{.answer_sql = kReplyIfPending,
                                   .remove_sql = kRemove,
                                   .find_parties_sql = kFindParties,
                                   .remove_created_before_sql = kRemoveCreatedBefore,
                                   .records_responder = false,
                                   .group_version = GroupVersionColumn::kInvitations,
                                   .user_versions = kUserVersions,
                                   .joiner = 1};

GroupInvitationRecord readInvitation(const Statement& stmt) {
  GroupInvitationRecord invitation;
  invitation.id = stmt.columnInt64(0);
  invitation.group_id = stmt.columnInt64(1);
  invitation.inviter_id = stmt.columnInt64(2);
  invitation.invitee_id = stmt.columnInt64(3);
  invitation.content = stmt.columnText(4);
  invitation.status = static_cast<RequestStatus>(stmt.columnInt64(5));
  if (!stmt.columnIsNull(6)) invitation.reason = stmt.columnText(6);
  invitation.creation_date = stmt.columnInt64(7);
  if (!stmt.columnIsNull(8)) invitation.response_date = stmt.columnInt64(8);
  return invitation;
}

// Every field, in the order of kInsert's and kReplace's parameters.
void bindInvitation(Statement& stmt, const GroupInvitationRecord& invitation) {
  stmt.bind(1, invitation.id)
      .bind(2, invitation.group_id)
      .bind(3, invitation.inviter_id)
      .bind(4, invitation.invitee_id)
      .bind(5, invitation.content)
      .bind(6, int64_t{static_cast<int32_t>(invitation.status)})
      .bind(7, invitation.reason)
      .bind(8, invitation.creation_date)
      .bind(9, invitation.response_date);
}

GroupRequestParties partiesOf(const GroupInvitationRecord& invitation) {
  return {invitation.group_id, {invitation.inviter_id, invitation.invitee_id}};
}

}  // namespace

VoidResult SqliteGroupInvitationRepository::insert(const GroupInvitationRecord& invitation,
                                                   int64_t now_millis) {
  return insertGroupRequest(
      db_, kTable, kInsert, [&](Statement& stmt) { bindInvitation(stmt, invitation); },
      partiesOf(invitation), now_millis);
}

Result<std::optional<GroupInvitationRecord>> SqliteGroupInvitationRepository::findById(int64_t id) {
  return findGroupRequest(readers_, kFindById, id, readInvitation);
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findByGroup(
    int64_t group_id) {
  return findGroupRequests(readers_, kFindByGroup, group_id, readInvitation);
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findByInviter(
    int64_t inviter_id) {
  return findGroupRequests(readers_, kFindByInviter, inviter_id, readInvitation);
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findByInvitee(
    int64_t invitee_id) {
  return findGroupRequests(readers_, kFindByInvitee, invitee_id, readInvitation);
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findPending(
    int64_t group_id, int64_t invitee_id, int64_t expired_before) {
  return readWith(readers_, kFindPending, [&](Statement& stmt) {
    stmt.bind(1, group_id).bind(2, invitee_id).bind(3, expired_before);
    return readAllRows<GroupInvitationRecord>(stmt, readInvitation);
  });
}

Result<bool> SqliteGroupInvitationRepository::replyIfPending(const GroupInvitationReply& reply) {
  return answerGroupRequest(db_, kTable, answerOf(reply));
}

Result<bool> SqliteGroupInvitationRepository::acceptIfPending(const GroupInvitationReply& reply) {
  return acceptGroupRequest(db_, kTable, answerOf(reply));
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::search(
    const GroupInvitationSearch& search, int64_t skip, int64_t limit) {
  return searchSql().search(readers_, search, skip, limit, readInvitation);
}

Result<int64_t> SqliteGroupInvitationRepository::count(const GroupInvitationSearch& search) {
  return searchSql().count(readers_, search);
}

Result<bool> SqliteGroupInvitationRepository::replace(const GroupInvitationRecord& invitation,
                                                      int64_t now_millis) {
  return replaceGroupRequest(
      db_, kTable, kReplace, [&](Statement& stmt) { bindInvitation(stmt, invitation); },
      invitation.id, partiesOf(invitation), now_millis);
}

Result<bool> SqliteGroupInvitationRepository::remove(int64_t id, int64_t now_millis) {
  return removeGroupRequest(db_, kTable, id, now_millis);
}

Result<int64_t> SqliteGroupInvitationRepository::removeCreatedBefore(int64_t created_before) {
  return removeGroupRequestsCreatedBefore(db_, kTable, created_before);
}

Result<std::optional<int64_t>> SqliteGroupInvitationRepository::findGroupVersion(int64_t group_id) {
  return sqlite::findGroupVersion(readers_, group_id, GroupVersionColumn::kInvitations);
}

Result<std::optional<int64_t>> SqliteGroupInvitationRepository::findSentVersion(int64_t user_id) {
  return findUserVersion(readers_, user_id, UserVersionColumn::kSentGroupInvitations);
}

Result<std::optional<int64_t>> SqliteGroupInvitationRepository::findReceivedVersion(
    int64_t user_id) {
  return findUserVersion(readers_, user_id, UserVersionColumn::kReceivedGroupInvitations);
}

}  // namespace parley::sqlite
