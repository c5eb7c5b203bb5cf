// Messaging through real sockets with several clients logged in at once: private and group
// messages, pushes, offline pull, sequence ids, edit and recall, read dates, typing, restarts.
#include <gtest/gtest.h>

#include <thread>

#include "support/backend.h"
#include "support/client_requests.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

using requests::createGroupWith;
using requests::isMessagePush;
using requests::loggedIn;
using requests::queryMessages;
using requests::sendPrivate;
using requests::sendToGroup;

std::optional<Frame> nextMessagePush(TurmsClient& client, std::chrono::milliseconds timeout = 5s) {
  return client.waitFor(isMessagePush, timeout);
}

class MessagingTest : public SharedParleyOnBackend<MessagingTest> {
 public:
  static ParleyOptions parleyOptions() { return {.demo_user_count = 60}; }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, MessagingTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, MessagingTest, ::testing::Values(Backend::kMongo));

TEST_P(MessagingTest, PrivateMessageReachesEveryRecipientSessionAndTheSendersOtherSessions) {
  auto bob_desktop = loggedIn(*parley_, 2, pb::DESKTOP, Transport::kWebSocket);
  auto bob_phone = loggedIn(*parley_, 2, pb::ANDROID, Transport::kTcp);
  auto carol_desktop = loggedIn(*parley_, 3, pb::DESKTOP);
  auto carol_browser = loggedIn(*parley_, 3, pb::BROWSER, Transport::kWebSocket);

  auto response = sendPrivate(*carol_desktop, 2, "hello bob");
  ASSERT_EQ(response.code(), 1000);
  const int64_t message_id = response.data().long_();
  EXPECT_NE(message_id, 0);

  for (auto* client : {bob_desktop.get(), bob_phone.get(), carol_browser.get()}) {
    auto push = nextMessagePush(*client);
    ASSERT_TRUE(push.has_value());
    const auto& message = push->notification.relayed_request().create_message_request();
    EXPECT_EQ(message.message_id(), message_id);
    EXPECT_EQ(message.text(), "hello bob");
    EXPECT_EQ(message.recipient_id(), 2);
    EXPECT_GT(message.delivery_date(), 0);
    EXPECT_EQ(push->notification.requester_id(), 3);
    ASSERT_GE(push->notification.custom_attributes_size(), 1);  // the sequence id
    EXPECT_GT(push->notification.custom_attributes(0).int64_value(), 0);
  }
  // The sending session has its answer and gets no copy.
  EXPECT_FALSE(nextMessagePush(*carol_desktop, 300ms).has_value());
}

TEST_P(MessagingTest, OfflineRecipientPullsTheMessageLater) {
  auto sender = loggedIn(*parley_, 4);
  auto response = sendPrivate(*sender, 5, "while you were away");
  ASSERT_EQ(response.code(), 1000);
  auto recipient = loggedIn(*parley_, 5);
  auto messages = queryMessages(*recipient, false, {4});
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back().id(), response.data().long_());
  EXPECT_EQ(messages.back().text(), "while you were away");
  EXPECT_EQ(messages.back().sender_id(), 4);
}

TEST_P(MessagingTest, GroupMessageReachesEveryOnlineMemberOnce) {
  auto owner = loggedIn(*parley_, 21);
  const int64_t group = createGroupWith(*owner, {22, 23});
  auto member_a = loggedIn(*parley_, 22);
  auto member_b = loggedIn(*parley_, 23, pb::IOS, Transport::kWebSocket);
  auto outsider = loggedIn(*parley_, 24);
  auto response = sendToGroup(*owner, group, "hi all");
  ASSERT_EQ(response.code(), 1000);
  for (auto* member : {member_a.get(), member_b.get()}) {
    auto push = nextMessagePush(*member);
    ASSERT_TRUE(push.has_value());
    EXPECT_EQ(push->notification.relayed_request().create_message_request().group_id(), group);
    EXPECT_EQ(push->notification.relayed_request().create_message_request().message_id(),
              response.data().long_());
    EXPECT_FALSE(nextMessagePush(*member, 300ms).has_value()) << "delivered twice";
  }
  EXPECT_FALSE(nextMessagePush(*outsider, 300ms).has_value());
  auto history = queryMessages(*member_a, true, {group});
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].text(), "hi all");
  EXPECT_EQ(history[0].sequence_id(), 1);
}

