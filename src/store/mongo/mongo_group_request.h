#pragma once
// The reads and writes that group invitations and group join requests share on MongoDB: each
// kind's repository names its collection, fields and versions in a GroupRequestKind and builds
// and reads its own documents; these run the rest. Every kind's documents have upstream's `_id`,
// `gid`, `stat`, `cd`, `rd` and `rsn`. Without transactions, an accept adds the member before it
// answers the request (acceptGroupRequest in the .cpp tells why that order).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/group_request_answer.h"
#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_group_repository.h"

namespace parley::mongo {

// Upstream's fields that every kind has.
inline constexpr const char* kRequestGroupId = "gid";
inline constexpr const char* kRequestContent = "cnt";
inline constexpr const char* kRequestStatus = "stat";
inline constexpr const char* kRequestCreationDate = "cd";
inline constexpr const char* kRequestResponseDate = "rd";
inline constexpr const char* kRequestReason = "rsn";

struct GroupRequestKind {
  const char* collection;
  const char* what;  // names a request in errors and logs: "group invitation"
  // The users a change concerns (GroupRequestParties' order) and the userVersion field of each
  // one's list of these requests.
  std::span<const char* const> user_fields;
  std::span<const char* const> user_versions;
  // Which of them becomes a member when a request is accepted. Their field is the shard key, so
  // writes that name it are targeted.
  size_t joiner = 0;
  const char* responder_field = nullptr;  // who answered; nullptr when the kind stores no one
  const char* group_version;  // the field on the group's document (mongo_group_repository.h)
};

// The stored status, refused when it is not one of RequestStatus's (what: "group invitation 7").
Result<RequestStatus> requestStatusOf(int32_t stored, const std::string& what);

// {cd: {$gte: expired_before}} unless requests never expire (0).
void appendNotExpired(bson_t* filter, int64_t expired_before);

// Inserts doc (the request `id`) and moves its parties' versions. An existing id is
// kRecordContainsDuplicateKey.
VoidResult insertGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                              const bson_t* doc, int64_t id, const GroupRequestParties& parties,
                              int64_t now_millis);

// The request's document, if there is one.
Result<std::optional<BsonPtr>> findGroupRequestDocument(const Connection& connection,
                                                        const GroupRequestKind& kind, int64_t id);

template <typename Record>
Result<std::optional<Record>> findGroupRequest(const Connection& connection,
                                               const GroupRequestKind& kind, int64_t id,
                                               Result<Record> (*read)(const bson_t*)) {
  Result<std::optional<BsonPtr>> found = findGroupRequestDocument(connection, kind, id);
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<Record>();
  Result<Record> record = read(found.value()->get());
  if (!record.ok()) return record.status();
  return std::optional<Record>(std::move(record).value());
}

// The requests filter matches, by creation date then id: order 1 ascending, -1 descending.
template <typename Record>
Result<std::vector<Record>> findGroupRequests(const Connection& connection,
                                              const GroupRequestKind& kind, const bson_t* filter,
                                              int32_t order, const char* what,
                                              Result<Record> (*read)(const bson_t*)) {
  BsonPtr opts(BCON_NEW("sort", "{", kRequestCreationDate, BCON_INT32(order), "_id",
                        BCON_INT32(order), "}"));
  auto client = connection.client();
  CollectionPtr requests = client.collection(kind.collection);
  CursorPtr cursor(mongoc_collection_find_with_opts(requests.get(), filter, opts.get(), nullptr));
  return readAll<Record>(cursor.get(), what, read);
}

// replyIfPending: refuses ACCEPTED and PENDING; false when the request is not pending.
Result<bool> answerGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                                const GroupRequestAnswer& answer);
// acceptIfPending: the joiner becomes a member through members (insertMany, which moves the
// members and joined-groups versions), then the request is answered; see the .cpp for the order.
Result<bool> acceptGroupRequest(const Connection& connection, MongoGroupMemberRepository& members,
                                const GroupRequestKind& kind, const GroupRequestAnswer& answer);
// Replaces the request `id` with doc (every field, whatever its status; nobody joins) and moves
// the versions of its parties before and, when they differ, after (`parties`). False when there is
// no such request (or it was removed meanwhile).
Result<bool> replaceGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                                 const bson_t* doc, int64_t id, const GroupRequestParties& parties,
                                 int64_t now_millis);
Result<bool> removeGroupRequest(const Connection& connection, const GroupRequestKind& kind,
                                int64_t id, int64_t now_millis);
// No version moves, as in upstream's cleanup (and friend requests'): what goes is long expired.
Result<int64_t> removeGroupRequestsCreatedBefore(const Connection& connection,
                                                 const GroupRequestKind& kind,
                                                 int64_t created_before);

}  // namespace parley::mongo
