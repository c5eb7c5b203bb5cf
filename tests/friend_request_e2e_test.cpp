// Friend requests through real sockets, on SQLite and on MongoDB (FerretDB): who gets each push,
// the refusals clients branch on, versioned queries, and friendship after ACCEPT.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "support/backend.h"
#include "support/client_requests.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

using requests::kRequestTimeout;
using requests::loggedIn;

class FriendRequestTest : public SharedParleyOnBackend<FriendRequestTest> {
 public:
  // Demo user 1 is everybody's friend (both ways); these tests use 21..40, strangers otherwise.
  static ParleyOptions parleyOptions() {
    return {.extra_args = {"--friend-request-allow-recall=true"}, .demo_user_count = 40};
  }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, FriendRequestTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, FriendRequestTest, ::testing::Values(Backend::kMongo));

pb::TurmsNotification sendFriendRequest(TurmsClient& client, int64_t recipient,
                                        const std::string& content = "hello") {
  pb::TurmsRequest request;
  request.mutable_create_friend_request_request()->set_recipient_id(recipient);
  request.mutable_create_friend_request_request()->set_content(content);
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification answer(TurmsClient& client, int64_t request_id, pb::ResponseAction action) {
  pb::TurmsRequest request;
  request.mutable_update_friend_request_request()->set_request_id(request_id);
  request.mutable_update_friend_request_request()->set_response_action(action);
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification recall(TurmsClient& client, int64_t request_id) {
  pb::TurmsRequest request;
  request.mutable_delete_friend_request_request()->set_request_id(request_id);
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification queryFriendRequests(TurmsClient& client, bool sent,
                                          std::optional<int64_t> last_updated_date = {}) {
  pb::TurmsRequest request;
  request.mutable_query_friend_requests_request()->set_are_sent_by_me(sent);
  if (last_updated_date) {
    request.mutable_query_friend_requests_request()->set_last_updated_date(*last_updated_date);
  }
  return client.request(request, kRequestTimeout);
}

// The user ids `client`'s user has as (unblocked) relationships; empty on NO_CONTENT.
std::vector<int64_t> relatedUserIds(TurmsClient& client) {
  pb::TurmsRequest request;
  request.mutable_query_related_user_ids_request()->set_blocked(false);
  auto response = client.request(request, kRequestTimeout);
  if (response.code() == 1001) return {};
  EXPECT_EQ(response.code(), 1000);
  const auto& ids = response.data().longs_with_version().longs();
  std::vector<int64_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

std::optional<Frame> relayed(TurmsClient& client, pb::TurmsRequest::KindCase kind,
                             std::chrono::milliseconds timeout = 5s) {
  return client.waitFor([kind](const Frame& frame) { return isRelayed(frame, kind); }, timeout);
}

TEST_P(FriendRequestTest, ARequestAndItsAcceptanceReachExactlyTheRightSessions) {
  auto alice_desktop = loggedIn(*parley_, 21, pb::DESKTOP);
  auto alice_phone = loggedIn(*parley_, 21, pb::ANDROID, Transport::kWebSocket);
  auto bob_desktop = loggedIn(*parley_, 22, pb::DESKTOP, Transport::kWebSocket);
  auto bob_phone = loggedIn(*parley_, 22, pb::IOS);
  auto carol = loggedIn(*parley_, 23);

  auto created = sendFriendRequest(*alice_desktop, 22, "let us talk");
  ASSERT_EQ(created.code(), 1000);
  const int64_t request_id = created.data().long_();
  for (auto* client : {bob_desktop.get(), bob_phone.get(), alice_phone.get()}) {
    auto push = relayed(*client, pb::TurmsRequest::kCreateFriendRequestRequest);
    ASSERT_TRUE(push.has_value());
    EXPECT_EQ(push->notification.relayed_request().create_friend_request_request().recipient_id(),
              22);
    EXPECT_EQ(push->notification.relayed_request().create_friend_request_request().content(),
              "let us talk");
    EXPECT_EQ(push->notification.requester_id(), 21);
  }

  auto received = queryFriendRequests(*bob_phone, false);
  ASSERT_EQ(received.code(), 1000);
  const auto& requests = received.data().user_friend_requests_with_version();
  ASSERT_EQ(requests.user_friend_requests_size(), 1);
  EXPECT_EQ(requests.user_friend_requests(0).id(), request_id);
  EXPECT_EQ(requests.user_friend_requests(0).request_status(), pb::PENDING);
  EXPECT_EQ(queryFriendRequests(*bob_phone, false, requests.last_updated_date()).code(), 1002);

  auto accepted = answer(*bob_desktop, request_id, pb::ACCEPT);
  ASSERT_EQ(accepted.code(), 1000);
  for (auto* client : {alice_desktop.get(), alice_phone.get(), bob_phone.get()}) {
    auto push = relayed(*client, pb::TurmsRequest::kUpdateFriendRequestRequest);
    ASSERT_TRUE(push.has_value());
    EXPECT_EQ(push->notification.relayed_request().update_friend_request_request().request_id(),
              request_id);
    EXPECT_EQ(push->notification.requester_id(), 22);
  }
  EXPECT_EQ(relatedUserIds(*alice_desktop), (std::vector<int64_t>{1, 22}));
  EXPECT_EQ(relatedUserIds(*bob_desktop), (std::vector<int64_t>{1, 21}));
  auto sent = queryFriendRequests(*alice_phone, true);
  ASSERT_EQ(sent.code(), 1000);
  EXPECT_EQ(
      sent.data().user_friend_requests_with_version().user_friend_requests(0).request_status(),
      pb::ACCEPTED);

  // Neither the sending sessions nor the bystander got anything relayed.
  const auto any_relayed = [](const Frame& frame) {
    return frame.kind == Frame::Kind::kNotification && frame.notification.has_relayed_request();
  };
  EXPECT_FALSE(alice_desktop->waitFor(any_relayed, 300ms).has_value());
  EXPECT_FALSE(bob_desktop->waitFor(any_relayed, 300ms).has_value());
  EXPECT_FALSE(carol->waitFor(any_relayed, 300ms).has_value());
}

TEST_P(FriendRequestTest, RefusalsCarryUpstreamsCodes) {
  auto dave = loggedIn(*parley_, 24);
  auto erin = loggedIn(*parley_, 25);
  EXPECT_EQ(sendFriendRequest(*dave, 24).code(), 1102);
  EXPECT_EQ(sendFriendRequest(*dave, 25, std::string(201, 'x')).code(), 1102);
  auto created = sendFriendRequest(*dave, 25);
  ASSERT_EQ(created.code(), 1000);
  const int64_t request_id = created.data().long_();
  EXPECT_EQ(sendFriendRequest(*dave, 25).code(), 2600);
  EXPECT_EQ(answer(*dave, request_id, pb::ACCEPT).code(), 2606);
  EXPECT_EQ(recall(*erin, request_id).code(), 2604);

  auto declined = answer(*erin, request_id, pb::DECLINE);
  ASSERT_EQ(declined.code(), 1000);
  EXPECT_EQ(answer(*erin, request_id, pb::ACCEPT).code(), 2605);
  EXPECT_EQ(recall(*dave, request_id).code(), 2602);
  EXPECT_EQ(sendFriendRequest(*dave, 25).code(), 2600);  // declined, resending not allowed
  EXPECT_EQ(relatedUserIds(*dave), std::vector<int64_t>{1});

  // Blocked by the recipient.
  pb::TurmsRequest block;
  block.mutable_create_relationship_request()->set_user_id(24);
  block.mutable_create_relationship_request()->set_blocked(true);
  auto frank = loggedIn(*parley_, 26);
  ASSERT_EQ(frank->request(block, kRequestTimeout).code(), 1000);
  EXPECT_EQ(sendFriendRequest(*dave, 26).code(), 2601);
}

TEST_P(FriendRequestTest, ARecalledRequestReachesTheRecipientAndCanNoLongerBeAccepted) {
  auto gina = loggedIn(*parley_, 27);
  auto hank = loggedIn(*parley_, 28);
  auto created = sendFriendRequest(*gina, 28);
  ASSERT_EQ(created.code(), 1000);
  ASSERT_TRUE(relayed(*hank, pb::TurmsRequest::kCreateFriendRequestRequest).has_value());
  ASSERT_EQ(recall(*gina, created.data().long_()).code(), 1000);
  auto push = relayed(*hank, pb::TurmsRequest::kDeleteFriendRequestRequest);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->notification.relayed_request().delete_friend_request_request().request_id(),
            created.data().long_());
  EXPECT_EQ(answer(*hank, created.data().long_(), pb::ACCEPT).code(), 2605);
  auto received = queryFriendRequests(*hank, false);
  ASSERT_EQ(received.code(), 1000);
  EXPECT_EQ(
      received.data().user_friend_requests_with_version().user_friend_requests(0).request_status(),
      pb::CANCELED);
}

}  // namespace
}  // namespace parley::testing
