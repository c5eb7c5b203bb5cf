#pragma once
// The behaviour every GroupJoinRequestRepository must have, as one value-parameterized GoogleTest
// suite over a whole store (accepting adds a member and moves the group's and users' versions).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/friend_request_repository.h"
#include "store/group_blocklist_repository.h"
#include "store/group_invitation_repository.h"
#include "store/group_join_request_repository.h"
#include "store/group_repository.h"
#include "store/group_request_contract_test.h"
#include "store/store.h"

namespace parley::contract {

class GroupJoinRequestRepositoryContractTest
    : public GroupRequestContractTest<GroupJoinRequestRepository, GroupJoinRequestRecord,
                                      GroupJoinRequestReply, GroupJoinRequestSearch> {
 protected:
  static constexpr int64_t kManager = 2;  // answers requests, not a member in these tests

  GroupJoinRequestRepository& requests() override { return store_->groupJoinRequests(); }
  GroupJoinRequestRecord makePending(int64_t id, int64_t group_id, int64_t user_id,
                                     int64_t creation_date) override {
    return makeRequest(id, group_id, user_id, creation_date);
  }

  static GroupJoinRequestRecord makeRequest(int64_t id, int64_t group_id, int64_t requester_id,
                                            int64_t creation_date = kT0) {
    GroupJoinRequestRecord request;
    request.id = id;
    request.group_id = group_id;
    request.requester_id = requester_id;
    request.content = "let me in, " + std::to_string(requester_id);
    request.creation_date = creation_date;
    return request;
  }

  // Answered at response_date by responder (unset: recalled by the requester), with reason
  // (unset: the one it had).
  static GroupJoinRequestRecord answered(GroupJoinRequestRecord request, RequestStatus status,
                                         std::optional<int64_t> responder_id, int64_t response_date,
                                         std::optional<std::string> reason = std::nullopt) {
    request.status = status;
    request.responder_id = responder_id;
    request.response_date = response_date;
    if (reason) request.reason = std::move(reason);
    return request;
  }

  static GroupJoinRequestReply replyOf(int64_t id, RequestStatus status, int64_t now,
                                       std::optional<int64_t> responder_id = kOwner,
                                       int64_t expired_before = 0) {
    return GroupJoinRequestReply{.request_id = id,
                                 .status = status,
                                 .responder_id = responder_id,
                                 .reason = std::nullopt,
                                 .now_millis = now,
                                 .expired_before = expired_before};
  }

  // The four versions an accept of a request of requester to join kGroup moves.
  struct Versions {
    std::optional<int64_t> group;
    std::optional<int64_t> sent;
    int64_t members = 0;
    std::optional<int64_t> joined_groups;

    bool operator==(const Versions&) const = default;
  };
  Versions versions(int64_t requester_id) {
    return {groupVersion(), sentVersion(requester_id), membersVersion(),
            joinedGroupsVersion(requester_id)};
  }
};

TEST_P(GroupJoinRequestRepositoryContractTest, InsertThenFindReturnsEveryField) {
  GroupJoinRequestRecord request = makeRequest(7, kGroup, 20);
  request.content = "may I \xE2\x9C\x93";
  insert(request);
  EXPECT_EQ(find(7), request);

  GroupJoinRequestRecord declined = answered(makeRequest(8, kOtherGroup, 30, kT0 - 10),
                                             RequestStatus::kDeclined, kManager, kT0 + 5);
  declined.reason = "full";
  insert(declined);
  EXPECT_EQ(find(8), declined);

  // Recalled by the requester: answered, without a responder.
  const GroupJoinRequestRecord canceled = answered(makeRequest(9, kGroup, 40, kT0 - 20),
                                                   RequestStatus::kCanceled, std::nullopt, kT0 + 6);
  insert(canceled);
  EXPECT_EQ(find(9), canceled);
  EXPECT_EQ(find(404), std::nullopt);

  reopen();
  EXPECT_EQ(find(7), request);
  EXPECT_EQ(find(8), declined);
  EXPECT_EQ(find(9), canceled);
}

TEST_P(GroupJoinRequestRepositoryContractTest, AnIdIsStoredOnce) {
  insert(makeRequest(7, kGroup, 20));
  const VoidResult again = requests().insert(makeRequest(7, kOtherGroup, 30), kT0 + 1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(find(7), makeRequest(7, kGroup, 20));
  // The refused insert moved nothing.
  EXPECT_EQ(groupVersion(kOtherGroup), std::nullopt);
  EXPECT_EQ(sentVersion(30), std::nullopt);
}

TEST_P(GroupJoinRequestRepositoryContractTest, FindersAreNewestFirstAndScoped) {
  insert(makeRequest(1, kGroup, 20, kT0));
  insert(makeRequest(2, kGroup, 21, kT0 + 2));
  insert(makeRequest(3, kGroup, 22, kT0 + 1));
  insert(makeRequest(4, kOtherGroup, 20, kT0 + 3));
  // Same creation date as 3: the higher id first.
  insert(makeRequest(5, kGroup, 20, kT0 + 1));

  EXPECT_EQ(idsOf(requests().findByGroup(kGroup)), (std::vector<int64_t>{2, 5, 3, 1}));
  EXPECT_EQ(idsOf(requests().findByGroup(kOtherGroup)), std::vector<int64_t>{4});
  EXPECT_EQ(idsOf(requests().findByGroup(99)), std::vector<int64_t>{});
  EXPECT_EQ(idsOf(requests().findByRequester(20)), (std::vector<int64_t>{4, 5, 1}));
  EXPECT_EQ(idsOf(requests().findByRequester(21)), std::vector<int64_t>{2});
  EXPECT_EQ(idsOf(requests().findByRequester(kOwner)), std::vector<int64_t>{});

  // Records come whole.
  auto found = requests().findByRequester(20);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ(found->front(), makeRequest(4, kOtherGroup, 20, kT0 + 3));
  EXPECT_EQ(found->back(), makeRequest(1, kGroup, 20, kT0));
}

TEST_P(GroupJoinRequestRepositoryContractTest, OnlyAPendingUnexpiredRequestIsReplied) {
  insert(makeRequest(1, kGroup, 20, kT0));
  GroupJoinRequestReply decline = replyOf(1, RequestStatus::kDeclined, kT0 + 100, kManager);
  decline.reason = "not now";
  EXPECT_TRUE(reply(decline));
  const GroupJoinRequestRecord declined = answered(
      makeRequest(1, kGroup, 20, kT0), RequestStatus::kDeclined, kManager, kT0 + 100, "not now");
  EXPECT_EQ(find(1), declined);
  // Replied once: a second reply (or an accept) changes nothing, the responder included.
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kIgnored, kT0 + 200, kOwner)));
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 200, kOwner)));
  EXPECT_EQ(find(1), declined);
  EXPECT_EQ(member(kGroup, 20), std::nullopt);

  // Expired (created before expired_before): stays as it is.
  insert(makeRequest(2, kGroup, 30, kT0));
  EXPECT_FALSE(reply(replyOf(2, RequestStatus::kCanceled, kT0 + 100, std::nullopt, kT0 + 1)));
  EXPECT_EQ(find(2), makeRequest(2, kGroup, 30, kT0));
  EXPECT_EQ(effectiveStatus(*find(2), kT0 + 1), RequestStatus::kExpired);
  EXPECT_EQ(effectiveStatus(*find(2), kT0), RequestStatus::kPending);
  // Recalled by the requester: no responder, and no reason given, none stored.
  EXPECT_TRUE(reply(replyOf(2, RequestStatus::kCanceled, kT0 + 100, std::nullopt, kT0)));
  EXPECT_EQ(find(2), answered(makeRequest(2, kGroup, 30, kT0), RequestStatus::kCanceled,
                              std::nullopt, kT0 + 100));

  // A reply without a reason keeps the one stored.
  GroupJoinRequestRecord with_reason = makeRequest(3, kGroup, 40, kT0);
  with_reason.reason = "kept";
  insert(with_reason);
  EXPECT_TRUE(reply(replyOf(3, RequestStatus::kIgnored, kT0 + 100, kOwner)));
  EXPECT_EQ(find(3), answered(with_reason, RequestStatus::kIgnored, kOwner, kT0 + 100));

  EXPECT_FALSE(reply(replyOf(404, RequestStatus::kDeclined, kT0)));

  // Accepting goes through acceptIfPending, which adds the member: never a bare ACCEPTED status.
  insert(makeRequest(4, kGroup, 50, kT0));
  for (const RequestStatus refused : {RequestStatus::kAccepted, RequestStatus::kPending}) {
    auto bare = requests().replyIfPending(replyOf(4, refused, kT0 + 100));
    ASSERT_FALSE(bare.ok());
    EXPECT_EQ(bare.status().code, StatusCode::kIllegalArgument);
  }
  EXPECT_EQ(find(4), makeRequest(4, kGroup, 50, kT0));
  EXPECT_EQ(member(kGroup, 50), std::nullopt);
}

