#pragma once
// The behaviour every GroupInvitationRepository must have, as one value-parameterized GoogleTest
// suite over a whole store (accepting adds a member and moves the group's and users' versions).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/friend_request_repository.h"
#include "store/group_blocklist_repository.h"
#include "store/group_invitation_repository.h"
#include "store/group_repository.h"
#include "store/group_request_contract_test.h"
#include "store/store.h"

namespace parley::contract {

class GroupInvitationRepositoryContractTest
    : public GroupRequestContractTest<GroupInvitationRepository, GroupInvitationRecord,
                                      GroupInvitationReply, GroupInvitationSearch> {
 protected:
  GroupInvitationRepository& requests() override { return store_->groupInvitations(); }
  GroupInvitationRecord makePending(int64_t id, int64_t group_id, int64_t user_id,
                                    int64_t creation_date) override {
    return makeInvitation(id, group_id, kOwner, user_id, creation_date);
  }
  GroupInvitationRepository& invitations() { return requests(); }

  static GroupInvitationRecord makeInvitation(int64_t id, int64_t group_id, int64_t inviter_id,
                                              int64_t invitee_id, int64_t creation_date = kT0) {
    GroupInvitationRecord invitation;
    invitation.id = id;
    invitation.group_id = group_id;
    invitation.inviter_id = inviter_id;
    invitation.invitee_id = invitee_id;
    invitation.content = "join us, " + std::to_string(invitee_id);
    invitation.creation_date = creation_date;
    return invitation;
  }

  static GroupInvitationReply replyOf(int64_t id, RequestStatus status, int64_t now,
                                      int64_t expired_before = 0) {
    return GroupInvitationReply{.invitation_id = id,
                                .status = status,
                                .reason = std::nullopt,
                                .now_millis = now,
                                .expired_before = expired_before};
  }

  std::optional<int64_t> receivedVersion(int64_t user_id) {
    return valueOf(invitations().findReceivedVersion(user_id));
  }
  // The five versions an accept of an invitation of kGroup from inviter to invitee moves.
  struct Versions {
    std::optional<int64_t> group;
    std::optional<int64_t> sent;
    std::optional<int64_t> received;
    int64_t members = 0;
    std::optional<int64_t> joined_groups;

    bool operator==(const Versions&) const = default;
  };
  Versions versions(int64_t inviter_id, int64_t invitee_id) {
    return {groupVersion(), sentVersion(inviter_id), receivedVersion(invitee_id), membersVersion(),
            joinedGroupsVersion(invitee_id)};
  }
};

TEST_P(GroupInvitationRepositoryContractTest, InsertThenFindReturnsEveryField) {
  GroupInvitationRecord invitation = makeInvitation(7, kGroup, kOwner, 2);
  invitation.content = "come in \xE2\x9C\x93";
  insert(invitation);
  EXPECT_EQ(find(7), invitation);

  GroupInvitationRecord answered = makeInvitation(8, kOtherGroup, 3, 4, kT0 - 10);
  answered.status = RequestStatus::kDeclined;
  answered.reason = "busy";
  answered.response_date = kT0 + 5;
  insert(answered);
  EXPECT_EQ(find(8), answered);
  EXPECT_EQ(find(404), std::nullopt);

  reopen();
  EXPECT_EQ(find(7), invitation);
  EXPECT_EQ(find(8), answered);
}

TEST_P(GroupInvitationRepositoryContractTest, AnIdIsStoredOnce) {
  insert(makeInvitation(7, kGroup, kOwner, 2));
  const VoidResult again = invitations().insert(makeInvitation(7, kOtherGroup, 3, 4), kT0 + 1);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(find(7), makeInvitation(7, kGroup, kOwner, 2));
}

TEST_P(GroupInvitationRepositoryContractTest, FindersAreNewestFirstAndScoped) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  insert(makeInvitation(2, kGroup, 11, 21, kT0 + 2));
  insert(makeInvitation(3, kGroup, kOwner, 21, kT0 + 1));
  insert(makeInvitation(4, kOtherGroup, kOwner, 20, kT0 + 3));
  // Same creation date as 3: the higher id first.
  insert(makeInvitation(5, kGroup, 11, 20, kT0 + 1));

