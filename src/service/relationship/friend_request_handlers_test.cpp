#include "service/relationship/friend_request_handlers.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

constexpr int64_t kDay = 24 * 3600 * 1000;

// The real dispatcher over a real SQLite store, without sockets.
class FriendRequestHandlersTest : public testing::ServiceTestFixture {
 protected:
  FriendRequestHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    registerFriendRequestHandlers(dispatcher_, deps());
    for (int64_t id = 1; id <= 5; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
    ASSERT_TRUE(store_->users().softDelete(5, clock_.nowMillis()).ok());
  }

  static TurmsRequest create(int64_t recipient_id, std::string content = "hi") {
    TurmsRequest request;
    request.set_request_id(1);
    auto* create = request.mutable_create_friend_request_request();
    create->set_recipient_id(recipient_id);
    create->set_content(std::move(content));
    return request;
  }

  static TurmsRequest reply(int64_t request_id, pb::ResponseAction action,
                            std::optional<std::string> reason = std::nullopt) {
    TurmsRequest request;
    request.set_request_id(2);
    auto* update = request.mutable_update_friend_request_request();
    update->set_request_id(request_id);
    update->set_response_action(action);
    if (reason) update->set_reason(*reason);
    return request;
  }

  static TurmsRequest recall(int64_t request_id) {
    TurmsRequest request;
    request.set_request_id(3);
    request.mutable_delete_friend_request_request()->set_request_id(request_id);
    return request;
  }

  static TurmsRequest query(bool sent, std::optional<int64_t> last_updated_date = std::nullopt) {
    TurmsRequest request;
    request.set_request_id(4);
    auto* query = request.mutable_query_friend_requests_request();
    query->set_are_sent_by_me(sent);
    if (last_updated_date) query->set_last_updated_date(*last_updated_date);
    return request;
  }

  // Sends a request and returns its id.
  int64_t send(int64_t requester, int64_t recipient) {
    const HandlerResult created = dispatch(requester, create(recipient));
    EXPECT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
    return created.data ? created.data->long_() : 0;
  }

  // The one push of a result: to `user_id` and to the requester's other sessions, relaying the
  // client's own request.
  static void expectPushTo(const HandlerResult& result, int64_t user_id) {
    ASSERT_EQ(result.pushes.size(), 1u);
    EXPECT_EQ(result.pushes[0].user_ids, std::vector<int64_t>{user_id});
    EXPECT_TRUE(result.pushes[0].include_requester_other_sessions);
    EXPECT_FALSE(result.pushes[0].request.has_value());
  }

  bool areFriends(int64_t a, int64_t b) {
    auto ab = store_->relationships().find(a, b);
    auto ba = store_->relationships().find(b, a);
    return ab.ok() && ba.ok() && ab->has_value() && ba->has_value() && !(*ab)->block_date &&
           !(*ba)->block_date;
  }

  pb::RequestStatus statusSeenBy(int64_t user_id, bool sent, int64_t request_id) {
    const HandlerResult queried = dispatch(user_id, query(sent));
    EXPECT_EQ(queried.status.code, StatusCode::kOk) << queried.status.reason;
    if (!queried.data) return pb::RequestStatus(-1);
    for (const auto& request :
         queried.data->user_friend_requests_with_version().user_friend_requests()) {
      if (request.id() == request_id) return request.request_status();
    }
    return pb::RequestStatus(-1);
  }
};

TEST_F(FriendRequestHandlersTest, ASentRequestReachesTheRecipientAndBothQueriesShowIt) {
  const HandlerResult created = dispatch(1, create(2, "let us be friends"));
  ASSERT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
  ASSERT_TRUE(created.data && created.data->has_long_());
  const int64_t id = created.data->long_();
  expectPushTo(created, 2);

  for (const auto& [user, sent] : {std::pair{int64_t{1}, true}, std::pair{int64_t{2}, false}}) {
    const HandlerResult queried = dispatch(user, query(sent));
    ASSERT_EQ(queried.status.code, StatusCode::kOk) << queried.status.reason;
    const auto& answer = queried.data->user_friend_requests_with_version();
    ASSERT_EQ(answer.user_friend_requests_size(), 1);
    const pb::UserFriendRequest& request = answer.user_friend_requests(0);
    EXPECT_EQ(request.id(), id);
    EXPECT_EQ(request.requester_id(), 1);
    EXPECT_EQ(request.recipient_id(), 2);
    EXPECT_EQ(request.content(), "let us be friends");
    EXPECT_EQ(request.request_status(), pb::PENDING);
    EXPECT_EQ(request.creation_date(), clock_.nowMillis());
    EXPECT_EQ(request.expiration_date(), clock_.nowMillis() + 30 * kDay);
    EXPECT_FALSE(request.has_reason());
    EXPECT_EQ(answer.last_updated_date(), clock_.nowMillis());
    EXPECT_TRUE(queried.pushes.empty());
  }
  // The other directions are empty.
  EXPECT_EQ(dispatch(1, query(false)).status.code, StatusCode::kNoContent);
  EXPECT_EQ(dispatch(2, query(true)).status.code, StatusCode::kNoContent);
}

