#include "store/mongo/mongo_group_invitation_repository.h"

#include <spdlog/spdlog.h>

#include <string>
#include <utility>

#include "store/group_repository.h"
#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_user_version.h"

namespace parley::mongo {
namespace {

constexpr const char* kInvitations = "groupInvitation";

// Upstream's short names (turms-service's domain/group/po/GroupInvitation.java).
constexpr const char* kGroupId = "gid";
constexpr const char* kInviterId = "irid";
constexpr const char* kInviteeId = "ieid";
constexpr const char* kContent = "cnt";
constexpr const char* kStatus = "stat";
constexpr const char* kCreationDate = "cd";
constexpr const char* kResponseDate = "rd";
constexpr const char* kReason = "rsn";

// userVersion's sent and received group invitations dates, upstream's names.
constexpr const char* kSentVersion = "sgi";
constexpr const char* kReceivedVersion = "rgi";

BsonPtr invitationDocument(const GroupInvitationRecord& invitation) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", invitation.id);
  BSON_APPEND_INT64(doc.get(), kGroupId, invitation.group_id);
  BSON_APPEND_INT64(doc.get(), kInviterId, invitation.inviter_id);
  BSON_APPEND_INT64(doc.get(), kInviteeId, invitation.invitee_id);
  appendString(doc.get(), kContent, invitation.content);
  BSON_APPEND_INT32(doc.get(), kStatus, static_cast<int32_t>(invitation.status));
  appendDate(doc.get(), kCreationDate, invitation.creation_date);
  appendOptionalDate(doc.get(), kResponseDate, invitation.response_date);
  if (invitation.reason) appendString(doc.get(), kReason, *invitation.reason);
  return doc;
}

Result<GroupInvitationRecord> readInvitation(const bson_t* doc) {
  const std::optional<int64_t> id = int64At(doc, "_id");
  DocReader reader(doc, "group invitation " + (id ? std::to_string(*id) : std::string("?")));
  GroupInvitationRecord invitation;
  invitation.id = reader.int64("_id");
  invitation.group_id = reader.int64(kGroupId);
  invitation.inviter_id = reader.int64(kInviterId);
  invitation.invitee_id = reader.int64(kInviteeId);
  invitation.content = reader.string(kContent);
  const int32_t status = reader.int32(kStatus);
  invitation.reason = optionalStringAt(doc, kReason);
  invitation.creation_date = reader.date(kCreationDate);
  invitation.response_date = reader.optionalDate(kResponseDate);
  if (const VoidResult read = reader.status(); !read.ok()) return read.status();
  if (status < static_cast<int32_t>(RequestStatus::kPending) ||
      status > static_cast<int32_t>(RequestStatus::kCanceled)) {
    return error(StatusCode::kServerInternalError,
                 "group invitation " + std::to_string(invitation.id) + ": unknown status " +
                     std::to_string(status));
  }
  invitation.status = static_cast<RequestStatus>(status);
  return invitation;
}

Result<std::vector<GroupInvitationRecord>> findInvitations(const Connection& connection,
                                                           const bson_t* filter, int32_t order,
                                                           const char* what) {
  BsonPtr opts(
      BCON_NEW("sort", "{", kCreationDate, BCON_INT32(order), "_id", BCON_INT32(order), "}"));
  auto client = connection.client();
  CollectionPtr invitations = client.collection(kInvitations);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(invitations.get(), filter, opts.get(), nullptr));
  return readAll<GroupInvitationRecord>(cursor.get(), what, readInvitation);
}

// {cd: {$gte: expired_before}} unless invitations never expire (0).
void appendNotExpired(bson_t* filter, int64_t expired_before) {
  if (expired_before == 0) return;
  bson_t since;
  BSON_APPEND_DOCUMENT_BEGIN(filter, kCreationDate, &since);
  appendDate(&since, "$gte", expired_before);
  bson_append_document_end(filter, &since);
}

// The group's invitations and its two users' sent and received ones changed. Data is written
// first, so a reader never pairs a new version with old data; a failure leaves the versions
// behind until the next change (SQLite writes them atomically).
VoidResult moveVersions(const Connection& connection, const GroupInvitationRecord& invitation,
                        int64_t now_millis) {
  if (VoidResult group =
          bumpGroupVersion(connection, invitation.group_id, kGroupInvitationsVersion, now_millis);
      !group.ok()) {
    return group;
  }
  if (VoidResult sent =
          moveUserVersionForward(connection, invitation.inviter_id, kSentVersion, now_millis);
      !sent.ok()) {
    return sent;
  }
  return moveUserVersionForward(connection, invitation.invitee_id, kReceivedVersion, now_millis);
}