  EXPECT_EQ(idsOf(invitations().findByGroup(kGroup)), (std::vector<int64_t>{2, 5, 3, 1}));
  EXPECT_EQ(idsOf(invitations().findByGroup(kOtherGroup)), std::vector<int64_t>{4});
  EXPECT_EQ(idsOf(invitations().findByGroup(99)), std::vector<int64_t>{});
  EXPECT_EQ(idsOf(invitations().findByInviter(kOwner)), (std::vector<int64_t>{4, 3, 1}));
  EXPECT_EQ(idsOf(invitations().findByInviter(11)), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(idsOf(invitations().findByInviter(20)), std::vector<int64_t>{});
  EXPECT_EQ(idsOf(invitations().findByInvitee(20)), (std::vector<int64_t>{4, 5, 1}));
  EXPECT_EQ(idsOf(invitations().findByInvitee(21)), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(idsOf(invitations().findByInvitee(kOwner)), std::vector<int64_t>{});

  // Records come whole.
  auto found = invitations().findByInvitee(21);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ(found->back(), makeInvitation(3, kGroup, kOwner, 21, kT0 + 1));
}

TEST_P(GroupInvitationRepositoryContractTest, FindPendingHonoursExpiryAndStatus) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));      // expired at kT0 + 5
  insert(makeInvitation(2, kGroup, 11, 20, kT0 + 10));     // from another inviter
  insert(makeInvitation(3, kGroup, kOwner, 20, kT0 + 5));  // exactly at the bound: not expired
  GroupInvitationRecord declined = makeInvitation(4, kGroup, kOwner, 20, kT0 + 20);
  declined.status = RequestStatus::kDeclined;
  declined.response_date = kT0 + 21;
  insert(declined);
  insert(makeInvitation(5, kOtherGroup, kOwner, 20, kT0 + 30));  // another group
  insert(makeInvitation(6, kGroup, kOwner, 21, kT0 + 30));       // another invitee

  EXPECT_EQ(idsOf(invitations().findPending(kGroup, 20, kT0 + 5)), (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(idsOf(invitations().findPending(kGroup, 20, 0)), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_EQ(idsOf(invitations().findPending(kGroup, 20, kT0 + 11)), std::vector<int64_t>{});
  EXPECT_EQ(idsOf(invitations().findPending(kOtherGroup, 20, 0)), std::vector<int64_t>{5});
  EXPECT_EQ(idsOf(invitations().findPending(kOtherGroup, 21, 0)), std::vector<int64_t>{});
}

TEST_P(GroupInvitationRepositoryContractTest, OnlyAPendingUnexpiredInvitationIsReplied) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  GroupInvitationReply decline = replyOf(1, RequestStatus::kDeclined, kT0 + 100);
  decline.reason = "not now";
  EXPECT_TRUE(reply(decline));
  const auto declined = find(1);
  ASSERT_TRUE(declined.has_value());
  EXPECT_EQ(declined->status, RequestStatus::kDeclined);
  EXPECT_EQ(declined->reason, "not now");
  EXPECT_EQ(declined->response_date, kT0 + 100);
  // Replied once: a second reply (or an accept) changes nothing.
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kIgnored, kT0 + 200)));
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 200)));
  EXPECT_EQ(find(1), declined);
  EXPECT_EQ(member(kGroup, 20), std::nullopt);

  // Expired (created before expired_before): stays as it is.
  insert(makeInvitation(2, kGroup, kOwner, 30, kT0));
  EXPECT_FALSE(reply(replyOf(2, RequestStatus::kCanceled, kT0 + 100, kT0 + 1)));
  EXPECT_EQ(find(2)->status, RequestStatus::kPending);
  EXPECT_EQ(effectiveStatus(*find(2), kT0 + 1), RequestStatus::kExpired);
  EXPECT_EQ(effectiveStatus(*find(2), kT0), RequestStatus::kPending);
  EXPECT_TRUE(reply(replyOf(2, RequestStatus::kCanceled, kT0 + 100, kT0)));
  EXPECT_EQ(find(2)->status, RequestStatus::kCanceled);
  EXPECT_EQ(find(2)->reason, std::nullopt);  // no reason given, none stored

  // A reply without a reason keeps the one stored.
  GroupInvitationRecord with_reason = makeInvitation(3, kGroup, kOwner, 40, kT0);
  with_reason.reason = "kept";
  insert(with_reason);
  EXPECT_TRUE(reply(replyOf(3, RequestStatus::kIgnored, kT0 + 100)));
  EXPECT_EQ(find(3)->status, RequestStatus::kIgnored);
  EXPECT_EQ(find(3)->reason, "kept");

  EXPECT_FALSE(reply(replyOf(404, RequestStatus::kDeclined, kT0)));

  // Accepting goes through acceptIfPending, which adds the member: never a bare ACCEPTED status.
  insert(makeInvitation(4, kGroup, kOwner, 50, kT0));
  for (const RequestStatus refused : {RequestStatus::kAccepted, RequestStatus::kPending}) {
    auto bare = invitations().replyIfPending(replyOf(4, refused, kT0 + 100));
    ASSERT_FALSE(bare.ok());
    EXPECT_EQ(bare.status().code, StatusCode::kIllegalArgument);
  }
  EXPECT_EQ(find(4), makeInvitation(4, kGroup, kOwner, 50, kT0));
  EXPECT_EQ(member(kGroup, 50), std::nullopt);
}

