#include "store/mongo/mongo_friend_request_repository.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_relationship_repository.h"
#include "store/mongo/mongo_request_search.h"
#include "store/mongo/mongo_user_version.h"

namespace parley::mongo {
namespace {

constexpr const char* kRequests = "userFriendRequest";

// Upstream's short names (turms-service's domain/user/po/UserFriendRequest.java).
constexpr const char* kContent = "cnt";
constexpr const char* kStatus = "stat";
constexpr const char* kReason = "rsn";
constexpr const char* kCreationDate = "cd";
constexpr const char* kResponseDate = "adr";
constexpr const char* kRequesterId = "rrid";
constexpr const char* kRecipientId = "rtid";
// Ours: "accept in progress", the date the accept claimed the request. Set by the same write that
// makes the request ACCEPTED and removed once both relationships and the versions are written, so
// a request carrying it is an accept that a retry or finishInterruptedAccepts must complete.
constexpr const char* kAcceptStarted = "acc";

// userVersion's sent and received friend-request dates, upstream's names.
constexpr const char* kSentVersion = "sfr";
constexpr const char* kReceivedVersion = "rfr";

BsonPtr requestDocument(const FriendRequestRecord& request) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", request.id);
  appendString(doc.get(), kContent, request.content);
  BSON_APPEND_INT32(doc.get(), kStatus, static_cast<int32_t>(request.status));
  if (request.reason) appendString(doc.get(), kReason, *request.reason);
  appendDate(doc.get(), kCreationDate, request.creation_date);
  appendOptionalDate(doc.get(), kResponseDate, request.response_date);
  BSON_APPEND_INT64(doc.get(), kRequesterId, request.requester_id);
  BSON_APPEND_INT64(doc.get(), kRecipientId, request.recipient_id);
  return doc;
}

Result<FriendRequestRecord> readRequest(const bson_t* doc) {
  const std::optional<int64_t> id = int64At(doc, "_id");
  DocReader reader(doc, "friend request " + (id ? std::to_string(*id) : std::string("?")));
  FriendRequestRecord request;
  request.id = reader.int64("_id");
  request.requester_id = reader.int64(kRequesterId);
  request.recipient_id = reader.int64(kRecipientId);
  request.content = reader.string(kContent);
  const int32_t status = reader.int32(kStatus);
  request.reason = optionalStringAt(doc, kReason);
  request.creation_date = reader.date(kCreationDate);
  request.response_date = reader.optionalDate(kResponseDate);
  if (const VoidResult read = reader.status(); !read.ok()) return read.status();
  if (status < static_cast<int32_t>(RequestStatus::kPending) ||
      status > static_cast<int32_t>(RequestStatus::kCanceled)) {
    return error(StatusCode::kServerInternalError, "friend request " + std::to_string(request.id) +
                                                       ": unknown status " +
                                                       std::to_string(status));
  }
  request.status = static_cast<RequestStatus>(status);
  return request;
}

Result<std::vector<FriendRequestRecord>> findRequests(const Connection& connection,
                                                      const bson_t* filter, int32_t order,
                                                      const char* what) {
  BsonPtr opts(
      BCON_NEW("sort", "{", kCreationDate, BCON_INT32(order), "_id", BCON_INT32(order), "}"));
  auto client = connection.client();
  CollectionPtr requests = client.collection(kRequests);
  CursorPtr cursor(mongoc_collection_find_with_opts(requests.get(), filter, opts.get(), nullptr));
  return readAll<FriendRequestRecord>(cursor.get(), what, readRequest);
}

constexpr RequestSearchQuery<FriendRequestSearch, 2> kSearch{
    .collection = kRequests,
    .what = "friend requests",
    .status_field = kStatus,
    .creation_date_field = kCreationDate,
    .response_date_field = kResponseDate,
    .id_fields = {{{kRequesterId, &FriendRequestSearch::requester_ids},
                   {kRecipientId, &FriendRequestSearch::recipient_ids}}}};

// The requester's sent and the recipient's received requests changed; data is written first, so a
// reader never pairs a new version with old data. A failure leaves the versions behind until the
// next change (SQLite writes both atomically).
VoidResult moveVersions(const Connection& connection, int64_t requester_id, int64_t recipient_id,
                        int64_t now_millis) {
  if (VoidResult sent = moveUserVersionForward(connection, requester_id, kSentVersion, now_millis);
      !sent.ok()) {
    return sent;
  }
  return moveUserVersionForward(connection, recipient_id, kReceivedVersion, now_millis);
}

// Steps 2 and 3 of an accept (see acceptIfPending) for a request already claimed, read from its
// stored document so that a retry or recovery writes what the first attempt would have.
VoidResult completeAccept(const Connection& connection, const bson_t* request) {
  const std::optional<int64_t> id = int64At(request, "_id");
  DocReader reader(request, "friend request " + (id ? std::to_string(*id) : std::string("?")));
  const int64_t request_id = reader.int64("_id");
  const int64_t requester_id = reader.int64(kRequesterId);
  const int64_t recipient_id = reader.int64(kRecipientId);
  const int64_t accepted_at = reader.date(kResponseDate);
  if (const VoidResult read = reader.status(); !read.ok()) return read;

  VoidResult done =
      MongoRelationshipRepository::befriend(connection, requester_id, recipient_id, accepted_at);
  if (done.ok())
    done =
        MongoRelationshipRepository::befriend(connection, recipient_id, requester_id, accepted_at);
  if (done.ok()) done = moveVersions(connection, requester_id, recipient_id, accepted_at);
  if (done.ok()) {
    BsonPtr filter(BCON_NEW("_id", BCON_INT64(request_id)));
    BsonPtr finished(BCON_NEW("$unset", "{", kAcceptStarted, BCON_UTF8(""), "}"));
    Result<UpdateOutcome> unmarked = updateOne(connection, kRequests, filter.get(), finished.get(),
                                               /*upsert=*/false, "finish friend request accept");
    if (!unmarked.ok()) done = unmarked.status();
  }
  if (!done.ok()) {
    spdlog::warn(
        "mongo: accept of friend request {} ({} -> {}) interrupted, left for a retry or "
        "finishInterruptedAccepts: {}",
        request_id, requester_id, recipient_id, done.status().reason);
  }
  return done;
}

// The conditional write that replies to a request still PENDING and not expired; `claim_accept`
// also marks it as an accept in progress.
Result<bool> replyIfStillPending(const Connection& connection, const FriendRequestReply& reply,
                                 RequestStatus status, bool claim_accept) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(reply.request_id), kStatus,
                          BCON_INT32(static_cast<int32_t>(RequestStatus::kPending))));
  if (reply.expired_before != 0) {
    bson_t since;
    BSON_APPEND_DOCUMENT_BEGIN(filter.get(), kCreationDate, &since);
    appendDate(&since, "$gte", reply.expired_before);
    bson_append_document_end(filter.get(), &since);
  }
  BsonPtr update(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  BSON_APPEND_INT32(&set, kStatus, static_cast<int32_t>(status));
  appendDate(&set, kResponseDate, reply.now_millis);
  if (reply.reason) appendString(&set, kReason, *reply.reason);
  if (claim_accept) appendDate(&set, kAcceptStarted, reply.now_millis);
  bson_append_document_end(update.get(), &set);
  Result<UpdateOutcome> outcome = updateOne(connection, kRequests, filter.get(), update.get(),
                                            /*upsert=*/false, "reply to friend request");
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

}  // namespace