// The conditional write that answers an invitation still PENDING and not expired; true when it
// did. invitee_id, when the caller knows it, targets the write at the invitation's shard. Not
// findAndModify: FerretDB v1 does not run it atomically (docs/mongodb.md), and behind mongos
// before MongoDB 7.1 it needs the shard key, which a reply by id alone does not know.
Result<bool> replyIfStillPending(const Connection& connection, const GroupInvitationReply& reply,
                                 RequestStatus status, std::optional<int64_t> invitee_id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(reply.invitation_id), kStatus,
                          BCON_INT32(static_cast<int32_t>(RequestStatus::kPending))));
  if (invitee_id) BSON_APPEND_INT64(filter.get(), kInviteeId, *invitee_id);
  appendNotExpired(filter.get(), reply.expired_before);
  BsonPtr update(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$set", &set);
  BSON_APPEND_INT32(&set, kStatus, static_cast<int32_t>(status));
  appendDate(&set, kResponseDate, reply.now_millis);
  if (reply.reason) appendString(&set, kReason, *reply.reason);
  bson_append_document_end(update.get(), &set);
  Result<UpdateOutcome> outcome = updateOne(connection, kInvitations, filter.get(), update.get(),
                                            /*upsert=*/false, "reply to group invitation");
  if (!outcome.ok()) return outcome.status();
  return outcome->matched > 0;
}

}  // namespace

// groupInvitation: one document per invitation, keyed by its id, as upstream. by_invitee is
// upstream's compound index {ieid, cd}: an invitee's invitations (findByInvitee) and their pending
// ones to a group (findPending, the group checked in the documents, few per invitee). by_group and
// by_inviter serve findByGroup and findByInviter (upstream's optional hashed indexes; ascending
// does as well for equality). Shard key {ieid: "hashed"}: an invitee's invitations live together
// and findByInvitee and findPending are targeted, as with upstream's {ieid} key; hashed like every
// key here (docs/mongodb.md). Listing by group or inviter is scatter-gather, done only when a
// client syncs.
const std::vector<CollectionSpec>& MongoGroupInvitationRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kInvitations,
       {{"by_invitee", R"({"ieid": 1, "cd": 1})"},
        {"by_group", R"({"gid": 1})"},
        {"by_inviter", R"({"irid": 1})"}},
       R"({"ieid": "hashed"})"},
  };
  return specs;
}

VoidResult MongoGroupInvitationRepository::insert(const GroupInvitationRecord& invitation,
                                                  int64_t now_millis) {
  BsonPtr doc = invitationDocument(invitation);
  BsonPtr opts = writeOptions(connection_);
  bson_error_t failure;
  const bool inserted = [&] {
    auto client = connection_.client();
    CollectionPtr invitations = client.collection(kInvitations);
    return mongoc_collection_insert_one(invitations.get(), doc.get(), opts.get(), nullptr,
                                        &failure);
  }();
  if (!inserted) {
    // Invitation ids are new for every invitation a client sends, so an existing one is a
    // conflict.
    if (isDuplicateKeyError(failure)) {
      return error(StatusCode::kRecordContainsDuplicateKey,
                   "group invitation " + std::to_string(invitation.id) + " exists");
    }
    return toStatus(failure, "insert group invitation");
  }
  return moveVersions(connection_, invitation, now_millis);
}