TEST_P(GroupInvitationRepositoryContractTest, AcceptingMakesTheInviteeAMember) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  const int64_t members_before = membersVersion();
  ASSERT_LT(members_before, kT0 + 100);
  GroupInvitationReply accept_reply = replyOf(1, RequestStatus::kAccepted, kT0 + 100);
  accept_reply.reason = "gladly";
  EXPECT_TRUE(accept(accept_reply));

  GroupInvitationRecord accepted = makeInvitation(1, kGroup, kOwner, 20, kT0);
  accepted.status = RequestStatus::kAccepted;
  accepted.reason = "gladly";
  accepted.response_date = kT0 + 100;
  EXPECT_EQ(find(1), accepted);
  expectJoinedAsMember(20, kT0 + 100);
  const auto joined = member(kGroup, 20);
  EXPECT_EQ(versions(kOwner, 20),
            (Versions{kT0 + 100, kT0 + 100, kT0 + 100, kT0 + 100, kT0 + 100}));
  // Only kGroup moved.
  EXPECT_EQ(groupVersion(kOtherGroup), std::nullopt);
  EXPECT_EQ(member(kOtherGroup, 20), std::nullopt);

  // Accepted once: nothing more happens.
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 200)));
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kCanceled, kT0 + 200)));
  EXPECT_EQ(find(1), accepted);
  EXPECT_EQ(member(kGroup, 20), joined);
}

// ACCEPT is atomic however the store's steps interleave: of two accepts of one invitation at once
// (the invitee's two devices) exactly one wins, and the invitee is a member afterwards.
TEST_P(GroupInvitationRepositoryContractTest, OfTwoAcceptsAtOnceOneWinsAndTheMemberStays) {
  for (int64_t round = 0; round < 20; ++round) {
    const int64_t id = 100 + round;
    const int64_t invitee = 100 + round;
    insert(makeInvitation(id, kGroup, kOwner, invitee));
    const int winners = acceptAtOnce({replyOf(id, RequestStatus::kAccepted, kT0 + 100),
                                      replyOf(id, RequestStatus::kAccepted, kT0 + 100)});
    expectOneWinner(winners, round);
    const auto accepted = find(id);
    ASSERT_TRUE(accepted.has_value());
    EXPECT_EQ(accepted->status, RequestStatus::kAccepted) << "round " << round;
    EXPECT_TRUE(member(kGroup, invitee).has_value()) << "round " << round;
  }
}

