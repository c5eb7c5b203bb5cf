#pragma once
// The behaviour every FriendRequestRepository must have, as one value-parameterized GoogleTest
// suite (see store/store_test_env.h for how an implementation instantiates it).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/friend_request_repository.h"
#include "store/group_repository.h"
#include "store/relationship_repository.h"
#include "store/request_search_contract_test.h"
#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class FriendRequestRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kT0 = 1'700'000'000'000;

  FriendRequestRepository& requests() { return store_->friendRequests(); }

  static FriendRequestRecord makeRequest(int64_t id, int64_t requester_id, int64_t recipient_id,
                                         int64_t creation_date = kT0) {
    FriendRequestRecord request;
    request.id = id;
    request.requester_id = requester_id;
    request.recipient_id = recipient_id;
    request.content = "hi from " + std::to_string(requester_id);
    request.creation_date = creation_date;
    return request;
  }

  void insert(const FriendRequestRecord& request) {
    const VoidResult inserted = requests().insert(request, request.creation_date);
    ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  }

  std::optional<FriendRequestRecord> find(int64_t id) {
    auto found = requests().findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  static std::vector<int64_t> idsOf(const Result<std::vector<FriendRequestRecord>>& found) {
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (!found.ok()) return ids;
    for (const FriendRequestRecord& request : found.value()) ids.push_back(request.id);
    return ids;
  }

  static FriendRequestReply replyOf(int64_t id, RequestStatus status, int64_t now,
                                    int64_t expired_before = 0) {
    return FriendRequestReply{.request_id = id,
                              .status = status,
                              .reason = std::nullopt,
                              .now_millis = now,
                              .expired_before = expired_before};
  }

  bool reply(const FriendRequestReply& reply) {
    auto replied = requests().replyIfPending(reply);
    EXPECT_TRUE(replied.ok()) << replied.status().reason;
    return replied.ok() && replied.value();
  }

  bool accept(const FriendRequestReply& reply) {
    auto accepted = requests().acceptIfPending(reply);
    EXPECT_TRUE(accepted.ok()) << accepted.status().reason;
    return accepted.ok() && accepted.value();
  }

  std::optional<int64_t> sentVersion(int64_t user_id) {
    auto version = requests().findSentVersion(user_id);
    EXPECT_TRUE(version.ok()) << version.status().reason;
    return version.ok() ? version.value() : std::nullopt;
  }

  std::optional<int64_t> receivedVersion(int64_t user_id) {
    auto version = requests().findReceivedVersion(user_id);
    EXPECT_TRUE(version.ok()) << version.status().reason;
    return version.ok() ? version.value() : std::nullopt;
  }

  std::optional<RelationshipRecord> relationship(int64_t owner_id, int64_t related_user_id) {
    auto found = store_->relationships().find(owner_id, related_user_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }
};

TEST_P(FriendRequestRepositoryContractTest, InsertThenFindReturnsEveryField) {
  FriendRequestRecord request = makeRequest(7, 1, 2);
  request.content = "let us talk \xE2\x9C\x93";
  insert(request);
  EXPECT_EQ(find(7), request);

  FriendRequestRecord answered = makeRequest(8, 1, 3);
  answered.status = RequestStatus::kDeclined;
  answered.reason = "no";
  answered.response_date = kT0 + 5;
  insert(answered);
  EXPECT_EQ(find(8), answered);
  EXPECT_EQ(find(404), std::nullopt);

  reopen();
  EXPECT_EQ(find(7), request);
}

TEST_P(FriendRequestRepositoryContractTest, AnIdIsStoredOnce) {
  insert(makeRequest(7, 1, 2));
  const VoidResult again = requests().insert(makeRequest(7, 3, 4), kT0);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(find(7)->requester_id, 1);
}

TEST_P(FriendRequestRepositoryContractTest, FindsByPairRequesterAndRecipient) {
  insert(makeRequest(1, 10, 20, kT0));
  insert(makeRequest(2, 10, 20, kT0 + 1));
  insert(makeRequest(3, 10, 30, kT0 + 2));
  insert(makeRequest(4, 30, 10, kT0 + 3));
  EXPECT_EQ(idsOf(requests().findBetween(10, 20)), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(idsOf(requests().findBetween(20, 10)), std::vector<int64_t>{});
  EXPECT_EQ(idsOf(requests().findByRequester(10)), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(idsOf(requests().findByRecipient(10)), std::vector<int64_t>{4});
  EXPECT_EQ(idsOf(requests().findByRecipient(20)), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(idsOf(requests().findByRequester(99)), std::vector<int64_t>{});
}

TEST_P(FriendRequestRepositoryContractTest, OnlyAPendingUnexpiredRequestIsReplied) {
  insert(makeRequest(1, 10, 20, kT0));
  FriendRequestReply decline = replyOf(1, RequestStatus::kDeclined, kT0 + 100);
  decline.reason = "not now";
  EXPECT_TRUE(reply(decline));
  const auto declined = find(1);
  EXPECT_EQ(declined->status, RequestStatus::kDeclined);
  EXPECT_EQ(declined->reason, "not now");
  EXPECT_EQ(declined->response_date, kT0 + 100);
  // Replied once: a second reply (or an accept) changes nothing.
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kIgnored, kT0 + 200)));
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 200)));
  EXPECT_EQ(find(1), declined);
  EXPECT_FALSE(relationship(10, 20).has_value());

  // Expired (created before expired_before): stays as it is.
  insert(makeRequest(2, 10, 30, kT0));
  EXPECT_FALSE(reply(replyOf(2, RequestStatus::kCanceled, kT0 + 100, kT0 + 1)));
  EXPECT_EQ(find(2)->status, RequestStatus::kPending);
  EXPECT_EQ(effectiveStatus(*find(2), kT0 + 1), RequestStatus::kExpired);
  EXPECT_EQ(effectiveStatus(*find(2), kT0), RequestStatus::kPending);
  EXPECT_TRUE(reply(replyOf(2, RequestStatus::kCanceled, kT0 + 100, kT0)));
  EXPECT_EQ(find(2)->reason, std::nullopt);  // no reason given, none stored

  EXPECT_FALSE(reply(replyOf(404, RequestStatus::kDeclined, kT0)));

  // Accepting goes through acceptIfPending, which befriends: never a bare ACCEPTED status.
  insert(makeRequest(3, 10, 40, kT0));
  auto bare = requests().replyIfPending(replyOf(3, RequestStatus::kAccepted, kT0 + 100));
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.status().code, StatusCode::kIllegalArgument);
  EXPECT_EQ(find(3)->status, RequestStatus::kPending);
}

