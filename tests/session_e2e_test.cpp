// Sessions through real sockets: login, heartbeats, kicks, bad input (issue: foundation).
#include <gtest/gtest.h>

#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

class SessionTest : public SharedParleySuite<SessionTest, ::testing::TestWithParam<Transport>> {
 protected:
  std::unique_ptr<TurmsClient> connect() { return connectTo(*parley_, GetParam()); }
};

TEST_P(SessionTest, LoginAnswersOkThenPushesSessionInfo) {
  auto client = connect();
  auto response = client->login(1, "123");
  EXPECT_EQ(response.code(), 1000);
  EXPECT_GT(response.timestamp(), 0);
  auto info = client->waitFor(
      [](const Frame& f) {
        return f.kind == Frame::Kind::kNotification && f.notification.data().has_user_session();
      },
      5s);
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->notification.data().user_session().session_id().empty());
  EXPECT_EQ(info->notification.data().user_session().server_id(), "parley-1");
}

TEST_P(SessionTest, WrongPasswordIsRefusedAndTheConnectionStaysUsable) {
  auto client = connect();
  EXPECT_EQ(client->login(2, "wrong").code(), 2011);
  EXPECT_TRUE(client->isOpen());
  EXPECT_EQ(client->login(2, "123").code(), 1000);
}

TEST_P(SessionTest, UnknownUserIsNotActive) {
  auto client = connect();
  EXPECT_EQ(client->login(999999, "123").code(), 2012);
}

TEST_P(SessionTest, UnsupportedVersionIsRefused) {
  auto client = connect();
  pb::TurmsRequest request;
  auto* create = request.mutable_create_session_request();
  create->set_version(2);
  create->set_user_id(3);
  create->set_password("123");
  EXPECT_EQ(client->request(request).code(), 2000);
}

TEST_P(SessionTest, SecondLoginOnTheSameConnectionIsRefused) {
  auto client = connect();
  ASSERT_EQ(client->login(4, "123").code(), 1000);
  EXPECT_EQ(client->login(4, "123").code(), 2103);
}

TEST_P(SessionTest, SameDeviceTypeLoginKicksTheFirstSession) {
  auto first = connect();
  ASSERT_EQ(first->login(5, "123", pb::ANDROID).code(), 1000);
  auto second = connect();
  ASSERT_EQ(second->login(5, "123", pb::ANDROID).code(), 1000);
  auto signal = first->waitFor(isCloseSignal, 5s);
  ASSERT_TRUE(signal.has_value());
  EXPECT_EQ(signal->notification.close_status(), 501);
  EXPECT_EQ(signal->notification.code(), 2102);
  EXPECT_TRUE(waitForSocketClose(*first));
  // The new session is the one that stays usable.
  second->sendHeartbeat();
  auto beat = second->waitFor(isHeartbeat, 5s);
  EXPECT_TRUE(beat.has_value());
}

TEST_P(SessionTest, TwoDeviceTypesCoexist) {
  auto desktop = connect();
  auto phone = connect();
  ASSERT_EQ(desktop->login(6, "123", pb::DESKTOP).code(), 1000);
  ASSERT_EQ(phone->login(6, "123", pb::IOS).code(), 1000);
  pb::TurmsRequest query;
  query.mutable_query_user_online_statuses_request()->add_user_ids(6);
  auto response = desktop->request(query);
  ASSERT_EQ(response.code(), 1000);
  const auto& statuses = response.data().user_online_statuses().statuses();
  ASSERT_EQ(statuses.size(), 1);
  EXPECT_EQ(statuses[0].user_status(), pb::AVAILABLE);
  std::vector<int> devices(statuses[0].device_types().begin(), statuses[0].device_types().end());
  std::sort(devices.begin(), devices.end());
  EXPECT_EQ(devices, (std::vector<int>{pb::DESKTOP, pb::IOS}));
  EXPECT_FALSE(desktop->waitFor(isCloseSignal, 300ms).has_value());
}

TEST_P(SessionTest, HeartbeatIsAnsweredWithAnEmptyFrame) {
  auto client = connect();
  ASSERT_EQ(client->login(7, "123").code(), 1000);
  client->sendHeartbeat();
  auto beat = client->waitFor(isHeartbeat, 5s);
  EXPECT_TRUE(beat.has_value());
}