TEST_P(GroupJoinRequestRepositoryContractTest, AcceptingMakesTheRequesterAMember) {
  insert(makeRequest(1, kGroup, 20, kT0));
  const int64_t members_before = membersVersion();
  ASSERT_LT(members_before, kT0 + 100);
  GroupJoinRequestReply accept_reply = replyOf(1, RequestStatus::kAccepted, kT0 + 100, kManager);
  accept_reply.reason = "welcome";
  EXPECT_TRUE(accept(accept_reply));

  const GroupJoinRequestRecord accepted = answered(
      makeRequest(1, kGroup, 20, kT0), RequestStatus::kAccepted, kManager, kT0 + 100, "welcome");
  EXPECT_EQ(find(1), accepted);
  expectJoinedAsMember(20, kT0 + 100);
  const auto joined = member(kGroup, 20);
  EXPECT_EQ(versions(20), (Versions{kT0 + 100, kT0 + 100, kT0 + 100, kT0 + 100}));
  // Only kGroup moved, and not the responder's sent version.
  EXPECT_EQ(groupVersion(kOtherGroup), std::nullopt);
  EXPECT_EQ(member(kOtherGroup, 20), std::nullopt);
  EXPECT_EQ(sentVersion(kManager), std::nullopt);
  EXPECT_EQ(member(kGroup, kManager), std::nullopt);

  // Accepted once: nothing more happens.
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 200, kOwner)));
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kCanceled, kT0 + 200, std::nullopt)));
  EXPECT_EQ(find(1), accepted);
  EXPECT_EQ(member(kGroup, 20), joined);
}

