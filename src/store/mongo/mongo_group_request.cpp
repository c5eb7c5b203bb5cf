#include "store/mongo/mongo_group_request.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "store/mongo/mongo_user_version.h"

namespace parley::mongo {
namespace {

// What the shared writes read of a stored request, whatever its kind.
struct StoredRequest {
  GroupRequestParties parties;
  RequestStatus status = RequestStatus::kPending;
  int64_t creation_date = 0;
};

std::string nameOf(const GroupRequestKind& kind, int64_t id) {
  return std::string(kind.what) + " " + std::to_string(id);
}

Result<std::optional<StoredRequest>> findStored(const Connection& connection,
                                                const GroupRequestKind& kind, int64_t id) {
  Result<std::optional<BsonPtr>> found = findGroupRequestDocument(connection, kind, id);
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<StoredRequest>();
  const bson_t* doc = found.value()->get();
  DocReader reader(doc, nameOf(kind, id));
  StoredRequest stored;
  stored.parties.group_id = reader.int64(kRequestGroupId);
  for (size_t i = 0; i < kind.user_fields.size(); ++i) {
    stored.parties.user_ids[i] = reader.int64(kind.user_fields[i]);
  }
  const int32_t status = reader.int32(kRequestStatus);
  stored.creation_date = reader.date(kRequestCreationDate);
  if (const VoidResult read = reader.status(); !read.ok()) return read.status();
  Result<RequestStatus> known = requestStatusOf(status, nameOf(kind, id));
  if (!known.ok()) return known.status();
  stored.status = known.value();
  return std::optional<StoredRequest>(stored);
}

// The group's requests and its users' lists changed. Data is written first, so a reader never
// pairs a new version with old data; a failure leaves the versions behind until the next change
// (SQLite writes them atomically). Those that `moved` (the parties before an edit) had in the same
// place moved already and are skipped.
VoidResult moveVersions(const Connection& connection, const GroupRequestKind& kind,
                        const GroupRequestParties& parties, int64_t now_millis,
                        const GroupRequestParties* moved = nullptr) {
  if (!moved || moved->group_id != parties.group_id) {
    if (VoidResult group =
            bumpGroupVersion(connection, parties.group_id, kind.group_version, now_millis);
        !group.ok()) {
      return group;
    }
  }
  for (size_t i = 0; i < kind.user_versions.size(); ++i) {
    if (moved && moved->user_ids[i] == parties.user_ids[i]) continue;
    if (VoidResult user = moveUserVersionForward(connection, parties.user_ids[i],
                                                 kind.user_versions[i], now_millis);
        !user.ok()) {
      return user;
    }
  }
  return {};
}

// The conditional write that answers a request still PENDING and not expired; true when it did.
// joiner_id, when the caller knows it, targets the write at the request's shard. Not
// findAndModify: FerretDB v1 does not run it atomically (docs/mongodb.md), and behind mongos
// before MongoDB 7.1 it needs the shard key, which a reply by id alone does not know.
Result<bool> answerIfStillPending(const Connection& connection, const GroupRequestKind& kind,
                                  const GroupRequestAnswer& answer, RequestStatus status,
                                  std::optional<int64_t> joiner_id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(answer.request_id), kRequestStatus,
                          BCON_INT32(static_cast<int32_t>(RequestStatus::kPending))));
  if (joiner_id) BSON_APPEND_INT64(filter.get(), kind.user_fields[kind.joiner], *joiner_id);
  appendNotExpired(filter.get(), answer.expired_before);
  BsonPtr update(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  BSON_APPEND_INT32(&set, kRequestStatus, static_cast<int32_t>(status));
  appendDate(&set, kRequestResponseDate, answer.now_millis);
  if (answer.reason) appendString(&set, kRequestReason, *answer.reason);
  if (kind.responder_field && answer.responder_id) {
    BSON_APPEND_INT64(&set, kind.responder_field, *answer.responder_id);
  }
  bson_append_document_end(update.get(), &set);
  const std::string what = "answer " + std::string(kind.what);
  Result<UpdateOutcome> outcome = updateOne(connection, kind.collection, filter.get(), update.get(),
                                            /*upsert=*/false, what.c_str());
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

}  // namespace

Result<RequestStatus> requestStatusOf(int32_t stored, const std::string& what) {
  if (stored < static_cast<int32_t>(RequestStatus::kPending) ||
      stored > static_cast<int32_t>(RequestStatus::kCanceled)) {
    return error(StatusCode::kServerInternalError,
                 what + ": unknown status " + std::to_string(stored));
  }
  return static_cast<RequestStatus>(stored);
}

void appendNotExpired(bson_t* filter, int64_t expired_before) {
  if (expired_before == 0) return;
  bson_t since;
  BSON_APPEND_DOCUMENT_BEGIN(filter, kRequestCreationDate, &since);
  appendDate(&since, "$gte", expired_before);
  bson_append_document_end(filter, &since);
}

VoidResult insertGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                              const bson_t* doc, int64_t id, const GroupRequestParties& parties,
                              int64_t now_millis) {
  BsonPtr opts = writeOptions(connection);
  bson_error_t failure;
  const bool inserted = [&] {
    auto client = connection.client();
    CollectionPtr requests = client.collection(kind.collection);
    return mongoc_collection_insert_one(requests.get(), doc, opts.get(), nullptr, &failure);
  }();
  if (!inserted) {
    // Request ids are new for every request a client sends, so an existing one is a conflict.
    if (isDuplicateKeyError(failure)) {
      return error(StatusCode::kRecordContainsDuplicateKey, nameOf(kind, id) + " exists");
    }
    return toStatus(failure, ("insert " + std::string(kind.what)).c_str());
  }
  return moveVersions(connection, kind, parties, now_millis);
}