TEST_P(SessionTest, HeartbeatWithoutSessionGetsMinus100And2104) {
  auto client = connect();
  client->sendHeartbeat();
  auto reply =
      client->waitFor([](const Frame& f) { return f.kind == Frame::Kind::kNotification; }, 5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->notification.request_id(), -100);
  EXPECT_EQ(reply->notification.code(), 2104);
}

TEST_P(SessionTest, RequestBeforeLoginIsRefused) {
  auto client = connect();
  pb::TurmsRequest query;
  query.mutable_query_user_profiles_request()->add_user_ids(1);
  EXPECT_EQ(client->request(query).code(), 1105);
}

TEST_P(SessionTest, NonPositiveRequestIdIsInvalid) {
  auto client = connect();
  pb::TurmsRequest request;
  request.set_request_id(0);
  request.mutable_create_session_request()->set_version(1);
  client->send(request);
  auto reply =
      client->waitFor([](const Frame& f) { return f.kind == Frame::Kind::kNotification; }, 5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->notification.code(), 1100);
}

TEST_P(SessionTest, QueriesOwnProfile) {
  auto client = connect();
  ASSERT_EQ(client->login(8, "123").code(), 1000);
  pb::TurmsRequest query;
  query.mutable_query_user_profiles_request()->add_user_ids(8);
  auto response = client->request(query);
  ASSERT_EQ(response.code(), 1000);
  ASSERT_EQ(response.data().user_infos_with_version().user_infos_size(), 1);
  const auto& info = response.data().user_infos_with_version().user_infos(0);
  EXPECT_EQ(info.id(), 8);
  EXPECT_EQ(info.name(), "my-name");
  EXPECT_EQ(info.intro(), "my-intro");
}

TEST_P(SessionTest, UpdateUserChangesTheProfileAndNotifiesOtherDevices) {
  auto client = connect();
  auto other = connect();
  ASSERT_EQ(client->login(9, "123", pb::DESKTOP).code(), 1000);
  ASSERT_EQ(other->login(9, "123", pb::BROWSER).code(), 1000);
  pb::TurmsRequest update;
  update.mutable_update_user_request()->set_intro(std::string("hello from ") +
                                                  transportName(GetParam()));
  update.mutable_update_user_request()->set_password("123");
  ASSERT_EQ(client->request(update).code(), 1000);
  auto push = other->waitFor(
      [](const Frame& f) {
        return f.kind == Frame::Kind::kNotification && f.notification.has_relayed_request();
      },
      5s);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->notification.requester_id(), 9);
  EXPECT_TRUE(push->notification.relayed_request().has_update_user_request());
  EXPECT_FALSE(push->notification.relayed_request().update_user_request().has_password());
  pb::TurmsRequest query;
  query.mutable_query_user_profiles_request()->add_user_ids(9);
  auto response = client->request(query);
  ASSERT_EQ(response.code(), 1000);
  EXPECT_EQ(response.data().user_infos_with_version().user_infos(0).intro(),
            std::string("hello from ") + transportName(GetParam()));
}

TEST_P(SessionTest, OnlineStatusUpdateIsVisibleToOthers) {
  auto alice = connect();
  auto bob = connect();
  ASSERT_EQ(alice->login(10, "123").code(), 1000);
  ASSERT_EQ(bob->login(11, "123").code(), 1000);
  pb::TurmsRequest update;
  update.mutable_update_user_online_status_request()->set_user_status(pb::AWAY);
  ASSERT_EQ(alice->request(update).code(), 1000);
  pb::TurmsRequest query;
  query.mutable_query_user_online_statuses_request()->add_user_ids(10);
  query.mutable_query_user_online_statuses_request()->add_user_ids(12);  // offline
  auto response = bob->request(query);
  ASSERT_EQ(response.code(), 1000);
  const auto& statuses = response.data().user_online_statuses().statuses();
  ASSERT_EQ(statuses.size(), 2);
  for (const auto& status : statuses) {
    if (status.user_id() == 10) {
      EXPECT_EQ(status.user_status(), pb::AWAY);
    } else {
      EXPECT_EQ(status.user_id(), 12);
      EXPECT_EQ(status.user_status(), pb::OFFLINE);
    }
  }
}

