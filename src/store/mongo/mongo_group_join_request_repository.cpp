#include "store/mongo/mongo_group_join_request_repository.h"

#include <string>
#include <utility>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_group_request.h"
#include "store/mongo/mongo_request_search.h"
#include "store/mongo/mongo_user_version.h"

namespace parley::mongo {
namespace {

// Upstream's short names (turms-service's domain/group/po/GroupJoinRequest.java); the fields every
// kind of group request has are in mongo_group_request.h.
constexpr const char* kRequesterId = "rqid";
constexpr const char* kResponderId = "rpid";

// userVersion's sent group join requests date, upstream's name.
constexpr const char* kSentVersion = "sgjr";

constexpr const char* kUserFields[] = {kRequesterId};
constexpr const char* kUserVersions[] = {kSentVersion};
// The requester joins on an accept, and is the shard key.
constexpr GroupRequestKind kKind{.collection = "groupJoinRequest",
                                 .what = "group join request",
                                 .user_fields = kUserFields,
                                 .user_versions = kUserVersions,
                                 .joiner = 0,
                                 .responder_field = kResponderId,
                                 .group_version = kGroupJoinRequestsVersion};

constexpr RequestSearchQuery<GroupJoinRequestSearch, 3> kSearch{
    .collection = kKind.collection,
    .what = "group join requests",
    .status_field = kRequestStatus,
    .creation_date_field = kRequestCreationDate,
    .response_date_field = kRequestResponseDate,
    .id_fields = {{{kRequestGroupId, &GroupJoinRequestSearch::group_ids},
                   {kRequesterId, &GroupJoinRequestSearch::requester_ids},
                   {kResponderId, &GroupJoinRequestSearch::responder_ids}}}};

GroupRequestParties partiesOf(const GroupJoinRequestRecord& request) {
  return {request.group_id, {request.requester_id}};
}

BsonPtr requestDocument(const GroupJoinRequestRecord& request) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", request.id);
  BSON_APPEND_INT64(doc.get(), kRequestGroupId, request.group_id);
  BSON_APPEND_INT64(doc.get(), kRequesterId, request.requester_id);
  appendOptionalInt64(doc.get(), kResponderId, request.responder_id);
  appendString(doc.get(), kRequestContent, request.content);
  BSON_APPEND_INT32(doc.get(), kRequestStatus, static_cast<int32_t>(request.status));
  appendDate(doc.get(), kRequestCreationDate, request.creation_date);
  appendOptionalDate(doc.get(), kRequestResponseDate, request.response_date);
  if (request.reason) appendString(doc.get(), kRequestReason, *request.reason);
  return doc;
}

Result<GroupJoinRequestRecord> readRequest(const bson_t* doc) {
  const std::optional<int64_t> id = int64At(doc, "_id");
  const std::string what = "group join request " + (id ? std::to_string(*id) : std::string("?"));
  DocReader reader(doc, what);
  GroupJoinRequestRecord request;
  request.id = reader.int64("_id");
  request.group_id = reader.int64(kRequestGroupId);
  request.requester_id = reader.int64(kRequesterId);
  request.responder_id = reader.optionalInt64(kResponderId);
  request.content = reader.string(kRequestContent);
  const int32_t status = reader.int32(kRequestStatus);
  request.reason = optionalStringAt(doc, kRequestReason);
  request.creation_date = reader.date(kRequestCreationDate);
  request.response_date = reader.optionalDate(kRequestResponseDate);
  if (const VoidResult read = reader.status(); !read.ok()) return read.status();
  Result<RequestStatus> known = requestStatusOf(status, what);
  if (!known.ok()) return known.status();
  request.status = known.value();
  return request;
}

}  // namespace

// groupJoinRequest: one document per request, keyed by its id, as upstream. by_requester is
// upstream's compound index {rqid, cd}: a requester's requests (findByRequester). by_group serves
// findByGroup (upstream's optional hashed index; ascending does as well for equality). Shard key
// {rqid: "hashed"}: a requester's requests live together and findByRequester is targeted, as with
// upstream's {rqid} key; hashed like every key here (docs/mongodb.md). Listing by group is
// scatter-gather, done when an owner or manager syncs.
const std::vector<CollectionSpec>& MongoGroupJoinRequestRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kKind.collection,
       {{"by_requester", R"({"rqid": 1, "cd": 1})"}, {"by_group", R"({"gid": 1})"}},
       R"({"rqid": "hashed"})"},
  };
  return specs;
}

VoidResult MongoGroupJoinRequestRepository::insert(const GroupJoinRequestRecord& request,
                                                   int64_t now_millis) {
  return insertGroupRequest(connection_, kKind, requestDocument(request).get(), request.id,
                            partiesOf(request), now_millis);
}

Result<std::optional<GroupJoinRequestRecord>> MongoGroupJoinRequestRepository::findById(
    int64_t id) {
  return findGroupRequest(connection_, kKind, id, readRequest);
}

Result<std::vector<GroupJoinRequestRecord>> MongoGroupJoinRequestRepository::findByGroup(
    int64_t group_id) {
  BsonPtr filter(BCON_NEW(kRequestGroupId, BCON_INT64(group_id)));
  return findGroupRequests(connection_, kKind, filter.get(), -1,
                           "find group join requests by group", readRequest);
}

Result<std::vector<GroupJoinRequestRecord>> MongoGroupJoinRequestRepository::findByRequester(
    int64_t requester_id) {
  BsonPtr filter(BCON_NEW(kRequesterId, BCON_INT64(requester_id)));
  return findGroupRequests(connection_, kKind, filter.get(), -1, "find sent group join requests",
                           readRequest);
}

Result<bool> MongoGroupJoinRequestRepository::replyIfPending(const GroupJoinRequestReply& reply) {
  return answerGroupRequest(connection_, kKind, answerOf(reply));
}

Result<bool> MongoGroupJoinRequestRepository::acceptIfPending(const GroupJoinRequestReply& reply) {
  return acceptGroupRequest(connection_, members_, kKind, answerOf(reply));
}

Result<std::vector<GroupJoinRequestRecord>> MongoGroupJoinRequestRepository::search(
    const GroupJoinRequestSearch& search, int64_t skip, int64_t limit) {
  return kSearch.search(connection_, search, skip, limit, readRequest);
}

Result<int64_t> MongoGroupJoinRequestRepository::count(const GroupJoinRequestSearch& search) {
  return kSearch.count(connection_, search);
}

Result<bool> MongoGroupJoinRequestRepository::replace(const GroupJoinRequestRecord& request,
                                                      int64_t now_millis) {
  return replaceGroupRequest(connection_, kKind, requestDocument(request).get(), request.id,
                             partiesOf(request), now_millis);
}

Result<bool> MongoGroupJoinRequestRepository::remove(int64_t id, int64_t now_millis) {
  return removeGroupRequest(connection_, kKind, id, now_millis);
}

Result<int64_t> MongoGroupJoinRequestRepository::removeCreatedBefore(int64_t created_before) {
  return removeGroupRequestsCreatedBefore(connection_, kKind, created_before);
}

Result<std::optional<int64_t>> MongoGroupJoinRequestRepository::findGroupVersion(int64_t group_id) {
  return mongo::findGroupVersion(connection_, group_id, kKind.group_version);
}

Result<std::optional<int64_t>> MongoGroupJoinRequestRepository::findSentVersion(int64_t user_id) {
  return findUserVersion(connection_, user_id, kSentVersion);
}

}  // namespace parley::mongo