Result<std::optional<GroupInvitationRecord>> MongoGroupInvitationRepository::findById(int64_t id) {
  BsonPtr filter(BCON_NEW("_id", BCON_INT64(id)));
  auto client = connection_.client();
  CollectionPtr invitations = client.collection(kInvitations);
  Result<std::optional<BsonPtr>> found =
      findOne(invitations.get(), filter.get(), "find group invitation");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<GroupInvitationRecord>();
  Result<GroupInvitationRecord> invitation = readInvitation(found.value()->get());
  if (!invitation.ok()) return invitation.status();
  return std::optional<GroupInvitationRecord>(std::move(invitation).value());
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findByGroup(
    int64_t group_id) {
  BsonPtr filter(BCON_NEW(kGroupId, BCON_INT64(group_id)));
  return findInvitations(connection_, filter.get(), -1, "find group invitations by group");
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findByInviter(
    int64_t inviter_id) {
  BsonPtr filter(BCON_NEW(kInviterId, BCON_INT64(inviter_id)));
  return findInvitations(connection_, filter.get(), -1, "find sent group invitations");
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findByInvitee(
    int64_t invitee_id) {
  BsonPtr filter(BCON_NEW(kInviteeId, BCON_INT64(invitee_id)));
  return findInvitations(connection_, filter.get(), -1, "find received group invitations");
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findPending(
    int64_t group_id, int64_t invitee_id, int64_t expired_before) {
  BsonPtr filter(BCON_NEW(kInviteeId, BCON_INT64(invitee_id), kGroupId, BCON_INT64(group_id),
                          kStatus, BCON_INT32(static_cast<int32_t>(RequestStatus::kPending))));
  appendNotExpired(filter.get(), expired_before);
  return findInvitations(connection_, filter.get(), 1, "find pending group invitations");
}

Result<bool> MongoGroupInvitationRepository::replyIfPending(const GroupInvitationReply& reply) {
  // An ACCEPTED invitation without the membership would be a half-done accept.
  if (reply.status == RequestStatus::kAccepted || reply.status == RequestStatus::kPending) {
    return error(StatusCode::kIllegalArgument, "replyIfPending: use acceptIfPending to accept");
  }
  Result<bool> replied = replyIfStillPending(connection_, reply, reply.status, std::nullopt);
  if (!replied.ok() || !replied.value()) return replied;
  // The invitation's group and users are read after the write, which matched: they never change.
  Result<std::optional<GroupInvitationRecord>> invitation = findById(reply.invitation_id);
  if (!invitation.ok()) return invitation.status();
  if (!invitation.value()) return true;  // removed meanwhile: no one's list shows it any more
  if (const VoidResult moved = moveVersions(connection_, **invitation, reply.now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

// Without transactions (FerretDB, a standalone server), in an order that never leaves an
// ACCEPTED invitation without the membership:
//   1. the invitation is read: one that is not pending (or expired) changes nothing;
//   2. the invitee becomes a member unless they are one already (insertMany, which moves the
//      members and joined-groups versions), remembering whether this call added them;
//   3. the invitation becomes ACCEPTED only if it is still PENDING and not expired (one
//      conditional write, so exactly one answer wins), then its versions move;
//   4. when 3 matched nothing (canceled, answered or removed since 1), the member that this call
//      added in 2 is removed again, and the accept returns false.
// Meanwhile readers may see the invitee a member while the invitation is still pending, never the
// reverse. A failure between 2 and 3 (or of 4) leaves the membership without the answer: a
// retried accept completes it while the invitation is pending (the member is found already
// there); one answered otherwise meanwhile leaves a member the group's managers can remove.
Result<bool> MongoGroupInvitationRepository::acceptIfPending(const GroupInvitationReply& reply) {
  Result<std::optional<GroupInvitationRecord>> found = findById(reply.invitation_id);
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  const GroupInvitationRecord& invitation = **found;
  if (effectiveStatus(invitation, reply.expired_before) != RequestStatus::kPending) return false;

  GroupMemberRecord member;
  member.group_id = invitation.group_id;
  member.user_id = invitation.invitee_id;
  member.role = kGroupRoleMember;
  member.join_date = reply.now_millis;
  Result<int64_t> added = members_.insertMany(std::span(&member, 1));
  if (!added.ok()) return added.status();
  const bool added_here = added.value() > 0;

  Result<bool> accepted =
      replyIfStillPending(connection_, reply, RequestStatus::kAccepted, invitation.invitee_id);
  if (!accepted.ok()) return accepted.status();
  if (!accepted.value()) {
    if (added_here) {
      const int64_t invitee[] = {invitation.invitee_id};
      if (Result<int64_t> removed = members_.remove(invitation.group_id, invitee, reply.now_millis);
          !removed.ok()) {
        spdlog::warn(
            "mongo: group invitation {} was answered before its accept completed; removing the "
            "member {} it added to group {} failed: {}",
            invitation.id, invitation.invitee_id, invitation.group_id, removed.status().reason);
        return removed.status();
      }
    }
    return false;
  }
  if (const VoidResult moved = moveVersions(connection_, invitation, reply.now_millis);
      !moved.ok()) {
    return moved.status();
  }
  return true;
}

Result<bool> MongoGroupInvitationRepository::remove(int64_t id, int64_t now_millis) {
  Result<std::optional<GroupInvitationRecord>> found = findById(id);
  if (!found.ok()) return found.status();
  if (!found.value()) return false;
  // The invitee is the shard key: the delete is targeted.
  BsonPtr filter(
      BCON_NEW("_id", BCON_INT64(id), kInviteeId, BCON_INT64(found.value()->invitee_id)));
  Result<int64_t> deleted =
      deleteMany(connection_, kInvitations, filter.get(), "remove group invitation");
  if (!deleted.ok()) return deleted.status();
  if (*deleted == 0) return false;  // removed meanwhile
  if (const VoidResult moved = moveVersions(connection_, **found, now_millis); !moved.ok()) {
    return moved.status();
  }
  return true;
}

// No version moves, as in upstream's cleanup (and friend requests'): what goes is long expired.
Result<int64_t> MongoGroupInvitationRepository::removeCreatedBefore(int64_t created_before) {
  BsonPtr filter(BCON_NEW(kCreationDate, "{", "$lt", BCON_DATE_TIME(created_before), "}"));
  return deleteMany(connection_, kInvitations, filter.get(), "remove old group invitations");
}

Result<std::optional<int64_t>> MongoGroupInvitationRepository::findGroupVersion(int64_t group_id) {
  return mongo::findGroupVersion(connection_, group_id, kGroupInvitationsVersion);
}

Result<std::optional<int64_t>> MongoGroupInvitationRepository::findSentVersion(int64_t user_id) {
  return findUserVersion(connection_, user_id, kSentVersion);
}

Result<std::optional<int64_t>> MongoGroupInvitationRepository::findReceivedVersion(
    int64_t user_id) {
  return findUserVersion(connection_, user_id, kReceivedVersion);
}

}  // namespace parley::mongo
