#pragma once
// Private to the Mongo relationship repositories: the `userRelationshipGroupMember` collection
// (upstream's: one document {_id: {oid, gidx, ruid}, jd} per relationship and group it is in) and
// the owner's relationship versions in userVersion.
//
// Without transactions (Parley uses none: standalone MongoDB and FerretDB have none) a
// relationship and its memberships are written one after the other, the relationship first. A
// relationship found without memberships (a writer stopped between the two, or a document
// written by Parley before memberships had their own collection, which kept one index in
// `gidx`) reads as being in that legacy group or the default one.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"
#include "store/relationship_repository.h"

namespace parley::mongo {

inline constexpr const char* kRelationshipGroupMembers = "userRelationshipGroupMember";

const CollectionSpec& relationshipGroupMembersSpec();

// Makes (owner, related)'s memberships exactly group_indexes (empty = the default group), keeping
// the join date of those kept. Returns whether any membership changed.
Result<bool> setMemberships(const Connection& connection, int64_t owner_id, int64_t related_user_id,
                            const std::vector<int32_t>& group_indexes, int64_t now_millis);
// Adds one membership; true when it is new.
Result<bool> addMembership(const Connection& connection, int64_t owner_id, int64_t related_user_id,
                           int32_t group_index, int64_t now_millis);
// Adds every membership not stored yet (bulk loading); returns how many were new.
struct Membership {
  int64_t owner_id = 0;
  int64_t related_user_id = 0;
  int32_t group_index = 0;
};
Result<int64_t> addMemberships(const Connection& connection, std::span<const Membership> members,
                               int64_t now_millis);
// Removes (owner, related) from every group; returns how many memberships there were.
Result<int64_t> removeMemberships(const Connection& connection, int64_t owner_id,
                                  int64_t related_user_id);
// The owner's memberships, by related user (every related user when related_user_ids is
// empty), each list ascending.
Result<std::map<int64_t, std::vector<int32_t>>> findMemberships(
    const Connection& connection, int64_t owner_id, std::span<const int64_t> related_user_ids);
// Related users in the owner's group `index`, ascending.
Result<std::vector<int64_t>> findMemberIds(const Connection& connection, int64_t owner_id,
                                           int32_t index);
// Moves every member of group `from` into group `to` (one already there is not doubled).
VoidResult moveMembers(const Connection& connection, int64_t owner_id, int32_t from, int32_t to,
                       std::span<const int64_t> member_ids, int64_t now_millis);

// The owner's versions `moves` names (store/relationship_repository.h), in userVersion.
VoidResult moveRelationshipVersions(const Connection& connection, int64_t owner_id,
                                    RelationshipVersionMoves moves, int64_t now_millis);
Result<std::optional<int64_t>> findRelationshipsVersion(const Connection& connection,
                                                        int64_t owner_id);
Result<std::optional<int64_t>> findRelationshipGroupsVersion(const Connection& connection,
                                                             int64_t owner_id);

}  // namespace parley::mongo