// ACCEPT is atomic however the store's steps interleave: of two managers accepting one request at
// once exactly one wins, and the requester is a member afterwards.
TEST_P(GroupJoinRequestRepositoryContractTest, OfTwoAcceptsAtOnceOneWinsAndTheMemberStays) {
  for (int64_t round = 0; round < 20; ++round) {
    const int64_t id = 100 + round;
    const int64_t requester = 100 + round;
    insert(makeRequest(id, kGroup, requester, kT0));
    const int winners = acceptAtOnce({replyOf(id, RequestStatus::kAccepted, kT0 + 100, kOwner),
                                      replyOf(id, RequestStatus::kAccepted, kT0 + 100, kManager)});
    expectOneWinner(winners, round);
    const auto accepted = find(id);
    ASSERT_TRUE(accepted.has_value());
    EXPECT_EQ(accepted->status, RequestStatus::kAccepted) << "round " << round;
    EXPECT_TRUE(member(kGroup, requester).has_value()) << "round " << round;
  }
}

TEST_P(GroupJoinRequestRepositoryContractTest, AcceptingLeavesAnExistingMemberAsTheyWere) {
  const GroupMemberRecord manager = addManager(20);
  insert(makeRequest(1, kGroup, 20, kT0));
  const int64_t members_before = membersVersion();
  const std::optional<int64_t> joined_before = joinedGroupsVersion(20);

  EXPECT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100)));
  EXPECT_EQ(find(1),
            answered(makeRequest(1, kGroup, 20, kT0), RequestStatus::kAccepted, kOwner, kT0 + 100));
  EXPECT_EQ(member(kGroup, 20), manager);
  EXPECT_EQ(membersVersion(), members_before);
  EXPECT_EQ(joinedGroupsVersion(20), joined_before);
  // The request itself was answered.
  EXPECT_EQ(groupVersion(), kT0 + 100);
  EXPECT_EQ(sentVersion(20), kT0 + 100);
}

