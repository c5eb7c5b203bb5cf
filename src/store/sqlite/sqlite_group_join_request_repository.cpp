#include "store/sqlite/sqlite_group_join_request_repository.h"

#include <vector>

#include "store/sqlite/sqlite_group_request.h"
#include "store/sqlite/sqlite_request_search.h"

namespace parley::sqlite {
namespace {

// Column order shared by every SELECT and INSERT below (readRequest depends on it).
#define PARLEY_GROUP_JOIN_REQUEST_COLUMNS                                              \
  "id, group_id, requester_id, responder_id, content, status, reason, creation_date, " \
  "response_date"

constexpr std::string_view kInsert =
    "INSERT INTO group_join_request (" PARLEY_GROUP_JOIN_REQUEST_COLUMNS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr std::string_view kFindById =
    "SELECT " PARLEY_GROUP_JOIN_REQUEST_COLUMNS " FROM group_join_request WHERE id = ?1";
constexpr std::string_view kFindByGroup =
    "SELECT " PARLEY_GROUP_JOIN_REQUEST_COLUMNS
    " FROM group_join_request WHERE group_id = ?1 ORDER BY creation_date DESC, id DESC";
constexpr std::string_view kFindByRequester =
    "SELECT " PARLEY_GROUP_JOIN_REQUEST_COLUMNS
    " FROM group_join_request WHERE requester_id = ?1 ORDER BY creation_date DESC, id DESC";
constexpr std::string_view kReplace =
    "UPDATE group_join_request SET group_id = ?2, requester_id = ?3, responder_id = ?4, "
    "content = ?5, status = ?6, reason = ?7, creation_date = ?8, response_date = ?9 WHERE id = ?1";

const RequestSearchSql<GroupJoinRequestSearch, 3>& searchSql() {
  static const RequestSearchSql<GroupJoinRequestSearch, 3> sql(
      "group_join_request", PARLEY_GROUP_JOIN_REQUEST_COLUMNS,
      {{{"group_id", &GroupJoinRequestSearch::group_ids},
        {"requester_id", &GroupJoinRequestSearch::requester_ids},
        {"responder_id", &GroupJoinRequestSearch::responder_ids}}});
  return sql;
}
#undef PARLEY_GROUP_JOIN_REQUEST_COLUMNS

// Status 0 is PENDING; ?5 = 0 means requests never expire. ?6 is who answered, NULL for a recall
// by the requester (which keeps what is stored, as MongoDB's $set without the field does).
// RETURNING names the group and the requester, whose versions move.
constexpr std::string_view kReplyIfPending =
    "UPDATE group_join_request SET status = ?2, reason = coalesce(?3, reason), "
    "response_date = ?4, responder_id = coalesce(?6, responder_id) "
    "WHERE id = ?1 AND status = 0 AND creation_date >= ?5 RETURNING group_id, requester_id";
constexpr std::string_view kRemove =
    "DELETE FROM group_join_request WHERE id = ?1 RETURNING group_id, requester_id";
constexpr std::string_view kFindParties =
    "SELECT group_id, requester_id FROM group_join_request WHERE id = ?1";
constexpr std::string_view kRemoveCreatedBefore =
    "DELETE FROM group_join_request WHERE creation_date < ?1";

constexpr UserVersionColumn kUserVersions[] = {UserVersionColumn::kSentGroupJoinRequests};
// The requester (the only user) joins on an accept.
constexpr GroupRequestTable kTable{.answer_sql = kReplyIfPending,
                                   .remove_sql = kRemove,
                                   .find_parties_sql = kFindParties,
                                   .remove_created_before_sql = kRemoveCreatedBefore,
                                   .records_responder = true,
                                   .group_version = GroupVersionColumn::kJoinRequests,
                                   .user_versions = kUserVersions,
                                   .joiner = 0};

GroupJoinRequestRecord readRequest(const Statement& stmt) {
  GroupJoinRequestRecord request;
  request.id = stmt.columnInt64(0);
  request.group_id = stmt.columnInt64(1);
  request.requester_id = stmt.columnInt64(2);
  if (!stmt.columnIsNull(3)) request.responder_id = stmt.columnInt64(3);
  request.content = stmt.columnText(4);
  request.status = static_cast<RequestStatus>(stmt.columnInt64(5));
  if (!stmt.columnIsNull(6)) request.reason = stmt.columnText(6);
  request.creation_date = stmt.columnInt64(7);
  if (!stmt.columnIsNull(8)) request.response_date = stmt.columnInt64(8);
  return request;
}

// Every field, in the order of kInsert's and kReplace's parameters.
void bindRequest(Statement& stmt, const GroupJoinRequestRecord& request) {
  stmt.bind(1, request.id)
      .bind(2, request.group_id)
      .bind(3, request.requester_id)
      .bind(4, request.responder_id)
      .bind(5, request.content)
      .bind(6, int64_t{static_cast<int32_t>(request.status)})
      .bind(7, request.reason)
      .bind(8, request.creation_date)
      .bind(9, request.response_date);
}

GroupRequestParties partiesOf(const GroupJoinRequestRecord& request) {
  return {request.group_id, {request.requester_id}};
}

}  // namespace

VoidResult SqliteGroupJoinRequestRepository::insert(const GroupJoinRequestRecord& request,
                                                    int64_t now_millis) {
  return insertGroupRequest(
      db_, kTable, kInsert, [&](Statement& stmt) { bindRequest(stmt, request); },
      partiesOf(request), now_millis);
}

Result<std::optional<GroupJoinRequestRecord>> SqliteGroupJoinRequestRepository::findById(
    int64_t id) {
  return findGroupRequest(readers_, kFindById, id, readRequest);
}

Result<std::vector<GroupJoinRequestRecord>> SqliteGroupJoinRequestRepository::findByGroup(
    int64_t group_id) {
  return findGroupRequests(readers_, kFindByGroup, group_id, readRequest);
}

Result<std::vector<GroupJoinRequestRecord>> SqliteGroupJoinRequestRepository::findByRequester(
    int64_t requester_id) {
  return findGroupRequests(readers_, kFindByRequester, requester_id, readRequest);
}

Result<bool> SqliteGroupJoinRequestRepository::replyIfPending(const GroupJoinRequestReply& reply) {
  return answerGroupRequest(db_, kTable, answerOf(reply));
}

Result<bool> SqliteGroupJoinRequestRepository::acceptIfPending(const GroupJoinRequestReply& reply) {
  return acceptGroupRequest(db_, kTable, answerOf(reply));
}

Result<std::vector<GroupJoinRequestRecord>> SqliteGroupJoinRequestRepository::search(
    const GroupJoinRequestSearch& search, int64_t skip, int64_t limit) {
  return searchSql().search(readers_, search, skip, limit, readRequest);
}

Result<int64_t> SqliteGroupJoinRequestRepository::count(const GroupJoinRequestSearch& search) {
  return searchSql().count(readers_, search);
}

Result<bool> SqliteGroupJoinRequestRepository::replace(const GroupJoinRequestRecord& request,
                                                       int64_t now_millis) {
  return replaceGroupRequest(
      db_, kTable, kReplace, [&](Statement& stmt) { bindRequest(stmt, request); }, request.id,
      partiesOf(request), now_millis);
}

Result<bool> SqliteGroupJoinRequestRepository::remove(int64_t id, int64_t now_millis) {
  return removeGroupRequest(db_, kTable, id, now_millis);
}

Result<int64_t> SqliteGroupJoinRequestRepository::removeCreatedBefore(int64_t created_before) {
  return removeGroupRequestsCreatedBefore(db_, kTable, created_before);
}

Result<std::optional<int64_t>> SqliteGroupJoinRequestRepository::findGroupVersion(
    int64_t group_id) {
  return sqlite::findGroupVersion(readers_, group_id, GroupVersionColumn::kJoinRequests);
}

Result<std::optional<int64_t>> SqliteGroupJoinRequestRepository::findSentVersion(int64_t user_id) {
  return findUserVersion(readers_, user_id, UserVersionColumn::kSentGroupJoinRequests);
}

}  // namespace parley::sqlite