TEST_P(FriendRequestRepositoryContractTest, AcceptingMakesBothUsersFriends) {
  insert(makeRequest(1, 10, 20, kT0));
  EXPECT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100)));
  EXPECT_EQ(find(1)->status, RequestStatus::kAccepted);
  EXPECT_EQ(find(1)->response_date, kT0 + 100);
  for (const auto& [owner, related] : {std::pair{10, 20}, std::pair{20, 10}}) {
    const auto side = relationship(owner, related);
    ASSERT_TRUE(side.has_value()) << owner << " -> " << related;
    EXPECT_EQ(side->block_date, std::nullopt);
    EXPECT_EQ(side->group_indexes, std::vector<int32_t>{kDefaultRelationshipGroupIndex});
    EXPECT_EQ(side->establishment_date, kT0 + 100);
    // Each side's relationship queries see the change.
    auto version = store_->relationships().findVersion(owner);
    ASSERT_TRUE(version.ok());
    EXPECT_GE(version.value().value_or(0), kT0 + 100);
  }
}

TEST_P(FriendRequestRepositoryContractTest, AcceptingUnblocksAndKeepsAnExistingRelationship) {
  RelationshipRecord blocked;
  blocked.owner_id = 20;
  blocked.related_user_id = 10;
  blocked.block_date = kT0 - 50;
  blocked.group_indexes = {3};
  blocked.establishment_date = kT0 - 100;
  blocked.name = "old friend";
  ASSERT_TRUE(store_->relationships().insert(blocked, kT0 - 100).ok());
  insert(makeRequest(1, 10, 20, kT0));
  EXPECT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100)));
  // Unblocked, and also in the default group, as upstream's friendTwoUsers.
  RelationshipRecord unblocked = blocked;
  unblocked.block_date.reset();
  unblocked.group_indexes = {kDefaultRelationshipGroupIndex, 3};
  EXPECT_EQ(relationship(20, 10), unblocked);
  EXPECT_EQ(relationship(10, 20)->establishment_date, kT0 + 100);
}