TEST_P(GroupJoinRequestRepositoryContractTest, ANotPendingOrExpiredRequestIsNotAccepted) {
  const GroupJoinRequestRecord canceled =
      answered(makeRequest(1, kGroup, 20, kT0), RequestStatus::kCanceled, std::nullopt, kT0 + 1);
  insert(canceled);
  insert(makeRequest(2, kGroup, 20, kT0));
  const Versions before = versions(20);

  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100)));
  EXPECT_FALSE(accept(replyOf(2, RequestStatus::kAccepted, kT0 + 100, kOwner, kT0 + 1)));
  EXPECT_FALSE(accept(replyOf(404, RequestStatus::kAccepted, kT0 + 100)));
  EXPECT_EQ(find(1), canceled);
  EXPECT_EQ(find(2), makeRequest(2, kGroup, 20, kT0));
  EXPECT_EQ(member(kGroup, 20), std::nullopt);
  EXPECT_EQ(versions(20), before);
}

TEST_P(GroupJoinRequestRepositoryContractTest, SearchReadsStatusesDatesAndPages) {
  expectSearchReadsStatusesDatesAndPages();
}

TEST_P(GroupJoinRequestRepositoryContractTest, SearchFiltersByRequesterAndResponder) {
  insert(makeRequest(1, kGroup, 20, kT0));
  insert(
      answered(makeRequest(2, kGroup, 21, kT0 + 1), RequestStatus::kDeclined, kManager, kT0 + 5));
  insert(answered(makeRequest(3, kOtherGroup, 21, kT0 + 2), RequestStatus::kDeclined, kOwner,
                  kT0 + 5));
  GroupJoinRequestSearch search;
  search.requester_ids = {21};
  EXPECT_EQ(idsOf(requests().search(search, 0, 10)), (std::vector<int64_t>{3, 2}));
  search.responder_ids = {kManager, 404};
  EXPECT_EQ(idsOf(requests().search(search, 0, 10)), std::vector<int64_t>{2});
  EXPECT_EQ(requests().count(search).value(), 1);
  // A request nobody answered has no responder to match.
  GroupJoinRequestSearch by_responder;
  by_responder.responder_ids = {kOwner, kManager};
  EXPECT_EQ(idsOf(requests().search(by_responder, 0, 10)), (std::vector<int64_t>{3, 2}));
}

