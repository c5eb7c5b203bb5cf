#include "store/mongo/mongo_group_invitation_repository.h"

#include <string>
#include <utility>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_group_request.h"
#include "store/mongo/mongo_request_search.h"
#include "store/mongo/mongo_user_version.h"

namespace parley::mongo {
namespace {

// Upstream's short names (turms-service's domain/group/po/GroupInvitation.java); the fields every
// kind of group request has are in mongo_group_request.h.
constexpr const char* kInviterId = "irid";
constexpr const char* kInviteeId = "ieid";

// userVersion's sent and received group invitations dates, upstream's names.
constexpr const char* kSentVersion = "sgi";
constexpr const char* kReceivedVersion = "rgi";

constexpr const char* kUserFields[] = {kInviterId, kInviteeId};
constexpr const char* kUserVersions[] = {kSentVersion, kReceivedVersion};
// The invitee joins on an accept, and is the shard key.
constexpr GroupRequestKind kKind{.collection = "groupInvitation",
                                 .what = "group invitation",
                                 .user_fields = kUserFields,
                                 .user_versions = kUserVersions,
                                 .joiner = 1,
                                 .responder_field = nullptr,
                                 .group_version = kGroupInvitationsVersion};

constexpr RequestSearchQuery<GroupInvitationSearch, 3> kSearch{
    .collection = kKind.collection,
    .what = "group invitations",
    .status_field = kRequestStatus,
    .creation_date_field = kRequestCreationDate,
    .response_date_field = kRequestResponseDate,
    .id_fields = {{{kRequestGroupId, &GroupInvitationSearch::group_ids},
                   {kInviterId, &GroupInvitationSearch::inviter_ids},
                   {kInviteeId, &GroupInvitationSearch::invitee_ids}}}};

GroupRequestParties partiesOf(const GroupInvitationRecord& invitation) {
  return {invitation.group_id, {invitation.inviter_id, invitation.invitee_id}};
}

BsonPtr invitationDocument(const GroupInvitationRecord& invitation) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", invitation.id);
  BSON_APPEND_INT64(doc.get(), kRequestGroupId, invitation.group_id);
  BSON_APPEND_INT64(doc.get(), kInviterId, invitation.inviter_id);
  BSON_APPEND_INT64(doc.get(), kInviteeId, invitation.invitee_id);
  appendString(doc.get(), kRequestContent, invitation.content);
  BSON_APPEND_INT32(doc.get(), kRequestStatus, static_cast<int32_t>(invitation.status));
  appendDate(doc.get(), kRequestCreationDate, invitation.creation_date);
  appendOptionalDate(doc.get(), kRequestResponseDate, invitation.response_date);
  if (invitation.reason) appendString(doc.get(), kRequestReason, *invitation.reason);
  return doc;
}

Result<GroupInvitationRecord> readInvitation(const bson_t* doc) {
  const std::optional<int64_t> id = int64At(doc, "_id");
  const std::string what = "group invitation " + (id ? std::to_string(*id) : std::string("?"));
  DocReader reader(doc, what);
  GroupInvitationRecord invitation;
  invitation.id = reader.int64("_id");
  invitation.group_id = reader.int64(kRequestGroupId);
  invitation.inviter_id = reader.int64(kInviterId);
  invitation.invitee_id = reader.int64(kInviteeId);
  invitation.content = reader.string(kRequestContent);
  const int32_t status = reader.int32(kRequestStatus);
  invitation.reason = optionalStringAt(doc, kRequestReason);
  invitation.creation_date = reader.date(kRequestCreationDate);
  invitation.response_date = reader.optionalDate(kRequestResponseDate);
  if (const VoidResult read = reader.status(); !read.ok()) return read.status();
  Result<RequestStatus> known = requestStatusOf(status, what);
  if (!known.ok()) return known.status();
  invitation.status = known.value();
  return invitation;
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
      {kKind.collection,
       {{"by_invitee", R"({"ieid": 1, "cd": 1})"},
        {"by_group", R"({"gid": 1})"},
        {"by_inviter", R"({"irid": 1})"}},
       R"({"ieid": "hashed"})"},
  };
  return specs;
}

