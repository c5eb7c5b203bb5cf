#include "store/sqlite/sqlite_group_invitation_repository.h"

#include <vector>

#include "store/group_repository.h"
#include "store/sqlite/sqlite_group_repository.h"
#include "store/sqlite/sqlite_group_version.h"
#include "store/sqlite/sqlite_user_version.h"

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
#undef PARLEY_GROUP_INVITATION_COLUMNS

// ?5 = 0 means invitations never expire. RETURNING names the group and users whose versions move.
constexpr std::string_view kReplyIfPending =
    "UPDATE group_invitation SET status = ?2, reason = coalesce(?3, reason), response_date = ?4 "
    "WHERE id = ?1 AND status = 0 AND creation_date >= ?5 "
    "RETURNING group_id, inviter_id, invitee_id";
constexpr std::string_view kRemove =
    "DELETE FROM group_invitation WHERE id = ?1 RETURNING group_id, inviter_id, invitee_id";
constexpr std::string_view kRemoveCreatedBefore =
    "DELETE FROM group_invitation WHERE creation_date < ?1";

// The group and users whose versions a change of one invitation moves.
struct Parties {
  int64_t group_id = 0;
  int64_t inviter_id = 0;
  int64_t invitee_id = 0;
};

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

// Inside the caller's lock and transaction.
VoidResult moveVersionsLocked(Database& db, const Parties& parties, int64_t now_millis) {
  if (const VoidResult group = moveGroupVersionForwardLocked(
          db, parties.group_id, GroupVersionColumn::kInvitations, now_millis);
      !group.ok()) {
    return group;
  }
  if (const VoidResult sent = moveUserVersionForwardLocked(
          db, parties.inviter_id, UserVersionColumn::kSentGroupInvitations, now_millis);
      !sent.ok()) {
    return sent;
  }
  return moveUserVersionForwardLocked(db, parties.invitee_id,
                                      UserVersionColumn::kReceivedGroupInvitations, now_millis);
}

// Steps a statement whose RETURNING clause names the parties of the one row it changed (an id
// is one row at most). nullopt when it changed none.
Result<std::optional<Parties>> changedParties(Statement& stmt) {
  const Result<bool> row = stmt.step();
  if (!row.ok()) return row.status();
  if (!row.value()) return std::optional<Parties>();
  const Parties parties{stmt.columnInt64(0), stmt.columnInt64(1), stmt.columnInt64(2)};
  // RETURNING rows are produced as the statement runs; finishing it completes the change.
  if (const Result<bool> done = stmt.step(); !done.ok()) return done.status();
  return std::optional<Parties>(parties);
}

// Inside the caller's lock and transaction: the conditional status change, then the versions.
// The invitation's parties when it changed, nullopt when it was not pending.
Result<std::optional<Parties>> replyLocked(Database& db, const GroupInvitationReply& reply,
                                           RequestStatus status) {
  Result<Statement> stmt = db.prepare(kReplyIfPending);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, reply.invitation_id)
      .bind(2, int64_t{static_cast<int32_t>(status)})
      .bind(3, reply.reason)
      .bind(4, reply.now_millis)
      .bind(5, reply.expired_before);
  Result<std::optional<Parties>> parties = changedParties(*stmt);
  if (!parties.ok() || !parties.value()) return parties;
  if (const VoidResult moved = moveVersionsLocked(db, **parties, reply.now_millis); !moved.ok()) {
    return moved.status();
  }
  return parties;
}

}  // namespace

VoidResult SqliteGroupInvitationRepository::insert(const GroupInvitationRecord& invitation,
                                                   int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  const Result<int64_t> inserted = writeRows(db_, kInsert, [&](Statement& stmt) {
    stmt.bind(1, invitation.id)
        .bind(2, invitation.group_id)
        .bind(3, invitation.inviter_id)
        .bind(4, invitation.invitee_id)
        .bind(5, invitation.content)
        .bind(6, int64_t{static_cast<int32_t>(invitation.status)})
        .bind(7, invitation.reason)
        .bind(8, invitation.creation_date)
        .bind(9, invitation.response_date);
  });
  if (!inserted.ok()) return inserted.status();
  const Parties parties{invitation.group_id, invitation.inviter_id, invitation.invitee_id};
  if (const VoidResult moved = moveVersionsLocked(db_, parties, now_millis); !moved.ok()) {
    return moved;
  }
  return transaction->commit();
}