TEST_P(GroupJoinRequestRepositoryContractTest, ReplaceRewritesEveryFieldAndMovesVersions) {
  insert(makeRequest(1, kGroup, 20, kT0));
  GroupJoinRequestRecord edited = answered(makeRequest(1, kOtherGroup, 21, kT0 - 100),
                                           RequestStatus::kAccepted, kManager, kT0 + 1, "why");
  edited.content = "edited";
  ASSERT_TRUE(requests().replace(edited, kT0 + 50).value());
  EXPECT_EQ(find(1), edited);
  // The group and requester it had and the ones it has now all see their lists change.
  EXPECT_EQ(groupVersion(kGroup), kT0 + 50);
  EXPECT_EQ(groupVersion(kOtherGroup), kT0 + 50);
  EXPECT_EQ(sentVersion(20), kT0 + 50);
  EXPECT_EQ(sentVersion(21), kT0 + 50);
  EXPECT_EQ(idsOf(requests().findByRequester(21)), std::vector<int64_t>{1});
  EXPECT_EQ(idsOf(requests().findByRequester(20)), std::vector<int64_t>{});
  // An ACCEPTED request written so is a record only: nobody joins.
  EXPECT_EQ(member(kOtherGroup, 21), std::nullopt);

  // The same parties: their versions move once.
  edited.responder_id = std::nullopt;
  ASSERT_TRUE(requests().replace(edited, kT0 + 60).value());
  EXPECT_EQ(find(1), edited);
  EXPECT_EQ(groupVersion(kOtherGroup), kT0 + 60);
  EXPECT_EQ(sentVersion(21), kT0 + 60);
  EXPECT_EQ(groupVersion(kGroup), kT0 + 50);

  // A new requester: the group, in both the old and the new, moves once too.
  edited.requester_id = 22;
  ASSERT_TRUE(requests().replace(edited, kT0 + 70).value());
  EXPECT_EQ(groupVersion(kOtherGroup), kT0 + 70);
  EXPECT_EQ(sentVersion(21), kT0 + 70);
  EXPECT_EQ(sentVersion(22), kT0 + 70);

  EXPECT_FALSE(requests().replace(makeRequest(404, kGroup, 20), kT0 + 80).value());
  EXPECT_EQ(find(404), std::nullopt);
  EXPECT_EQ(groupVersion(kGroup), kT0 + 50);
}

TEST_P(GroupJoinRequestRepositoryContractTest, RemoveDeletesOneAndMovesItsVersions) {
  insert(makeRequest(1, kGroup, 20, kT0));
  insert(makeRequest(2, kGroup, 20, kT0));
  ASSERT_TRUE(requests().remove(1, kT0 + 50).value());
  EXPECT_EQ(find(1), std::nullopt);
  EXPECT_TRUE(find(2).has_value());
  EXPECT_EQ(idsOf(requests().findByRequester(20)), std::vector<int64_t>{2});
  EXPECT_EQ(groupVersion(), kT0 + 50);
  EXPECT_EQ(sentVersion(20), kT0 + 50);
  // Nothing to remove: nothing moves.
  EXPECT_FALSE(requests().remove(1, kT0 + 60).value());
  EXPECT_EQ(groupVersion(), kT0 + 50);
  EXPECT_EQ(sentVersion(20), kT0 + 50);
}

TEST_P(GroupJoinRequestRepositoryContractTest, RemovesRequestsCreatedBeforeAMoment) {
  insert(makeRequest(1, kGroup, 20, kT0));
  insert(makeRequest(2, kGroup, 30, kT0 + 10));
  insert(answered(makeRequest(3, kOtherGroup, 40, kT0 + 5), RequestStatus::kAccepted, kOwner,
                  kT0 + 6));
  const std::optional<int64_t> group_version = groupVersion();
  auto removed = requests().removeCreatedBefore(kT0 + 10);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 2);
  EXPECT_EQ(find(1), std::nullopt);
  EXPECT_EQ(find(3), std::nullopt);
  EXPECT_TRUE(find(2).has_value());
  EXPECT_EQ(idsOf(requests().findByGroup(kGroup)), std::vector<int64_t>{2});
  EXPECT_EQ(idsOf(requests().findByRequester(40)), std::vector<int64_t>{});
  // The cleanup moves no version (what goes is long expired).
  EXPECT_EQ(groupVersion(), group_version);
  removed = requests().removeCreatedBefore(kT0 + 10);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 0);
}