// userFriendRequest: one document per request, keyed by its id, as upstream. by_recipient is
// upstream's compound index: the recipient's requests (findByRecipient) and the requests between
// two users (findBetween) by recipient, then creation date, with the requester checked in the
// index. by_requester serves findByRequester (upstream hashes it; ascending does as well for
// equality). by_accept_start finds the interrupted accepts; documents without `acc` index as null,
// which a date range never reads (IndexSpec has no partial or sparse indexes). Shard key
// {rtid: "hashed"}: a recipient's requests live together and findByRecipient is targeted, as with
// upstream's {rtid: 1}; hashed like every key here (docs/mongodb.md), so that users with close ids
// do not all land on one chunk.
//
// userVersion (each user's document, keyed by user id) is declared by MongoGroupMemberRepository,
// which shares it: bootstrap applies every spec it is given, so it is declared once.
const std::vector<CollectionSpec>& MongoFriendRequestRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kRequests,
       {{"by_recipient", R"({"rtid": 1, "cd": 1, "rrid": 1})"},
        {"by_requester", R"({"rrid": 1})"},
        {"by_accept_start", R"({"acc": 1})"}},
       R"({"rtid": "hashed"})"},
  };
  return specs;
}

VoidResult MongoFriendRequestRepository::insert(const FriendRequestRecord& request,
                                                int64_t now_millis) {
  BsonPtr doc = requestDocument(request);
  BsonPtr opts = writeOptions(connection_);
  bson_error_t failure;
  const bool inserted = [&] {
    auto client = connection_.client();
    CollectionPtr requests = client.collection(kRequests);
    return mongoc_collection_insert_one(requests.get(), doc.get(), opts.get(), nullptr, &failure);
  }();
  if (!inserted) {
    // Request ids are new for every request a client sends, so an existing one is a conflict.
    if (isDuplicateKeyError(failure)) {
      return error(StatusCode::kRecordContainsDuplicateKey,
                   "friend request " + std::to_string(request.id) + " exists");
    }
    return toStatus(failure, "insert friend request");
  }
  return moveVersions(connection_, request.requester_id, request.recipient_id, now_millis);
}