Result<std::optional<GroupInvitationRecord>> SqliteGroupInvitationRepository::findById(int64_t id) {
  auto found = findMany(kFindById, id);
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<GroupInvitationRecord>();
  return std::optional<GroupInvitationRecord>(std::move(found->front()));
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findByGroup(
    int64_t group_id) {
  return findMany(kFindByGroup, group_id);
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findByInviter(
    int64_t inviter_id) {
  return findMany(kFindByInviter, inviter_id);
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findByInvitee(
    int64_t invitee_id) {
  return findMany(kFindByInvitee, invitee_id);
}

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findPending(
    int64_t group_id, int64_t invitee_id, int64_t expired_before) {
  return readWith(readers_, kFindPending, [&](Statement& stmt) {
    stmt.bind(1, group_id).bind(2, invitee_id).bind(3, expired_before);
    return readAllRows<GroupInvitationRecord>(stmt, readInvitation);
  });
}

Result<bool> SqliteGroupInvitationRepository::replyIfPending(const GroupInvitationReply& reply) {
  // An ACCEPTED invitation without the membership would be a half-done accept.
  if (reply.status == RequestStatus::kAccepted || reply.status == RequestStatus::kPending) {
    return error(StatusCode::kIllegalArgument, "replyIfPending: use acceptIfPending to accept");
  }
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  const Result<std::optional<Parties>> replied = replyLocked(db_, reply, reply.status);
  if (!replied.ok()) return replied.status();
  if (!replied.value()) return false;
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<bool> SqliteGroupInvitationRepository::acceptIfPending(const GroupInvitationReply& reply) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  const Result<std::optional<Parties>> accepted = replyLocked(db_, reply, RequestStatus::kAccepted);
  if (!accepted.ok()) return accepted.status();
  if (!accepted.value()) return false;
  GroupMemberRecord member;
  member.group_id = accepted.value()->group_id;
  member.user_id = accepted.value()->invitee_id;
  member.role = kGroupRoleMember;
  member.join_date = reply.now_millis;
  // A member already stays as they are (the insert skips them). A failure returns before the
  // commit: the transaction's destructor rolls the status change back with it.
  if (const Result<int64_t> added = insertMembersLocked(db_, std::span(&member, 1)); !added.ok()) {
    return added.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

Result<bool> SqliteGroupInvitationRepository::remove(int64_t id, int64_t now_millis) {
  auto lock = db_.lock();
  Result<Transaction> transaction = Transaction::begin(db_);
  if (!transaction.ok()) return transaction.status();
  Result<Statement> stmt = db_.prepare(kRemove);
  if (!stmt.ok()) return stmt.status();
  stmt->bind(1, id);
  const Result<std::optional<Parties>> removed = changedParties(*stmt);
  if (!removed.ok()) return removed.status();
  if (!removed.value()) return false;
  if (const VoidResult moved = moveVersionsLocked(db_, **removed, now_millis); !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult committed = transaction->commit(); !committed.ok()) {
    return committed.status();
  }
  return true;
}

// No version moves, as in upstream's cleanup (and friend requests'): what goes is long expired.
Result<int64_t> SqliteGroupInvitationRepository::removeCreatedBefore(int64_t created_before) {
  auto lock = db_.lock();
  return writeRows(db_, kRemoveCreatedBefore,
                   [&](Statement& stmt) { stmt.bind(1, created_before); });
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

Result<std::vector<GroupInvitationRecord>> SqliteGroupInvitationRepository::findMany(
    std::string_view sql, int64_t id) {
  return readWith(readers_, sql, [&](Statement& stmt) {
    stmt.bind(1, id);
    return readAllRows<GroupInvitationRecord>(stmt, readInvitation);
  });
}

}  // namespace parley::sqlite