TEST_P(GroupInvitationRepositoryContractTest, AcceptingLeavesAnExistingMemberAsTheyWere) {
  const GroupMemberRecord manager = addManager(20);
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  const int64_t members_before = membersVersion();
  const std::optional<int64_t> joined_before = joinedGroupsVersion(20);

  EXPECT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100)));
  EXPECT_EQ(find(1)->status, RequestStatus::kAccepted);
  EXPECT_EQ(member(kGroup, 20), manager);
  EXPECT_EQ(membersVersion(), members_before);
  EXPECT_EQ(joinedGroupsVersion(20), joined_before);
  // The invitation itself was answered.
  EXPECT_EQ(groupVersion(), kT0 + 100);
  EXPECT_EQ(receivedVersion(20), kT0 + 100);
}

TEST_P(GroupInvitationRepositoryContractTest, ANotPendingOrExpiredInvitationIsNotAccepted) {
  GroupInvitationRecord canceled = makeInvitation(1, kGroup, kOwner, 20, kT0);
  canceled.status = RequestStatus::kCanceled;
  canceled.response_date = kT0 + 1;
  insert(canceled);
  insert(makeInvitation(2, kGroup, kOwner, 20, kT0));
  const Versions before = versions(kOwner, 20);

  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100)));
  EXPECT_FALSE(accept(replyOf(2, RequestStatus::kAccepted, kT0 + 100, kT0 + 1)));  // expired
  EXPECT_FALSE(accept(replyOf(404, RequestStatus::kAccepted, kT0 + 100)));
  EXPECT_EQ(find(1), canceled);
  EXPECT_EQ(find(2), makeInvitation(2, kGroup, kOwner, 20, kT0));
  EXPECT_EQ(member(kGroup, 20), std::nullopt);
  EXPECT_EQ(versions(kOwner, 20), before);
}

TEST_P(GroupInvitationRepositoryContractTest, SearchReadsStatusesDatesAndPages) {
  expectSearchReadsStatusesDatesAndPages();
}

TEST_P(GroupInvitationRepositoryContractTest, SearchFiltersByInviterAndInvitee) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  insert(makeInvitation(2, kGroup, 11, 20, kT0 + 1));
  insert(makeInvitation(3, kOtherGroup, 11, 21, kT0 + 2));
  GroupInvitationSearch search;
  search.inviter_ids = {11};
  EXPECT_EQ(idsOf(invitations().search(search, 0, 10)), (std::vector<int64_t>{3, 2}));
  search.invitee_ids = {20, 404};
  EXPECT_EQ(idsOf(invitations().search(search, 0, 10)), std::vector<int64_t>{2});
  EXPECT_EQ(invitations().count(search).value(), 1);
  search.group_ids = {kOtherGroup};
  EXPECT_EQ(idsOf(invitations().search(search, 0, 10)), std::vector<int64_t>{});
  EXPECT_EQ(invitations().count(search).value(), 0);
}