// Non-members are guests, as upstream: the DEFAULT type does not let them speak (5009), and no
// type lets them read the group's messages (5300).
TEST_P(MessagingTest, NonMembersCanNeitherSendToNorReadAGroup) {
  auto owner = loggedIn(*parley_, 25);
  pb::TurmsRequest create;
  create.mutable_create_group_request()->set_name("members only");  // the DEFAULT type
  auto created = owner->request(create);
  ASSERT_EQ(created.code(), 1000);
  const int64_t group = created.data().long_();
  auto outsider = loggedIn(*parley_, 27);
  EXPECT_EQ(sendToGroup(*outsider, group, "let me in").code(), 5009);
  pb::TurmsRequest query;
  query.mutable_query_messages_request()->set_are_group_messages(true);
  query.mutable_query_messages_request()->add_from_ids(group);
  EXPECT_EQ(outsider->request(query).code(), 5300);
}

TEST_P(MessagingTest, BlockedSenderIsRefused) {
  auto blocker = loggedIn(*parley_, 28);
  pb::TurmsRequest block;
  block.mutable_create_relationship_request()->set_user_id(29);
  block.mutable_create_relationship_request()->set_blocked(true);
  ASSERT_EQ(blocker->request(block).code(), 1000);
  auto blocked = loggedIn(*parley_, 29);
  EXPECT_EQ(sendPrivate(*blocked, 28, "hello?").code(), 5002);
  EXPECT_FALSE(nextMessagePush(*blocker, 300ms).has_value());
}

TEST_P(MessagingTest, BadInputGetsTheDocumentedCodes) {
  auto client = loggedIn(*parley_, 30);
  EXPECT_EQ(sendPrivate(*client, 30, "me").code(), 5007);
  EXPECT_EQ(sendPrivate(*client, 999999, "nobody").code(), 5000);
  EXPECT_EQ(sendPrivate(*client, 31, std::string(501, 'x')).code(), 1102);
  EXPECT_NE(sendToGroup(*client, 987654321, "no such group").code(), 1000);
}

TEST_P(MessagingTest, EditAndRecallArePushedAndRecalledMessagesDisappear) {
  auto sender = loggedIn(*parley_, 32);
  auto recipient = loggedIn(*parley_, 33);
  auto sent = sendPrivate(*sender, 33, "tpyo");
  ASSERT_EQ(sent.code(), 1000);
  const int64_t id = sent.data().long_();
  ASSERT_TRUE(nextMessagePush(*recipient).has_value());

  pb::TurmsRequest edit;
  edit.mutable_update_message_request()->set_message_id(id);
  edit.mutable_update_message_request()->set_text("typo");
  ASSERT_EQ(sender->request(edit).code(), 1000);
  auto edited = recipient->waitFor(
      [](const Frame& f) { return isRelayed(f, pb::TurmsRequest::kUpdateMessageRequest); }, 5s);
  ASSERT_TRUE(edited.has_value());
  EXPECT_EQ(edited->notification.relayed_request().update_message_request().text(), "typo");

  // Someone else cannot edit it.
  EXPECT_EQ(recipient->request(edit).code(), 5101);

  pb::TurmsRequest recall;
  recall.mutable_update_message_request()->set_message_id(id);
  recall.mutable_update_message_request()->set_recall_date(
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
  ASSERT_EQ(sender->request(recall).code(), 1000);
  auto system = recipient->waitFor(
      [](const Frame& f) {
        return isMessagePush(f) &&
               f.notification.relayed_request().create_message_request().is_system_message();
      },
      5s);
  ASSERT_TRUE(system.has_value());
  const auto& records = system->notification.relayed_request().create_message_request().records();
  ASSERT_EQ(records.size(), 2);
  EXPECT_EQ(records[0], std::string(1, '\x01'));
  ASSERT_EQ(records[1].size(), 8u);
  int64_t recalled = 0;
  for (unsigned char byte : records[1]) recalled = (recalled << 8) | byte;
  EXPECT_EQ(recalled, id);
  for (const auto& message : queryMessages(*recipient, false, {32})) {
    EXPECT_NE(message.id(), id) << "a recalled message is still returned";
  }
}

TEST_P(MessagingTest, ForwardCopiesAnExistingMessage) {
  auto alice = loggedIn(*parley_, 34);
  auto original = sendPrivate(*alice, 35, "worth sharing");
  ASSERT_EQ(original.code(), 1000);
  auto charlie = loggedIn(*parley_, 36);
  pb::TurmsRequest forward;
  forward.mutable_create_message_request()->set_message_id(original.data().long_());
  forward.mutable_create_message_request()->set_recipient_id(36);
  auto forwarded = alice->request(forward);
  ASSERT_EQ(forwarded.code(), 1000);
  EXPECT_NE(forwarded.data().long_(), original.data().long_());
  auto push = nextMessagePush(*charlie);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->notification.relayed_request().create_message_request().text(), "worth sharing");
  // A stranger to the original cannot forward it.
  auto stranger = loggedIn(*parley_, 37);
  forward.mutable_create_message_request()->set_recipient_id(38);
  EXPECT_EQ(stranger->request(forward).code(), 5011);
}