TEST_P(SessionTest, AnInvisibleUserShowsAsInvisibleByUpstreamsDefault) {
  auto carol = connect();
  auto dan = connect();
  ASSERT_EQ(carol->login(14, "123").code(), 1000);
  ASSERT_EQ(dan->login(15, "123").code(), 1000);
  pb::TurmsRequest update;
  update.mutable_update_user_online_status_request()->set_user_status(pb::INVISIBLE);
  ASSERT_EQ(carol->request(update).code(), 1000);
  pb::TurmsRequest query;
  query.mutable_query_user_online_statuses_request()->add_user_ids(14);
  auto response = dan->request(query);
  ASSERT_EQ(response.code(), 1000);
  ASSERT_EQ(response.data().user_online_statuses().statuses_size(), 1);
  const auto& status = response.data().user_online_statuses().statuses(0);
  EXPECT_EQ(status.user_status(), pb::INVISIBLE);
  EXPECT_EQ(status.device_types_size(), 1);
}

TEST_P(SessionTest, UnservedRequestKindGetsAClearError) {
  auto client = connect();
  ASSERT_EQ(client->login(13, "123").code(), 1000);
  pb::TurmsRequest request;
  request.mutable_create_message_reactions_request();
  auto response = client->request(request);
  EXPECT_EQ(response.code(), 1102);
  EXPECT_FALSE(response.reason().empty());
  pb::TurmsRequest storage;
  storage.mutable_query_resource_upload_info_request();
  EXPECT_EQ(client->request(storage).code(), 6000);
}

TEST_P(SessionTest, LogoutSendsCloseSignal500) {
  auto client = connect();
  ASSERT_EQ(client->login(14, "123").code(), 1000);
  pb::TurmsRequest logout;
  logout.set_request_id(77);
  logout.mutable_delete_session_request();
  client->send(logout);
  EXPECT_EQ(waitForCloseStatus(*client), 500);
  EXPECT_TRUE(waitForSocketClose(*client));
}

TEST_P(SessionTest, UndecodableRequestClosesOnlyThatConnection) {
  auto bystander = connect();
  ASSERT_EQ(bystander->login(15, "123").code(), 1000);
  auto client = connect();
  client->sendRawFrame(std::string("\xff\xff\xff\xff", 4));
  auto signal = client->waitFor(isCloseSignal, 5s);
  ASSERT_TRUE(signal.has_value());
  EXPECT_EQ(signal->notification.close_status(), 100);
  EXPECT_EQ(signal->notification.code(), 1100);
  EXPECT_TRUE(waitForSocketClose(*client));
  bystander->sendHeartbeat();
  EXPECT_TRUE(bystander->waitFor(isHeartbeat, 5s));
}

TEST_P(SessionTest, OversizedFrameClosesOnlyThatConnection) {
  auto bystander = connect();
  ASSERT_EQ(bystander->login(16, "123").code(), 1000);
  auto client = connect();
  try {
    client->sendRawFrame(std::string(17 * 1024, 'x'));
  } catch (const std::runtime_error&) {
    // The server may reject the frame from its header and close before all of it is written.
  }
  EXPECT_TRUE(waitForSocketClose(*client));
  bystander->sendHeartbeat();
  EXPECT_TRUE(bystander->waitFor(isHeartbeat, 5s));
}

INSTANTIATE_TEST_SUITE_P(Transports, SessionTest,
                         ::testing::Values(Transport::kWebSocket, Transport::kTcp),
                         [](const auto& info) { return transportName(info.param); });

class TcpFramingTest : public SharedParleySuite<TcpFramingTest> {};

TEST_F(TcpFramingTest, VarintLongerThanFiveBytesClosesTheConnection) {
  auto client = connectTo(*parley_, Transport::kTcp);
  client->sendRaw(std::string("\x80\x80\x80\x80\x80\x01", 6));
  EXPECT_TRUE(waitForSocketClose(*client));
  auto fresh = connectTo(*parley_, Transport::kTcp);
  EXPECT_EQ(fresh->login(1, "123").code(), 1000);
}

TEST_F(TcpFramingTest, FrameSplitAcrossWritesIsReassembled) {
  auto client = connectTo(*parley_, Transport::kTcp);
  pb::TurmsRequest request;
  request.set_request_id(5);
  auto* create = request.mutable_create_session_request();
  create->set_version(1);
  create->set_user_id(2);
  create->set_password("123");
  std::string payload = request.SerializeAsString();
  std::string framed = std::string(1, static_cast<char>(payload.size())) + payload;
  for (char byte : framed) {
    client->sendRaw(std::string(1, byte));
  }
  auto reply = client->waitFor(
      [](const Frame& f) {
        return f.kind == Frame::Kind::kNotification && f.notification.has_request_id();
      },
      5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->notification.request_id(), 5);
  EXPECT_EQ(reply->notification.code(), 1000);
}

}  // namespace
}  // namespace parley::testing