TEST_P(GroupInvitationRepositoryContractTest, ReplaceRewritesEveryFieldAndMovesVersions) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  GroupInvitationRecord edited = makeInvitation(1, kOtherGroup, 11, 21, kT0 - 100);
  edited.content = "edited";
  edited.status = RequestStatus::kAccepted;
  edited.reason = "why";
  edited.response_date = kT0 + 1;
  ASSERT_TRUE(invitations().replace(edited, kT0 + 50).value());
  EXPECT_EQ(find(1), edited);
  // The group and users it had and the ones it has now all see their lists change.
  EXPECT_EQ(groupVersion(kGroup), kT0 + 50);
  EXPECT_EQ(groupVersion(kOtherGroup), kT0 + 50);
  EXPECT_EQ(sentVersion(kOwner), kT0 + 50);
  EXPECT_EQ(receivedVersion(20), kT0 + 50);
  EXPECT_EQ(sentVersion(11), kT0 + 50);
  EXPECT_EQ(receivedVersion(21), kT0 + 50);
  EXPECT_EQ(idsOf(invitations().findByInvitee(21)), std::vector<int64_t>{1});
  EXPECT_EQ(idsOf(invitations().findByInvitee(20)), std::vector<int64_t>{});
  // An ACCEPTED invitation written so is a record only: nobody joins.
  EXPECT_EQ(member(kOtherGroup, 21), std::nullopt);

  // The same parties: their versions move once.
  edited.content = "again";
  ASSERT_TRUE(invitations().replace(edited, kT0 + 60).value());
  EXPECT_EQ(find(1), edited);
  EXPECT_EQ(groupVersion(kOtherGroup), kT0 + 60);
  EXPECT_EQ(receivedVersion(21), kT0 + 60);
  EXPECT_EQ(groupVersion(kGroup), kT0 + 50);

  // A new invitee: the group and inviter, in both the old and the new, move once too.
  edited.invitee_id = 22;
  ASSERT_TRUE(invitations().replace(edited, kT0 + 70).value());
  EXPECT_EQ(groupVersion(kOtherGroup), kT0 + 70);
  EXPECT_EQ(sentVersion(11), kT0 + 70);
  EXPECT_EQ(receivedVersion(21), kT0 + 70);
  EXPECT_EQ(receivedVersion(22), kT0 + 70);

  EXPECT_FALSE(invitations().replace(makeInvitation(404, kGroup, kOwner, 20), kT0 + 80).value());
  EXPECT_EQ(find(404), std::nullopt);
  EXPECT_EQ(groupVersion(kGroup), kT0 + 50);
}

TEST_P(GroupInvitationRepositoryContractTest, RemoveDeletesOneAndMovesItsVersions) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  insert(makeInvitation(2, kGroup, kOwner, 20, kT0));
  ASSERT_TRUE(invitations().remove(1, kT0 + 50).value());
  EXPECT_EQ(find(1), std::nullopt);
  EXPECT_TRUE(find(2).has_value());
  EXPECT_EQ(groupVersion(), kT0 + 50);
  EXPECT_EQ(sentVersion(kOwner), kT0 + 50);
  EXPECT_EQ(receivedVersion(20), kT0 + 50);
  // Nothing to remove: nothing moves.
  EXPECT_FALSE(invitations().remove(1, kT0 + 60).value());
  EXPECT_EQ(groupVersion(), kT0 + 50);
  EXPECT_EQ(sentVersion(kOwner), kT0 + 50);
}

TEST_P(GroupInvitationRepositoryContractTest, RemovesInvitationsCreatedBeforeAMoment) {
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  insert(makeInvitation(2, kGroup, kOwner, 30, kT0 + 10));
  GroupInvitationRecord accepted = makeInvitation(3, kOtherGroup, kOwner, 40, kT0 + 5);
  accepted.status = RequestStatus::kAccepted;
  insert(accepted);
  auto removed = invitations().removeCreatedBefore(kT0 + 10);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 2);
  EXPECT_EQ(find(1), std::nullopt);
  EXPECT_EQ(find(3), std::nullopt);
  EXPECT_TRUE(find(2).has_value());
  EXPECT_EQ(idsOf(invitations().findByGroup(kGroup)), std::vector<int64_t>{2});
  removed = invitations().removeCreatedBefore(kT0 + 10);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 0);
}