TEST_P(FriendRequestRepositoryContractTest, AnExpiredRequestIsNotAccepted) {
  insert(makeRequest(1, 10, 20, kT0));
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100, kT0 + 1)));
  EXPECT_EQ(find(1)->status, RequestStatus::kPending);
  EXPECT_FALSE(relationship(10, 20).has_value());
  EXPECT_FALSE(relationship(20, 10).has_value());
  EXPECT_FALSE(accept(replyOf(404, RequestStatus::kAccepted, kT0 + 100)));
}

TEST_P(FriendRequestRepositoryContractTest, EveryChangeMovesBothUsersVersionsForward) {
  EXPECT_EQ(sentVersion(10), std::nullopt);
  EXPECT_EQ(receivedVersion(20), std::nullopt);
  insert(makeRequest(1, 10, 20, kT0));
  EXPECT_EQ(sentVersion(10), kT0);
  EXPECT_EQ(receivedVersion(20), kT0);
  EXPECT_EQ(receivedVersion(10), std::nullopt);
  EXPECT_EQ(sentVersion(20), std::nullopt);

  // Same millisecond (or a clock behind): still forward, so a client holding kT0 refetches.
  insert(makeRequest(2, 10, 30, kT0));
  EXPECT_GT(*sentVersion(10), kT0);
  EXPECT_EQ(receivedVersion(30), kT0);
  const int64_t sent_before = *sentVersion(10);
  ASSERT_TRUE(reply(replyOf(2, RequestStatus::kDeclined, kT0 + 500)));
  EXPECT_EQ(sentVersion(10), std::max(kT0 + 500, sent_before + 1));
  EXPECT_EQ(receivedVersion(30), kT0 + 500);

  ASSERT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 900)));
  EXPECT_EQ(sentVersion(10), kT0 + 900);
  EXPECT_EQ(receivedVersion(20), kT0 + 900);
  // A reply that changes nothing moves nothing.
  EXPECT_FALSE(reply(replyOf(1, RequestStatus::kIgnored, kT0 + 1000)));
  EXPECT_EQ(sentVersion(10), kT0 + 900);
}

// Users' sync versions may share a record (MongoDB's userVersion): each kind still moves alone.
TEST_P(FriendRequestRepositoryContractTest, VersionsOfOtherKindsOfDataStayApart) {
  insert(makeRequest(1, 10, 20, kT0));
  auto& members = store_->groupMembers();
  EXPECT_EQ(members.findJoinedGroupsVersion(10).value(), std::nullopt);
  GroupMemberRecord member;
  member.group_id = 5;
  member.user_id = 10;
  member.join_date = kT0 + 50;
  ASSERT_TRUE(members.insertMany(std::span(&member, 1)).ok());
  EXPECT_EQ(members.findJoinedGroupsVersion(10).value(), kT0 + 50);
  EXPECT_EQ(sentVersion(10), kT0);
  insert(makeRequest(2, 10, 30, kT0 + 60));
  EXPECT_EQ(sentVersion(10), kT0 + 60);
  EXPECT_EQ(members.findJoinedGroupsVersion(10).value(), kT0 + 50);
}