TEST_P(MessagingTest, ReadDatesNeverMoveBackwards) {
  auto client = loggedIn(*parley_, 39);
  auto update = [&](std::optional<int64_t> date) {
    pb::TurmsRequest request;
    request.mutable_update_conversation_request()->set_user_id(40);
    if (date) request.mutable_update_conversation_request()->set_read_date(*date);
    return client->request(request).code();
  };
  auto readDate = [&]() -> int64_t {
    pb::TurmsRequest query;
    query.mutable_query_conversations_request()->add_user_ids(40);
    auto response = client->request(query);
    EXPECT_EQ(response.code(), 1000);
    for (const auto& c : response.data().conversations().private_conversations()) {
      if (c.owner_id() == 39 && c.target_id() == 40) return c.read_date();
    }
    ADD_FAILURE() << "no conversation 39 -> 40";
    return 0;
  };
  ASSERT_EQ(update(std::nullopt), 1000);
  const int64_t first = readDate();
  EXPECT_GT(first, 0);
  // As upstream by default, the server's clock sets read dates; a client asking for an older
  // date must not move the receipt back.
  update(1000);
  EXPECT_GE(readDate(), first);
}

TEST_P(MessagingTest, TypingIsRelayedBetweenFriends) {
  auto a = loggedIn(*parley_, 41);
  auto b = loggedIn(*parley_, 42);
  for (auto [client, other] : {std::pair{a.get(), 42}, std::pair{b.get(), 41}}) {
    pb::TurmsRequest befriend;
    befriend.mutable_create_relationship_request()->set_user_id(other);
    befriend.mutable_create_relationship_request()->set_blocked(false);
    ASSERT_EQ(client->request(befriend).code(), 1000);
  }
  pb::TurmsRequest typing;
  typing.mutable_update_typing_status_request()->set_is_group_message(false);
  typing.mutable_update_typing_status_request()->set_to_id(42);
  ASSERT_EQ(a->request(typing).code(), 1000);
  auto push = b->waitFor(
      [](const Frame& f) { return isRelayed(f, pb::TurmsRequest::kUpdateTypingStatusRequest); },
      5s);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->notification.requester_id(), 41);
  auto stranger = loggedIn(*parley_, 43);
  EXPECT_EQ(stranger->request(typing).code(), 4102);
}

TEST_P(MessagingTest, DemoDataHasUserOnesConversations) {
  auto client = loggedIn(*parley_, 2);
  auto messages = queryMessages(*client, false, {1});
  EXPECT_FALSE(messages.empty());
  auto group = queryMessages(*client, true, {1});
  EXPECT_FALSE(group.empty());
}

class MessagingRestart : public ::testing::TestWithParam<Backend> {};

INSTANTIATE_TEST_SUITE_P(Sqlite, MessagingRestart, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, MessagingRestart, ::testing::Values(Backend::kMongo));

TEST_P(MessagingRestart, SequenceIdsContinueAndAcknowledgedMessagesSurviveKillNine) {
  const TempDir dir("parley-seq");
  // Both processes use the same store: the data dir, or the same Mongo database.
  const ParleyOptions options =
      onBackend(GetParam(), {.data_dir = dir.path().string()}, uniqueDatabaseName("restart"));
  int64_t last_id = 0;
  {
    ParleyProcess parley(options);
    auto a = loggedIn(parley, 11);
    auto b = loggedIn(parley, 12);
    ASSERT_EQ(sendPrivate(*a, 12, "one").code(), 1000);
    ASSERT_EQ(sendPrivate(*b, 11, "two").code(), 1000);  // same conversation, other direction
    auto third = sendPrivate(*a, 12, "three");
    ASSERT_EQ(third.code(), 1000);
    last_id = third.data().long_();
    parley.kill9();  // right after the OK: nothing acknowledged may be lost
  }
  {
    ParleyProcess parley(options);
    auto a = loggedIn(parley, 11);
    auto b = loggedIn(parley, 12);
    ASSERT_EQ(sendPrivate(*a, 12, "four").code(), 1000);
    auto received = queryMessages(*b, false, {11});
    ASSERT_EQ(received.size(), 3u);  // one, three, four
    EXPECT_EQ(received[0].sequence_id(), 1);
    EXPECT_EQ(received[1].sequence_id(), 3);
    EXPECT_EQ(received[1].id(), last_id);
    EXPECT_EQ(received[2].sequence_id(), 4);
    auto sent_back = queryMessages(*a, false, {12});
    ASSERT_EQ(sent_back.size(), 1u);
    EXPECT_EQ(sent_back[0].sequence_id(), 2);
  }
}

}  // namespace
}  // namespace parley::testing