Result<std::optional<FriendRequestRecord>> MongoFriendRequestRepository::findById(int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  auto client = connection_.client();
  CollectionPtr requests = client.collection(kRequests);
  Result<std::optional<BsonPtr>> found =
      findOne(requests.get(), filter.get(), "find friend request");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<FriendRequestRecord>();
  Result<FriendRequestRecord> request = readRequest(found.value()->get());
  if (!request.ok()) return request.status();
  return std::optional<FriendRequestRecord>(std::move(request).value());
}

Result<std::vector<FriendRequestRecord>> MongoFriendRequestRepository::findBetween(
    int64_t requester_id, int64_t recipient_id) {
  BsonPtr filter(
      BCON_NEW(kRecipientId, BCON_INT64(recipient_id), kRequesterId, BCON_INT64(requester_id)));
  return findRequests(connection_, filter.get(), 1, "find friend requests between users");
}

Result<std::vector<FriendRequestRecord>> MongoFriendRequestRepository::findByRequester(
    int64_t requester_id) {
  BsonPtr filter(BCON_NEW(kRequesterId, BCON_INT64(requester_id)));
  return findRequests(connection_, filter.get(), -1, "find sent friend requests");
}

Result<std::vector<FriendRequestRecord>> MongoFriendRequestRepository::findByRecipient(
    int64_t recipient_id) {
  BsonPtr filter(BCON_NEW(kRecipientId, BCON_INT64(recipient_id)));
  return findRequests(connection_, filter.get(), -1, "find received friend requests");
}