TEST_P(GroupInvitationRepositoryContractTest, EveryChangeMovesTheVersionsForwardOnly) {
  EXPECT_EQ(groupVersion(), std::nullopt);
  EXPECT_EQ(sentVersion(kOwner), std::nullopt);
  EXPECT_EQ(receivedVersion(20), std::nullopt);
  insert(makeInvitation(1, kGroup, kOwner, 20, kT0));
  EXPECT_EQ(groupVersion(), kT0);
  EXPECT_EQ(sentVersion(kOwner), kT0);
  EXPECT_EQ(receivedVersion(20), kT0);
  // Each user's side only.
  EXPECT_EQ(receivedVersion(kOwner), std::nullopt);
  EXPECT_EQ(sentVersion(20), std::nullopt);
  EXPECT_EQ(groupVersion(kOtherGroup), std::nullopt);

  // Same millisecond: still forward, so a client holding kT0 refetches.
  insert(makeInvitation(2, kGroup, kOwner, 30, kT0));
  EXPECT_EQ(groupVersion(), kT0 + 1);
  EXPECT_EQ(sentVersion(kOwner), kT0 + 1);
  EXPECT_EQ(receivedVersion(30), kT0);

  // A clock that went back: every change still moves each version past its stored value.
  ASSERT_TRUE(reply(replyOf(2, RequestStatus::kDeclined, kT0 - 1000)));
  EXPECT_EQ(groupVersion(), kT0 + 2);
  EXPECT_EQ(sentVersion(kOwner), kT0 + 2);
  EXPECT_EQ(receivedVersion(30), kT0 + 1);
  const Versions before_accept = versions(kOwner, 20);
  ASSERT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 - 2000)));
  const Versions after_accept = versions(kOwner, 20);
  EXPECT_EQ(after_accept.group, *before_accept.group + 1);
  EXPECT_EQ(after_accept.sent, *before_accept.sent + 1);
  EXPECT_EQ(after_accept.received, *before_accept.received + 1);
  EXPECT_EQ(after_accept.members, before_accept.members + 1);
  EXPECT_EQ(after_accept.joined_groups, kT0 - 2000);  // the invitee's first join
  ASSERT_TRUE(invitations().remove(2, kT0 - 3000).value());
  EXPECT_EQ(groupVersion(), *after_accept.group + 1);
  EXPECT_EQ(sentVersion(kOwner), *after_accept.sent + 1);
  EXPECT_EQ(receivedVersion(30), kT0 + 2);

  // A change that changes nothing moves nothing.
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kIgnored, kT0 + 5000)));
  EXPECT_FALSE(invitations().remove(404, kT0 + 5000).value());
  EXPECT_EQ(groupVersion(), *after_accept.group + 1);

  // And a later clock moves them to it.
  insert(makeInvitation(3, kGroup, kOwner, 20, kT0 + 9000));
  EXPECT_EQ(groupVersion(), kT0 + 9000);
  EXPECT_EQ(sentVersion(kOwner), kT0 + 9000);
  EXPECT_EQ(receivedVersion(20), kT0 + 9000);
}

// The versions share their records with other kinds (a group's blocklist version, a user's
// friend request and joined-groups versions): each kind still moves alone.
TEST_P(GroupInvitationRepositoryContractTest, VersionsOfOtherKindsOfDataStayApart) {
  FriendRequestRecord request;
  request.id = 100;
  request.requester_id = kOwner;
  request.recipient_id = 20;
  request.creation_date = kT0 + 10;
  ASSERT_TRUE(store_->friendRequests().insert(request, kT0 + 10).ok());
  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, 99, kT0 + 20, kOwner}, kT0 + 20).ok());
  EXPECT_EQ(groupVersion(), std::nullopt);
  EXPECT_EQ(sentVersion(kOwner), std::nullopt);
  EXPECT_EQ(receivedVersion(20), std::nullopt);

  insert(makeInvitation(1, kGroup, kOwner, 20, kT0 + 30));
  EXPECT_EQ(groupVersion(), kT0 + 30);
  EXPECT_EQ(sentVersion(kOwner), kT0 + 30);
  EXPECT_EQ(receivedVersion(20), kT0 + 30);
  EXPECT_EQ(valueOf(store_->groupBlocklist().findVersion(kGroup)), kT0 + 20);
  EXPECT_EQ(valueOf(store_->friendRequests().findSentVersion(kOwner)), kT0 + 10);
  EXPECT_EQ(valueOf(store_->friendRequests().findReceivedVersion(20)), kT0 + 10);
  EXPECT_EQ(joinedGroupsVersion(20), std::nullopt);
  EXPECT_EQ(membersVersion(), kT0 + 1);
}

}  // namespace parley::contract