Result<std::optional<BsonPtr>> findGroupRequestDocument(const Connection& connection,
                                                        const GroupRequestKind& kind, int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  auto client = connection.client();
  CollectionPtr requests = client.collection(kind.collection);
  const std::string what = "find " + std::string(kind.what);
  return findOne(requests.get(), filter.get(), what.c_str());
}

Result<bool> answerGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                                const GroupRequestAnswer& answer) {
  // An ACCEPTED request without the membership would be a half-done accept.
  if (isRefusedReply(answer.status)) {
    return error(StatusCode::kIllegalArgument, "replyIfPending: use acceptIfPending to accept");
  }
  Result<bool> answered =
      answerIfStillPending(connection, kind, answer, answer.status, std::nullopt);
  if (!answered.ok() || !answered.value()) return answered;
  // The request's group and users are read after the write, which matched: they never change.
  Result<std::optional<StoredRequest>> stored = findStored(connection, kind, answer.request_id);
  if (!stored.ok()) return stored.status();
  if (!stored.value()) return true;  // removed meanwhile: no one's list shows it any more
  if (const VoidResult moved =
          moveVersions(connection, kind, stored.value()->parties, answer.now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

// Without transactions (FerretDB, a standalone server), in an order that never leaves an
// ACCEPTED request without the membership:
//   1. the request is read: one that is not pending (or expired) changes nothing;
//   2. the joiner becomes a member unless they are one already (insertMany, which moves the
//      members and joined-groups versions), remembering whether this call added them;
//   3. the request becomes ACCEPTED only if it is still PENDING and not expired (one conditional
//      write, so exactly one answer wins), then its versions move;
//   4. when 3 matched nothing (canceled, answered or removed since 1), the member that this call
//      added in 2 is removed again, unless the request is ACCEPTED now: then another accept won
//      the race of 3 after this call's insert had made theirs a no-op, and the membership is
//      theirs to keep. The accept returns false.
// Meanwhile readers may see the joiner a member while the request is still pending, never the
// reverse. A failure between 2 and 3 (or of 4) leaves the membership without the answer: a
// retried accept completes it while the request is pending (the member is found already there);
// one answered otherwise meanwhile leaves a member the group's managers can remove.
Result<bool> acceptGroupRequest(const Connection& connection, MongoGroupMemberRepository& members,
                                const GroupRequestKind& kind, const GroupRequestAnswer& answer) {
  Result<std::optional<StoredRequest>> found = findStored(connection, kind, answer.request_id);
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  const StoredRequest& stored = **found;
  if (effectiveStatus(stored, answer.expired_before) != RequestStatus::kPending) return false;

  const int64_t group_id = stored.parties.group_id;
  const int64_t joiner_id = stored.parties.user_ids[kind.joiner];
  const GroupMemberRecord member = joiningMember(group_id, joiner_id, answer.now_millis);
  Result<int64_t> added = members.insertMany(std::span(&member, 1));
  if (!added.ok()) return added.status();
  const bool added_here = added.value() > 0;

  Result<bool> accepted =
      answerIfStillPending(connection, kind, answer, RequestStatus::kAccepted, joiner_id);
  if (!accepted.ok()) return accepted.status();
  if (!accepted.value()) {
    Result<std::optional<StoredRequest>> now = findStored(connection, kind, answer.request_id);
    if (!now.ok()) return now.status();
    const bool accepted_by_another = now.value() && (*now)->status == RequestStatus::kAccepted;
    if (added_here && !accepted_by_another) {
      const int64_t joiner[] = {joiner_id};
      if (Result<int64_t> removed = members.remove(group_id, joiner, answer.now_millis);
          !removed.ok()) {
        spdlog::warn(
            "mongo: {} {} was answered before its accept completed; removing the member {} it "
            "added to group {} failed: {}",
            kind.what, answer.request_id, joiner_id, group_id, removed.status().reason);
        return removed.status();
      }
    }
    return false;
  }
  if (const VoidResult moved = moveVersions(connection, kind, stored.parties, answer.now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<bool> replaceGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                                 const bson_t* doc, int64_t id, const GroupRequestParties& parties,
                                 int64_t now_millis) {
  Result<std::optional<StoredRequest>> found = findStored(connection, kind, id);
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  const GroupRequestParties& before = found.value()->parties;
  const int64_t joiner_before = before.user_ids[kind.joiner];
  // The joiner is the shard key: the write is targeted.
  BsonPtr filter(
      BCON_NEW("_id", BCON_INT64(id), kind.user_fields[kind.joiner], BCON_INT64(joiner_before)));
  const std::string what = "replace " + std::string(kind.what);
  Result<bool> replaced =
      replaceOrMove(connection, kind.collection, filter.get(), doc,
                    parties.user_ids[kind.joiner] != joiner_before, what.c_str());
  if (!replaced.ok() || !replaced.value()) return replaced;
  if (const VoidResult moved = moveVersions(connection, kind, before, now_millis); !moved.ok()) {
    return moved.status();
  }
  if (const VoidResult moved = moveVersions(connection, kind, parties, now_millis, &before);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<bool> removeGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                                int64_t id, int64_t now_millis) {
  Result<std::optional<StoredRequest>> found = findStored(connection, kind, id);
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  const GroupRequestParties& parties = found.value()->parties;
  // The joiner is the shard key: the delete is targeted.
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id), kind.user_fields[kind.joiner],
                          BCON_INT64(parties.user_ids[kind.joiner])));
  const std::string what = "remove " + std::string(kind.what);
  Result<int64_t> deleted = deleteMany(connection, kind.collection, filter.get(), what.c_str());
  if (!deleted.ok()) return deleted.status();
  if (*deleted == 0) return false;  // removed meanwhile
  if (const VoidResult moved = moveVersions(connection, kind, parties, now_millis); !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<int64_t> removeGroupRequestsCreatedBefore(const Connection& connection,
                                                 const GroupRequestKind& kind,
                                                 int64_t created_before) {
  BsonPtr filter(BCON_NEW(kRequestCreationDate, "{", "$lt", BCON_DATE_TIME(created_before), "}"));
  const std::string what = "remove old " + std::string(kind.what) + "s";
  return deleteMany(connection, kind.collection, filter.get(), what.c_str());
}

}  // namespace parley::mongo