TEST_P(FriendRequestRepositoryContractTest, RemovesRequestsCreatedBeforeAMoment) {
  insert(makeRequest(1, 10, 20, kT0));
  insert(makeRequest(2, 10, 30, kT0 + 10));
  FriendRequestRecord accepted = makeRequest(3, 10, 40, kT0 + 5);
  accepted.status = RequestStatus::kAccepted;
  insert(accepted);
  auto removed = requests().removeCreatedBefore(kT0 + 10);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 2);
  EXPECT_EQ(find(1), std::nullopt);
  EXPECT_EQ(find(3), std::nullopt);
  EXPECT_TRUE(find(2).has_value());
}

TEST_P(FriendRequestRepositoryContractTest, SearchIsNewestFirstAndPages) {
  insert(makeRequest(1, 10, 20, kT0));
  insert(makeRequest(2, 11, 20, kT0 + 1));
  insert(makeRequest(3, 10, 21, kT0 + 2));
  const FriendRequestSearch everything;
  EXPECT_EQ(idsOf(requests().search(everything, 0, 10)), (std::vector<int64_t>{3, 2, 1}));
  EXPECT_EQ(idsOf(requests().search(everything, 1, 1)), std::vector<int64_t>{2});
  EXPECT_EQ(requests().count(everything).value(), 3);

  FriendRequestSearch search;
  search.requester_ids = {10};
  EXPECT_EQ(idsOf(requests().search(search, 0, 10)), (std::vector<int64_t>{3, 1}));
  search.recipient_ids = {20};
  EXPECT_EQ(idsOf(requests().search(search, 0, 10)), std::vector<int64_t>{1});
  EXPECT_EQ(requests().count(search).value(), 1);
  FriendRequestSearch by_id;
  by_id.ids = {2, 3, 404};
  EXPECT_EQ(idsOf(requests().search(by_id, 0, 10)), (std::vector<int64_t>{3, 2}));
  // Records come whole.
  auto found = requests().search(by_id, 1, 1);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front(), makeRequest(2, 11, 20, kT0 + 1));
}

TEST_P(FriendRequestRepositoryContractTest, SearchReadsStatusesDatesAndPages) {
  expectSearchReadsStatusesDatesAndPages<FriendRequestSearch>(
      requests(), [](int64_t id, int64_t created) { return makeRequest(id, 10, 19 + id, created); },
      [&](const FriendRequestRecord& request) { insert(request); }, kT0);
}

TEST_P(FriendRequestRepositoryContractTest, ReplaceRewritesEveryFieldAndMovesVersions) {
  insert(makeRequest(1, 10, 20, kT0));
  FriendRequestRecord edited = makeRequest(1, 11, 21, kT0 - 100);
  edited.content = "edited";
  edited.status = RequestStatus::kIgnored;
  edited.reason = "why";
  edited.response_date = kT0 + 1;
  ASSERT_TRUE(requests().replace(edited, kT0 + 50).value());
  EXPECT_EQ(find(1), edited);
  // Both the users it had and the ones it has now see their lists change.
  EXPECT_GE(sentVersion(10), kT0 + 50);
  EXPECT_GE(receivedVersion(20), kT0 + 50);
  EXPECT_GE(sentVersion(11), kT0 + 50);
  EXPECT_GE(receivedVersion(21), kT0 + 50);
  EXPECT_EQ(idsOf(requests().findByRecipient(21)), std::vector<int64_t>{1});
  EXPECT_EQ(idsOf(requests().findByRecipient(20)), std::vector<int64_t>{});

  EXPECT_FALSE(requests().replace(makeRequest(404, 1, 2), kT0).value());
  EXPECT_EQ(find(404), std::nullopt);
}

TEST_P(FriendRequestRepositoryContractTest, RemoveDeletesOneAndMovesVersions) {
  insert(makeRequest(1, 10, 20, kT0));
  insert(makeRequest(2, 10, 20, kT0));
  ASSERT_TRUE(requests().remove(1, kT0 + 50).value());
  EXPECT_EQ(find(1), std::nullopt);
  EXPECT_TRUE(find(2).has_value());
  EXPECT_GE(sentVersion(10), kT0 + 50);
  EXPECT_GE(receivedVersion(20), kT0 + 50);
  EXPECT_FALSE(requests().remove(1, kT0 + 60).value());
}

}  // namespace parley::contract