VoidResult MongoGroupInvitationRepository::insert(const GroupInvitationRecord& invitation,
                                                  int64_t now_millis) {
  return insertGroupRequest(connection_, kKind, invitationDocument(invitation).get(), invitation.id,
                            partiesOf(invitation), now_millis);
}

Result<std::optional<GroupInvitationRecord>> MongoGroupInvitationRepository::findById(int64_t id) {
  return findGroupRequest(connection_, kKind, id, readInvitation);
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findByGroup(
    int64_t group_id) {
  BsonPtr filter(BCON_NEW(kRequestGroupId, BCON_INT64(group_id)));
  return findGroupRequests(connection_, kKind, filter.get(), -1, "find group invitations by group",
                           readInvitation);
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findByInviter(
    int64_t inviter_id) {
  BsonPtr filter(BCON_NEW(kInviterId, BCON_INT64(inviter_id)));
  return findGroupRequests(connection_, kKind, filter.get(), -1, "find sent group invitations",
                           readInvitation);
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findByInvitee(
    int64_t invitee_id) {
  BsonPtr filter(BCON_NEW(kInviteeId, BCON_INT64(invitee_id)));
  return findGroupRequests(connection_, kKind, filter.get(), -1, "find received group invitations",
                           readInvitation);
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::findPending(
    int64_t group_id, int64_t invitee_id, int64_t expired_before) {
  BsonPtr filter(BCON_NEW(kInviteeId, BCON_INT64(invitee_id), kRequestGroupId, BCON_INT64(group_id),
                          kRequestStatus,
                          BCON_INT32(static_cast<int32_t>(RequestStatus::kPending))));
  appendNotExpired(filter.get(), expired_before);
  return findGroupRequests(connection_, kKind, filter.get(), 1, "find pending group invitations",
                           readInvitation);
}

Result<bool> MongoGroupInvitationRepository::replyIfPending(const GroupInvitationReply& reply) {
  return answerGroupRequest(connection_, kKind, answerOf(reply));
}

Result<bool> MongoGroupInvitationRepository::acceptIfPending(const GroupInvitationReply& reply) {
  return acceptGroupRequest(connection_, members_, kKind, answerOf(reply));
}

Result<std::vector<GroupInvitationRecord>> MongoGroupInvitationRepository::search(
    const GroupInvitationSearch& search, int64_t skip, int64_t limit) {
  return kSearch.search(connection_, search, skip, limit, readInvitation);
}

Result<int64_t> MongoGroupInvitationRepository::count(const GroupInvitationSearch& search) {
  return kSearch.count(connection_, search);
}

Result<bool> MongoGroupInvitationRepository::replace(const GroupInvitationRecord& invitation,
                                                     int64_t now_millis) {
  return replaceGroupRequest(connection_, kKind, invitationDocument(invitation).get(),
                             invitation.id, partiesOf(invitation), now_millis);
}

Result<bool> MongoGroupInvitationRepository::remove(int64_t id, int64_t now_millis) {
  return removeGroupRequest(connection_, kKind, id, now_millis);
}

Result<int64_t> MongoGroupInvitationRepository::removeCreatedBefore(int64_t created_before) {
  return removeGroupRequestsCreatedBefore(connection_, kKind, created_before);
}

Result<std::optional<int64_t>> MongoGroupInvitationRepository::findGroupVersion(int64_t group_id) {
  return mongo::findGroupVersion(connection_, group_id, kKind.group_version);
}

Result<std::optional<int64_t>> MongoGroupInvitationRepository::findSentVersion(int64_t user_id) {
  return findUserVersion(connection_, user_id, kSentVersion);
}

Result<std::optional<int64_t>> MongoGroupInvitationRepository::findReceivedVersion(
    int64_t user_id) {
  return findUserVersion(connection_, user_id, kReceivedVersion);
}

}  // namespace parley::mongo