TEST_F(FriendRequestHandlersTest, CreationIsRefusedAsUpstreamRefusesIt) {
  EXPECT_EQ(dispatch(1, create(1)).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(1, create(404)).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(1, create(5)).status.code, StatusCode::kIllegalArgument);  // deleted
  EXPECT_EQ(dispatch(1, create(2, std::string(201, 'x'))).status.code,
            StatusCode::kIllegalArgument);
  // 200 characters (not bytes) are fine.
  std::string two_hundred;
  for (int i = 0; i < 200; ++i) two_hundred += "\xC3\xA9";
  EXPECT_EQ(dispatch(1, create(3, two_hundred)).status.code, StatusCode::kOk);

  // The recipient blocked the requester.
  RelationshipRecord block;
  block.owner_id = 4;
  block.related_user_id = 1;
  block.block_date = clock_.nowMillis();
  block.establishment_date = clock_.nowMillis();
  ASSERT_TRUE(store_->relationships().insert(block, clock_.nowMillis()).ok());
  const HandlerResult blocked = dispatch(1, create(4));
  EXPECT_EQ(blocked.status.code, StatusCode::kBlockedUserToSendFriendRequest);
  EXPECT_TRUE(blocked.pushes.empty());

  // A pending request to the same user.
  send(1, 2);
  EXPECT_EQ(dispatch(1, create(2)).status.code, StatusCode::kCreateExistingFriendRequest);
  // The other direction is another request.
  EXPECT_EQ(dispatch(2, create(1)).status.code, StatusCode::kOk);
}

TEST_F(FriendRequestHandlersTest, ADeclinedIgnoredOrExpiredRequestBlocksANewOneUnlessAllowed) {
  const int64_t declined = send(1, 2);
  ASSERT_EQ(dispatch(2, reply(declined, pb::DECLINE)).status.code, StatusCode::kOk);
  const int64_t ignored = send(1, 3);
  ASSERT_EQ(dispatch(3, reply(ignored, pb::IGNORE)).status.code, StatusCode::kOk);
  send(1, 4);
  clock_.advance(30 * kDay + 1);  // the request to 4 expires
  for (const int64_t recipient : {2, 3, 4}) {
    EXPECT_EQ(dispatch(1, create(recipient)).status.code, StatusCode::kCreateExistingFriendRequest)
        << recipient;
  }
  friend_request_config_.allow_resend_after_declined_ignored_expired = true;
  for (const int64_t recipient : {2, 3, 4}) {
    EXPECT_EQ(dispatch(1, create(recipient)).status.code, StatusCode::kOk) << recipient;
  }
  // Pending ones still block.
  EXPECT_EQ(dispatch(1, create(2)).status.code, StatusCode::kCreateExistingFriendRequest);
}

TEST_F(FriendRequestHandlersTest, AcceptingMakesBothFriendsAndTellsTheRequester) {
  const int64_t id = send(1, 2);
  const HandlerResult accepted = dispatch(2, reply(id, pb::ACCEPT, "welcome"));
  ASSERT_EQ(accepted.status.code, StatusCode::kOk) << accepted.status.reason;
  expectPushTo(accepted, 1);
  EXPECT_TRUE(areFriends(1, 2));
  EXPECT_EQ(statusSeenBy(1, true, id), pb::ACCEPTED);
  const HandlerResult received = dispatch(2, query(false));
  EXPECT_EQ(received.data->user_friend_requests_with_version().user_friend_requests(0).reason(),
            "welcome");
  // Answered: no second answer.
  EXPECT_EQ(dispatch(2, reply(id, pb::DECLINE)).status.code,
            StatusCode::kUpdateNonPendingFriendRequest);
}