Result<bool> MongoFriendRequestRepository::replyIfPending(const FriendRequestReply& reply) {
  // An ACCEPTED request without the friendship would be a half-done accept.
  if (reply.status == RequestStatus::kAccepted || reply.status == RequestStatus::kPending) {
    return error(StatusCode::kIllegalArgument, "replyIfPending: use acceptIfPending to accept");
  }
  Result<bool> replied =
      replyIfStillPending(connection_, reply, reply.status, /*claim_accept=*/false);
  if (!replied.ok() || !replied.value()) return replied;
  // The request's users are read after the write, which matched: they never change.
  Result<std::optional<FriendRequestRecord>> request = findById(reply.request_id);
  if (!request.ok()) return request.status();
  if (!request.value()) return true;  // removed meanwhile: no one's list shows it any more
  if (const VoidResult moved = moveVersions(connection_, request.value()->requester_id,
                                            request.value()->recipient_id, reply.now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

// Without transactions, in three steps, each safe to repeat:
//   1. claim: the request becomes ACCEPTED and carries `acc` in one conditional write, so exactly
//      one caller wins a pending request;
//   2. both relationships are upserted (befriend);
//   3. the versions move and `acc` goes.
// A failure after 1 leaves `acc`: readers then see an ACCEPTED request whose friendship is still
// being written, and a retry of this call or finishInterruptedAccepts completes it.
Result<bool> MongoFriendRequestRepository::acceptIfPending(const FriendRequestReply& reply) {
  Result<bool> claimed =
      replyIfStillPending(connection_, reply, RequestStatus::kAccepted, /*claim_accept=*/true);
  if (!claimed.ok()) return claimed;
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(reply.request_id)));
  Result<std::optional<BsonPtr>> found = [&] {
    auto client = connection_.client();
    CollectionPtr requests = client.collection(kRequests);
    return findOne(requests.get(), filter.get(), "find accepted friend request");
  }();
  if (!found.ok()) return found.status();
  if (!found.value()) return false;  // never existed, or removed meanwhile
  const bson_t* request = found.value()->get();
  const bool in_progress =
      int64At(request, kStatus) == static_cast<int64_t>(RequestStatus::kAccepted) &&
      int64At(request, kAcceptStarted).has_value();
  // Not claimed now and not an earlier claim left unfinished: the request was not pending.
  if (!claimed.value() && !in_progress) return false;
  // Claimed now but already finished: a concurrent retry completed it for us.
  if (!in_progress) return true;
  if (const VoidResult done = completeAccept(connection_, request); !done.ok()) {
    return done.status();
  }
  return true;
}

Result<int64_t> MongoFriendRequestRepository::finishInterruptedAccepts(int64_t started_before) {
  BsonPtr filter(BCON_NEW(kStatus, BCON_INT32(static_cast<int32_t>(RequestStatus::kAccepted)),
                          kAcceptStarted, "{", "$lt", BCON_DATE_TIME(started_before), "}"));
  // Read all first: completing one borrows a client of its own.
  std::vector<BsonPtr> interrupted;
  {
    auto client = connection_.client();
    CollectionPtr requests = client.collection(kRequests);
    CursorPtr cursor(
        mongoc_collection_find_with_opts(requests.get(), filter.get(), nullptr, nullptr));
    const VoidResult read =
        forEach(cursor.get(), "find interrupted friend request accepts",
                [&](const bson_t* doc) { interrupted.emplace_back(bson_copy(doc)); });
    if (!read.ok()) return read.status();
  }
  // One that fails again does not hold up the others; the first failure is the result, so the
  // job reports it and runs again.
  int64_t completed = 0;
  Status failure;
  for (const BsonPtr& request : interrupted) {
    if (const VoidResult done = completeAccept(connection_, request.get()); !done.ok()) {
      if (failure.isOk()) failure = done.status();
      continue;
    }
    ++completed;
    spdlog::info("mongo: completed the interrupted accept of friend request {}",
                 int64At(request.get(), "_id").value_or(0));
  }
  if (!failure.isOk()) return failure;
  return completed;
}

Result<std::vector<FriendRequestRecord>> MongoFriendRequestRepository::search(
    const FriendRequestSearch& search, int64_t skip, int64_t limit) {
  return kSearch.search(connection_, search, skip, limit, readRequest);
}

Result<int64_t> MongoFriendRequestRepository::count(const FriendRequestSearch& search) {
  return kSearch.count(connection_, search);
}

// The filter names the recipient, the shard key, so the write is targeted (a new recipient moves
// the request: see replaceOrMove); an accept in progress is left to complete first (its document
// is what completes it).
Result<bool> MongoFriendRequestRepository::replace(const FriendRequestRecord& request,
                                                   int64_t now_millis) {
  Result<std::optional<FriendRequestRecord>> before = findById(request.id);
  if (!before.ok()) return before.status();
  if (!before.value()) return false;
  const FriendRequestRecord& old = *before.value();
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(request.id), kRecipientId, BCON_INT64(old.recipient_id),
                          kAcceptStarted, "{", "$exists", BCON_BOOL(false), "}"));
  BsonPtr doc = requestDocument(request);
  Result<bool> matched =
      replaceOrMove(connection_, kRequests, filter.get(), doc.get(),
                    old.recipient_id != request.recipient_id, "replace friend request");
  if (!matched.ok()) return matched.status();
  if (!matched.value()) {
    return error(StatusCode::kServerUnavailable, "friend request " + std::to_string(request.id) +
                                                     " is being accepted or was removed; retry");
  }
  if (const VoidResult moved =
          moveVersions(connection_, old.requester_id, old.recipient_id, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  if (old.requester_id != request.requester_id || old.recipient_id != request.recipient_id) {
    if (const VoidResult moved =
            moveVersions(connection_, request.requester_id, request.recipient_id, now_millis);
        !moved.ok()) {
      return moved.status();
    }
  }
  return true;
}

Result<bool> MongoFriendRequestRepository::remove(int64_t id, int64_t now_millis) {
  Result<std::optional<FriendRequestRecord>> found = findById(id);
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  BsonPtr filter(
      BCON_NEW("_id", BCON_INT64(id), kRecipientId, BCON_INT64(found.value()->recipient_id)));
  Result<int64_t> deleted =
      deleteMany(connection_, kRequests, filter.get(), "remove friend request");
  if (!deleted.ok()) return deleted.status();
  if (*deleted == 0) return false;  // removed meanwhile
  if (const VoidResult moved = moveVersions(connection_, found.value()->requester_id,
                                            found.value()->recipient_id, now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<int64_t> MongoFriendRequestRepository::removeCreatedBefore(int64_t created_before) {
  // An accept still in progress stays until it is completed: its document is what a retry or
  // recovery completes it from. The next run removes it.
  BsonPtr filter(BCON_NEW(kCreationDate, "{", "$lt", BCON_DATE_TIME(created_before), "}",
                          kAcceptStarted, "{", "$exists", BCON_BOOL(false), "}"));
  return deleteMany(connection_, kRequests, filter.get(), "remove old friend requests");
}

Result<std::optional<int64_t>> MongoFriendRequestRepository::findSentVersion(int64_t user_id) {
  return findUserVersion(connection_, user_id, kSentVersion);
}

Result<std::optional<int64_t>> MongoFriendRequestRepository::findReceivedVersion(int64_t user_id) {
  return findUserVersion(connection_, user_id, kReceivedVersion);
}

}  // namespace parley::mongo