TEST_P(GroupJoinRequestRepositoryContractTest, EveryChangeMovesTheVersionsForwardOnly) {
  EXPECT_EQ(groupVersion(), std::nullopt);
  EXPECT_EQ(sentVersion(20), std::nullopt);
  insert(makeRequest(1, kGroup, 20, kT0));
  EXPECT_EQ(groupVersion(), kT0);
  EXPECT_EQ(sentVersion(20), kT0);
  // The requester's side only.
  EXPECT_EQ(sentVersion(kOwner), std::nullopt);
  EXPECT_EQ(groupVersion(kOtherGroup), std::nullopt);

  // Same millisecond: still forward, so a client holding kT0 refetches.
  insert(makeRequest(2, kGroup, 30, kT0));
  EXPECT_EQ(groupVersion(), kT0 + 1);
  EXPECT_EQ(sentVersion(30), kT0);
  insert(makeRequest(3, kOtherGroup, 20, kT0));
  EXPECT_EQ(sentVersion(20), kT0 + 1);
  EXPECT_EQ(groupVersion(kOtherGroup), kT0);

  // A clock that went back: every change still moves each version past its stored value.
  ASSERT_TRUE(reply(replyOf(2, RequestStatus::kDeclined, kT0 - 1000)));
  EXPECT_EQ(groupVersion(), kT0 + 2);
  EXPECT_EQ(sentVersion(30), kT0 + 1);
  const Versions before_accept = versions(20);
  ASSERT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 - 2000)));
  const Versions after_accept = versions(20);
  EXPECT_EQ(after_accept.group, *before_accept.group + 1);
  EXPECT_EQ(after_accept.sent, *before_accept.sent + 1);
  EXPECT_EQ(after_accept.members, before_accept.members + 1);
  EXPECT_EQ(after_accept.joined_groups, kT0 - 2000);  // the requester's first join
  ASSERT_TRUE(requests().remove(2, kT0 - 3000).value());
  EXPECT_EQ(groupVersion(), *after_accept.group + 1);
  EXPECT_EQ(sentVersion(30), kT0 + 2);

  // A change that changes nothing moves nothing.
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kIgnored, kT0 + 5000)));
  EXPECT_FALSE(requests().remove(404, kT0 + 5000).value());
  EXPECT_EQ(groupVersion(), *after_accept.group + 1);
  EXPECT_EQ(sentVersion(20), *after_accept.sent);

  // And a later clock moves them to it.
  insert(makeRequest(4, kGroup, 20, kT0 + 9000));
  EXPECT_EQ(groupVersion(), kT0 + 9000);
  EXPECT_EQ(sentVersion(20), kT0 + 9000);
}

// The versions share their records with other kinds (a group's blocklist and invitations
// versions, a user's friend request, group invitation and joined-groups versions): each kind still
// moves alone.
TEST_P(GroupJoinRequestRepositoryContractTest, VersionsOfOtherKindsOfDataStayApart) {
  FriendRequestRecord request;
  request.id = 100;
  request.requester_id = 20;
  request.recipient_id = kOwner;
  request.creation_date = kT0 + 10;
  ASSERT_TRUE(store_->friendRequests().insert(request, kT0 + 10).ok());
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, 99, kT0 + 20, kOwner}, kT0 + 20).ok());
  GroupInvitationRecord invitation;
  invitation.id = 200;
  invitation.group_id = kGroup;
  invitation.inviter_id = 20;
  invitation.invitee_id = 30;
  invitation.creation_date = kT0 + 25;
  ASSERT_TRUE(store_->groupInvitations().insert(invitation, kT0 + 25).ok());
  EXPECT_EQ(groupVersion(), std::nullopt);
  EXPECT_EQ(sentVersion(20), std::nullopt);

  insert(makeRequest(1, kGroup, 20, kT0 + 30));
  EXPECT_EQ(groupVersion(), kT0 + 30);
  EXPECT_EQ(sentVersion(20), kT0 + 30);
  EXPECT_EQ(valueOf(store_->groupBlocklist().findVersion(kGroup)), kT0 + 20);
  EXPECT_EQ(valueOf(store_->groupInvitations().findGroupVersion(kGroup)), kT0 + 25);
  EXPECT_EQ(valueOf(store_->groupInvitations().findSentVersion(20)), kT0 + 25);
  EXPECT_EQ(valueOf(store_->friendRequests().findSentVersion(20)), kT0 + 10);
  EXPECT_EQ(joinedGroupsVersion(20), std::nullopt);
  EXPECT_EQ(membersVersion(), kT0 + 1);
}

}  // namespace parley::contract