TEST_F(FriendRequestHandlersTest, OnlyTheRecipientAnswersAPendingUnexpiredRequest) {
  const int64_t id = send(1, 2);
  // The requester, a stranger and a missing id get the same answer.
  EXPECT_EQ(dispatch(1, reply(id, pb::ACCEPT)).status.code,
            StatusCode::kNotRecipientToUpdateFriendRequest);
  EXPECT_EQ(dispatch(3, reply(id, pb::ACCEPT)).status.code,
            StatusCode::kNotRecipientToUpdateFriendRequest);
  EXPECT_EQ(dispatch(2, reply(404, pb::ACCEPT)).status.code,
            StatusCode::kNotRecipientToUpdateFriendRequest);
  EXPECT_EQ(dispatch(2, reply(id, pb::ACCEPT, std::string(201, 'r'))).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(2, reply(id, pb::ResponseAction(7))).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_FALSE(areFriends(1, 2));

  clock_.advance(30 * kDay + 1);
  const HandlerResult expired = dispatch(2, reply(id, pb::ACCEPT));
  EXPECT_EQ(expired.status.code, StatusCode::kUpdateNonPendingFriendRequest);
  EXPECT_EQ(expired.status.reason, "The request is under the status EXPIRED");
  EXPECT_FALSE(areFriends(1, 2));
  EXPECT_EQ(statusSeenBy(2, false, id), pb::EXPIRED);
}

TEST_F(FriendRequestHandlersTest, DecliningAndIgnoringMakeNoFriends) {
  const int64_t declined = send(1, 2);
  const HandlerResult answer = dispatch(2, reply(declined, pb::DECLINE));
  ASSERT_EQ(answer.status.code, StatusCode::kOk);
  expectPushTo(answer, 1);
  const int64_t ignored = send(3, 2);
  ASSERT_EQ(dispatch(2, reply(ignored, pb::IGNORE)).status.code, StatusCode::kOk);
  EXPECT_FALSE(areFriends(1, 2));
  EXPECT_FALSE(areFriends(3, 2));
  EXPECT_EQ(statusSeenBy(1, true, declined), pb::DECLINED);
  EXPECT_EQ(statusSeenBy(3, true, ignored), pb::IGNORED);
}

TEST_F(FriendRequestHandlersTest, RecallingIsOffByDefaultAndOnlyForTheRequestersPendingRequest) {
  const int64_t id = send(1, 2);
  EXPECT_EQ(dispatch(1, recall(id)).status.code, StatusCode::kRecallingFriendRequestIsDisabled);
  friend_request_config_.allow_recall_pending = true;
  EXPECT_EQ(dispatch(2, recall(id)).status.code, StatusCode::kNotSenderToRecallFriendRequest);
  EXPECT_EQ(dispatch(1, recall(404)).status.code, StatusCode::kNotSenderToRecallFriendRequest);
  const HandlerResult recalled = dispatch(1, recall(id));
  ASSERT_EQ(recalled.status.code, StatusCode::kOk) << recalled.status.reason;
  expectPushTo(recalled, 2);
  EXPECT_EQ(statusSeenBy(2, false, id), pb::CANCELED);
  EXPECT_EQ(dispatch(1, recall(id)).status.code, StatusCode::kRecallNonPendingFriendRequest);
  // A recalled request can no longer be accepted, and does not block a new one.
  EXPECT_EQ(dispatch(2, reply(id, pb::ACCEPT)).status.code,
            StatusCode::kUpdateNonPendingFriendRequest);
  EXPECT_EQ(dispatch(1, create(2)).status.code, StatusCode::kOk);
}

TEST_F(FriendRequestHandlersTest, QueriesAreVersioned) {
  const int64_t created_at = clock_.nowMillis();
  const int64_t id = send(1, 2);
  EXPECT_EQ(dispatch(2, query(false, created_at)).status.code, StatusCode::kAlreadyUpToDate);
  EXPECT_EQ(dispatch(2, query(false, created_at - 1)).status.code, StatusCode::kOk);
  // Nothing was ever received or sent: up to date whatever the client holds.
  EXPECT_EQ(dispatch(3, query(false, 0)).status.code, StatusCode::kAlreadyUpToDate);

  clock_.advance(1000);
  ASSERT_EQ(dispatch(2, reply(id, pb::DECLINE)).status.code, StatusCode::kOk);
  // The answer moved both sides' versions: the requester sees the new status.
  const HandlerResult sent = dispatch(1, query(true, created_at));
  ASSERT_EQ(sent.status.code, StatusCode::kOk);
  EXPECT_EQ(sent.data->user_friend_requests_with_version().last_updated_date(), clock_.nowMillis());
  EXPECT_EQ(dispatch(1, query(true, clock_.nowMillis())).status.code, StatusCode::kAlreadyUpToDate);
}

TEST_F(FriendRequestHandlersTest, TheCleanupDeletesOnlyWhenConfigured) {
  const int64_t id = send(1, 2);
  clock_.advance(30 * kDay + 1);
  runFriendRequestCleanup(*store_, friend_request_config_, clock_.nowMillis(), true);
  EXPECT_TRUE(store_->friendRequests().findById(id).value().has_value());
  friend_request_config_.delete_expired = true;
  runFriendRequestCleanup(*store_, friend_request_config_, clock_.nowMillis(), false);
  EXPECT_TRUE(store_->friendRequests().findById(id).value().has_value());
  runFriendRequestCleanup(*store_, friend_request_config_, clock_.nowMillis(), true);
  EXPECT_FALSE(store_->friendRequests().findById(id).value().has_value());
}

}  // namespace
}  // namespace parley
