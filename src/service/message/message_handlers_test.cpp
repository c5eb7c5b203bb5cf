#include "service/message/message_handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "store/store.h"
#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// A store whose message inserts fail, as when the disk is full or the database is gone.
class FailingInsertMessages final : public MessageRepository {
 public:
  explicit FailingInsertMessages(MessageRepository& real) : real_(real) {}
  VoidResult insert(const MessageRecord&) override {
    return error(StatusCode::kServerInternalError, "disk I/O error");
  }
  Result<int64_t> insertMany(std::span<const MessageRecord>) override {
    return error(StatusCode::kServerInternalError, "disk I/O error");
  }
  Result<std::optional<MessageRecord>> findById(int64_t id) override { return real_.findById(id); }
  Result<std::vector<MessageRecord>> query(const MessageQuery& query) override {
    return real_.query(query);
  }
  Result<std::vector<std::pair<int64_t, int64_t>>> countByConversation(
      const MessageQuery& query) override {
    return real_.countByConversation(query);
  }
  Result<bool> update(int64_t id, const MessageUpdate& update) override {
    return real_.update(id, update);
  }
  Result<int64_t> maxSequenceId(bool is_group, int64_t a, int64_t b) override {
    return real_.maxSequenceId(is_group, a, b);
  }

 private:
  MessageRepository& real_;
};

// Group members that can be changed but not listed: the read that finds who gets a push.
class FailingMemberListing final : public GroupMemberRepository {
 public:
  explicit FailingMemberListing(GroupMemberRepository& real) : real_(real) {}
  Result<int64_t> insertMany(std::span<const GroupMemberRecord> members) override {
    return real_.insertMany(members);
  }
  Result<int64_t> remove(int64_t group_id, std::span<const int64_t> user_ids,
                         int64_t now_millis) override {
    return real_.remove(group_id, user_ids, now_millis);
  }
  Result<int64_t> removeAll(int64_t group_id, int64_t now_millis) override {
    return real_.removeAll(group_id, now_millis);
  }
  Result<std::optional<GroupMemberRecord>> find(int64_t group_id, int64_t user_id) override {
    return real_.find(group_id, user_id);
  }
  Result<std::vector<GroupMemberRecord>> findMembers(int64_t group_id,
                                                     std::span<const int64_t> user_ids) override {
    return real_.findMembers(group_id, user_ids);
  }
  Result<std::vector<int64_t>> findMemberIds(int64_t) override {
    return error(StatusCode::kServerUnavailable, "mongo: server selection timeout");
  }
  Result<std::vector<int64_t>> findJoinedGroupIds(int64_t user_id) override {
    return real_.findJoinedGroupIds(user_id);
  }
  Result<std::vector<GroupMemberRecord>> search(const GroupMemberSearch& search, int64_t skip,
                                                int64_t limit) override {
    return real_.search(search, skip, limit);
  }
  Result<int64_t> count(const GroupMemberSearch& search) override { return real_.count(search); }
  Result<std::optional<int64_t>> findJoinedGroupsVersion(int64_t user_id) override {
    return real_.findJoinedGroupsVersion(user_id);
  }
  Result<bool> updateRole(int64_t group_id, int64_t user_id, int32_t role,
                          int64_t now_millis) override {
    return real_.updateRole(group_id, user_id, role, now_millis);
  }
  Result<bool> update(int64_t group_id, int64_t user_id, const GroupMemberUpdate& update,
                      int64_t now_millis) override {
    return real_.update(group_id, user_id, update, now_millis);
  }

 private:
  GroupMemberRepository& real_;
};

// The real store with message inserts failing, or (with failing_member_listing) with the
// listing of group members failing instead.
class FailingInsertStore final : public Store {
 public:
  explicit FailingInsertStore(Store& real, bool failing_member_listing = false)
      : real_(real),
        messages_(real.messages()),
        members_(real.groupMembers()),
        failing_member_listing_(failing_member_listing) {}
  UserRepository& users() override { return real_.users(); }
  MessageRepository& messages() override {
    return failing_member_listing_ ? real_.messages() : messages_;
  }
  GroupRepository& groups() override { return real_.groups(); }
  GroupMemberRepository& groupMembers() override {
    return failing_member_listing_ ? members_ : real_.groupMembers();
  }
  GroupBlocklistRepository& groupBlocklist() override { return real_.groupBlocklist(); }
  GroupInvitationRepository& groupInvitations() override { return real_.groupInvitations(); }
  GroupJoinRequestRepository& groupJoinRequests() override { return real_.groupJoinRequests(); }
  GroupJoinQuestionRepository& groupJoinQuestions() override { return real_.groupJoinQuestions(); }
  GroupTypeRepository& groupTypes() override { return real_.groupTypes(); }
  RelationshipRepository& relationships() override { return real_.relationships(); }
  RelationshipGroupRepository& relationshipGroups() override { return real_.relationshipGroups(); }
  UserValuesRepository& userSettings() override { return real_.userSettings(); }
  UserValuesRepository& userDefinedAttributes() override { return real_.userDefinedAttributes(); }
  FriendRequestRepository& friendRequests() override { return real_.friendRequests(); }
  ConversationRepository& conversations() override { return real_.conversations(); }
  SequenceIds& sequenceIds() override { return real_.sequenceIds(); }
  SequenceLeaseRepository& sequenceLeases() override { return real_.sequenceLeases(); }
  AdminAccountRepository& adminAccounts() override { return real_.adminAccounts(); }
  void flush() override { real_.flush(); }
  VoidResult ping() override { return real_.ping(); }
  Result<bool> isEmpty() override { return real_.isEmpty(); }
  Result<bool> claimDemoSeeding() override { return real_.claimDemoSeeding(); }
  Result<std::string> sharedSetting(std::string_view name, std::string_view value) override {
    return real_.sharedSetting(name, value);
  }

 private:
  Store& real_;
  FailingInsertMessages messages_;
  FailingMemberListing members_;
  const bool failing_member_listing_;
};

// The socket-free fixture: the real Dispatcher and handlers over a real SQLite store.
class MessageHandlersTest : public testing::ServiceTestFixture {
 protected:
  static constexpr int64_t kAlice = 11;
  static constexpr int64_t kBob = 12;
  static constexpr int64_t kCarol = 13;
  static constexpr int64_t kDave = 14;  // related to nobody, member of nothing
  static constexpr int64_t kInactive = 15;
  static constexpr int64_t kDeleted = 16;
  static constexpr int64_t kGroup = 500;       // alice (owner), bob (manager), carol (member)
  static constexpr int64_t kOtherGroup = 501;  // alice and dave

  MessageHandlersTest() : ServiceTestFixture(1'800'000'000'000) {}

  void SetUp() override {
    useStore(*store_);
    for (const int64_t id : {kAlice, kBob, kCarol, kDave, kInactive, kDeleted}) {
      UserRecord user = userRecord(id);
      user.is_active = id != kInactive;
      ASSERT_NO_FATAL_FAILURE(addUser(user));
    }
    ASSERT_TRUE(store_->users().softDelete(kDeleted, clock_.nowMillis()).value());
    addGroup(kGroup, kAlice,
             {{kAlice, kGroupRoleOwner}, {kBob, kGroupRoleManager}, {kCarol, kGroupRoleMember}});
    addGroup(kOtherGroup, kAlice, {{kAlice, kGroupRoleOwner}, {kDave, kGroupRoleMember}});
  }

  // (Re)builds the dispatcher over `store`.
  void useStore(Store& store) {
    dispatcher_ = Dispatcher();
    registerMessageHandlers(dispatcher_, deps(store));
  }

  void relate(int64_t owner, int64_t related, bool blocked) {
    RelationshipRecord relationship;
    relationship.owner_id = owner;
    relationship.related_user_id = related;
    relationship.establishment_date = clock_.nowMillis();
    if (blocked) relationship.block_date = clock_.nowMillis();
    ASSERT_TRUE(store_->relationships().upsert(relationship, clock_.nowMillis()).ok());
  }

  static TurmsRequest privateText(int64_t recipient, const std::string& text) {
    TurmsRequest request;
    request.set_request_id(++next_request_id_);
    auto* create = request.mutable_create_message_request();
    create->set_recipient_id(recipient);
    create->set_text(text);
    return request;
  }

  static TurmsRequest groupText(int64_t group_id, const std::string& text) {
    TurmsRequest request;
    request.set_request_id(++next_request_id_);
    auto* create = request.mutable_create_message_request();
    create->set_group_id(group_id);
    create->set_text(text);
    return request;
  }

  static TurmsRequest forward(int64_t message_id, int64_t recipient) {
    TurmsRequest request;
    request.set_request_id(++next_request_id_);
    auto* create = request.mutable_create_message_request();
    create->set_message_id(message_id);
    create->set_recipient_id(recipient);
    return request;
  }

  static TurmsRequest query(bool group) {
    TurmsRequest request;
    request.set_request_id(++next_request_id_);
    request.mutable_query_messages_request()->set_are_group_messages(group);
    return request;
  }

  static TurmsRequest edit(int64_t message_id, const std::string& text) {
    TurmsRequest request;
    request.set_request_id(++next_request_id_);
    request.mutable_update_message_request()->set_message_id(message_id);
    request.mutable_update_message_request()->set_text(text);
    return request;
  }

  static TurmsRequest recall(int64_t message_id) {
    TurmsRequest request;
    request.set_request_id(++next_request_id_);
    request.mutable_update_message_request()->set_message_id(message_id);
    request.mutable_update_message_request()->set_recall_date(1);  // the server uses its own time
    return request;
  }

  // Sends and expects OK; returns the new message id.
  int64_t send(int64_t from, const TurmsRequest& request) {
    const HandlerResult result = dispatch(from, request);
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    if (!result.data || !result.data->has_long_()) {
      ADD_FAILURE() << "no message id in the response";
      return 0;
    }
    return result.data->long_();
  }

  MessageRecord stored(int64_t id) {
    auto found = store_->messages().findById(id);
    EXPECT_TRUE(found.ok());
    if (!found.ok() || !found.value()) {
      ADD_FAILURE() << "message " << id << " is not stored";
      return {};
    }
    return *found.value();
  }

  static std::vector<int64_t> sorted(std::vector<int64_t> ids) {
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  static std::vector<int64_t> messageIds(const HandlerResult& result) {
    std::vector<int64_t> ids;
    if (result.data && result.data->has_messages()) {
      for (const auto& message : result.data->messages().messages()) ids.push_back(message.id());
    }
    return ids;
  }

  static inline int64_t next_request_id_ = 0;
};

// --- sending --------------------------------------------------------------------------------

TEST_F(MessageHandlersTest, PrivateMessageIsStoredAnsweredWithItsIdAndPushedToTheRecipient) {
  TurmsRequest request = privateText(kBob, "hello bob");
  request.mutable_create_message_request()->set_delivery_date(42);  // ignored: server time wins
  request.mutable_create_message_request()->set_burn_after(30);
  request.mutable_create_message_request()->set_pre_message_id(777);
  const HandlerResult result = dispatch(kAlice, request);
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  ASSERT_TRUE(result.data && result.data->has_long_());
  const int64_t id = result.data->long_();
  EXPECT_GT(id, 0);

  const MessageRecord message = stored(id);
  EXPECT_FALSE(message.is_group_message);
  EXPECT_FALSE(message.is_system_message);
  EXPECT_EQ(message.sender_id, kAlice);
  EXPECT_EQ(message.target_id, kBob);
  EXPECT_EQ(message.text, "hello bob");
  EXPECT_EQ(message.delivery_date, clock_.nowMillis());
  EXPECT_EQ(message.burn_after, std::optional<int32_t>(30));
  EXPECT_EQ(message.pre_message_id, std::optional<int64_t>(777));

  ASSERT_EQ(result.pushes.size(), 1u);
  const RelayPush& push = result.pushes[0];
  EXPECT_EQ(push.user_ids, std::vector<int64_t>{kBob});
  EXPECT_TRUE(push.include_requester_other_sessions);
  ASSERT_TRUE(push.request.has_value());
  EXPECT_EQ(push.request->request_id(), request.request_id());
  const auto& relayed = push.request->create_message_request();
  EXPECT_EQ(relayed.message_id(), id);
  EXPECT_EQ(relayed.delivery_date(), clock_.nowMillis());
  EXPECT_EQ(relayed.recipient_id(), kBob);
  EXPECT_EQ(relayed.text(), "hello bob");
  EXPECT_EQ(relayed.burn_after(), 30);
  EXPECT_EQ(relayed.pre_message_id(), 777);
  EXPECT_EQ(push.sequence_id, std::optional<int64_t>(1));
  EXPECT_EQ(control_.direct_pushes, 0);
}

TEST_F(MessageHandlersTest, RecordsOnlyMessageIsAccepted) {
  TurmsRequest request = privateText(kBob, "");
  request.mutable_create_message_request()->clear_text();
  request.mutable_create_message_request()->add_records(std::string("\x00\x01", 2));
  const int64_t id = send(kAlice, request);
  EXPECT_EQ(stored(id).records, std::vector<std::string>{std::string("\x00\x01", 2)});
}

TEST_F(MessageHandlersTest, GroupMessageIsOnePushToEveryMember) {
  const HandlerResult result = dispatch(kCarol, groupText(kGroup, "hi all"));
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  const MessageRecord message = stored(result.data->long_());
  EXPECT_TRUE(message.is_group_message);
  EXPECT_EQ(message.target_id, kGroup);
  EXPECT_EQ(message.sender_id, kCarol);

  ASSERT_EQ(result.pushes.size(), 1u);
  // The sender is included: the gateway skips the requesting session itself, so this single
  // push also reaches the sender's other devices.
  EXPECT_EQ(sorted(result.pushes[0].user_ids), (std::vector<int64_t>{kAlice, kBob, kCarol}));
  EXPECT_FALSE(result.pushes[0].include_requester_other_sessions);
  const auto& relayed = result.pushes[0].request->create_message_request();
  EXPECT_EQ(relayed.group_id(), kGroup);
  EXPECT_EQ(relayed.message_id(), message.id);
  EXPECT_EQ(relayed.delivery_date(), clock_.nowMillis());
}

TEST_F(MessageHandlersTest, NonMemberCannotSendToAGroup) {
  const HandlerResult result = dispatch(kDave, groupText(kGroup, "let me in"));
  EXPECT_EQ(result.status.code, StatusCode::kNotSpeakableGroupGuestToSendMessage);
  EXPECT_TRUE(result.pushes.empty());
  TurmsRequest everything = query(true);
  EXPECT_EQ(dispatch(kAlice, everything).status.code, StatusCode::kNoContent);
}

TEST_F(MessageHandlersTest, GroupStateIsChecked) {
  EXPECT_EQ(dispatch(kAlice, groupText(999, "anyone?")).status.code,
            StatusCode::kSendMessageToNonexistentGroup);

  ASSERT_TRUE(store_->groups().softDelete(kOtherGroup, clock_.nowMillis()).value());
  EXPECT_EQ(dispatch(kAlice, groupText(kOtherGroup, "still there?")).status.code,
            StatusCode::kSendMessageToNonexistentGroup);

  GroupRecord inactive;
  inactive.id = 502;
  inactive.owner_id = kAlice;
  inactive.creator_id = kAlice;
  inactive.is_active = false;
  ASSERT_TRUE(store_->groups().insert(inactive).ok());
  EXPECT_EQ(dispatch(kAlice, groupText(502, "hello?")).status.code,
            StatusCode::kSendMessageToInactiveGroup);
}

TEST_F(MessageHandlersTest, AMutedGroupSilencesEveryoneUnlessOwnersAndManagersMaySpeak) {
  GroupUpdate mute;
  mute.mute_end_date = clock_.nowMillis() + 60'000;
  mute.last_updated_date = clock_.nowMillis();
  ASSERT_TRUE(store_->groups().update(kGroup, mute).value());
  for (const int64_t member : {kAlice, kBob, kCarol}) {
    EXPECT_EQ(dispatch(member, groupText(kGroup, "x")).status.code,
              StatusCode::kSendMessageToMutedGroup);
  }
  message_config_.owner_and_managers_speak_in_muted_group = true;
  send(kAlice, groupText(kGroup, "owner speaks"));
  send(kBob, groupText(kGroup, "manager speaks"));
  EXPECT_EQ(dispatch(kCarol, groupText(kGroup, "x")).status.code,
            StatusCode::kSendMessageToMutedGroup);
  message_config_.owner_and_managers_speak_in_muted_group = false;
  clock_.advance(60'001);
  send(kCarol, groupText(kGroup, "the mute is over"));
}

TEST_F(MessageHandlersTest, GuestsSpeakWhereTheTypeLetsThemUnlessMutedOrBlocked) {
  updateGroupType(kDefaultGroupTypeId, {.guest_speakable = true});
  const HandlerResult spoken = dispatch(kDave, groupText(kGroup, "hello from outside"));
  ASSERT_EQ(spoken.status.code, StatusCode::kOk) << spoken.status.reason;
  ASSERT_EQ(spoken.pushes.size(), 1u);
  EXPECT_EQ(sorted(spoken.pushes[0].user_ids), (std::vector<int64_t>{kAlice, kBob, kCarol}));

  ASSERT_TRUE(store_->groupBlocklist().block({kGroup, kDave, 1, kAlice}, 1).ok());
  EXPECT_EQ(dispatch(kDave, groupText(kGroup, "x")).status.code,
            StatusCode::kBlockedUserSendGroupMessage);
  ASSERT_TRUE(store_->groupBlocklist().unblock(kGroup, kDave, clock_.nowMillis()).ok());
  GroupUpdate mute;
  mute.mute_end_date = clock_.nowMillis() + 60'000;
  mute.last_updated_date = clock_.nowMillis();
  ASSERT_TRUE(store_->groups().update(kGroup, mute).value());
  EXPECT_EQ(dispatch(kDave, groupText(kGroup, "x")).status.code,
            StatusCode::kSendMessageToMutedGroup);
}

TEST_F(MessageHandlersTest, MutedMemberCannotSend) {
  GroupMemberRecord muted;
  muted.group_id = kOtherGroup;
  muted.user_id = kCarol;
  muted.role = kGroupRoleMember;
  muted.mute_end_date = clock_.nowMillis() + 1000;
  ASSERT_TRUE(store_->groupMembers().insertMany(std::vector<GroupMemberRecord>{muted}).ok());
  EXPECT_EQ(dispatch(kCarol, groupText(kOtherGroup, "x")).status.code,
            StatusCode::kMutedGroupMemberSendMessage);
  clock_.advance(1001);
  send(kCarol, groupText(kOtherGroup, "unmuted"));
}

TEST_F(MessageHandlersTest, BlockedSenderIsRefused) {
  relate(kBob, kAlice, /*blocked=*/true);
  const HandlerResult result = dispatch(kAlice, privateText(kBob, "hi?"));
  EXPECT_EQ(result.status.code, StatusCode::kBlockedUserSendPrivateMessage);
  EXPECT_TRUE(result.pushes.empty());
  // Blocking is one-sided: Bob can still write to Alice.
  send(kBob, privateText(kAlice, "but I can write to you"));
}

TEST_F(MessageHandlersTest, SendingToOneselfFollowsTheConfiguration) {
  EXPECT_EQ(dispatch(kAlice, privateText(kAlice, "note to self")).status.code,
            StatusCode::kSendingMessagesToOneselfIsDisabled);
  message_config_.allow_send_to_oneself = true;
  const HandlerResult result = dispatch(kAlice, privateText(kAlice, "note to self"));
  ASSERT_EQ(result.status.code, StatusCode::kOk);
  ASSERT_EQ(result.pushes.size(), 1u);
  // One push to the sender's user id reaches its other devices, and only once.
  EXPECT_EQ(result.pushes[0].user_ids, std::vector<int64_t>{kAlice});
  EXPECT_FALSE(result.pushes[0].include_requester_other_sessions);
}

TEST_F(MessageHandlersTest, RecipientMustExistAndBeActive) {
  EXPECT_EQ(dispatch(kAlice, privateText(404, "x")).status.code,
            StatusCode::kMessageRecipientNotActive);
  EXPECT_EQ(dispatch(kAlice, privateText(kInactive, "x")).status.code,
            StatusCode::kMessageRecipientNotActive);
  EXPECT_EQ(dispatch(kAlice, privateText(kDeleted, "x")).status.code,
            StatusCode::kMessageRecipientNotActive);
}

TEST_F(MessageHandlersTest, StrangersAreRefusedWhenConfigured) {
  message_config_.allow_send_to_stranger = false;
  EXPECT_EQ(dispatch(kAlice, privateText(kBob, "x")).status.code,
            StatusCode::kNotFriendToSendPrivateMessage);
  relate(kBob, kAlice, /*blocked=*/false);  // Bob has Alice as a contact
  send(kAlice, privateText(kBob, "we are friends now"));
  // Alice having Bob is not enough for Bob to write to Alice.
  EXPECT_EQ(dispatch(kBob, privateText(kAlice, "x")).status.code,
            StatusCode::kNotFriendToSendPrivateMessage);
}

TEST_F(MessageHandlersTest, InvalidMessagesAreRejected) {
  message_config_.max_text_length = 5;
  // Limits count characters (code points), not bytes.
  send(kAlice, privateText(kBob, "ééééé"));
  EXPECT_EQ(dispatch(kAlice, privateText(kBob, "éééééé")).status.code,
            StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(kAlice, privateText(kBob, "")).status.code, StatusCode::kIllegalArgument);

  message_config_.max_records_size_bytes = 4;
  TurmsRequest big = privateText(kBob, "x");
  big.mutable_create_message_request()->add_records("abc");
  big.mutable_create_message_request()->add_records("de");
  EXPECT_EQ(dispatch(kAlice, big).status.code, StatusCode::kIllegalArgument);

  TurmsRequest both = privateText(kBob, "x");
  both.mutable_create_message_request()->set_group_id(kGroup);
  EXPECT_EQ(dispatch(kAlice, both).status.code, StatusCode::kIllegalArgument);
  TurmsRequest neither = privateText(kBob, "x");
  neither.mutable_create_message_request()->clear_recipient_id();
  EXPECT_EQ(dispatch(kAlice, neither).status.code, StatusCode::kIllegalArgument);

  TurmsRequest system = privateText(kBob, "I am the server");
  system.mutable_create_message_request()->set_is_system_message(true);
  EXPECT_EQ(dispatch(kAlice, system).status.code, StatusCode::kUnauthorizedRequest);

  TurmsRequest count = query(false);
  const HandlerResult all = dispatch(kBob, count);
  EXPECT_EQ(messageIds(all).size(), 1u);  // only the first, valid message was stored
}

TEST_F(MessageHandlersTest, StoreFailureIsServerUnavailableWithNothingPushedOrStored) {
  FailingInsertStore failing(*store_);
  useStore(failing);
  const HandlerResult result = dispatch(kAlice, privateText(kBob, "lost?"));
  EXPECT_EQ(result.status.code, StatusCode::kServerUnavailable);
  EXPECT_FALSE(result.data.has_value());
  EXPECT_TRUE(result.pushes.empty());

  useStore(*store_);
  EXPECT_EQ(dispatch(kBob, query(false)).status.code, StatusCode::kNoContent);
  // The sequence id the failed send took is skipped, never reused.
  const HandlerResult next = dispatch(kAlice, privateText(kBob, "again"));
  ASSERT_EQ(next.status.code, StatusCode::kOk);
  EXPECT_EQ(next.pushes[0].sequence_id, std::optional<int64_t>(2));
}

// A message whose recipients cannot be read would be stored but reach nobody until they pull,
// which a connected client never does by itself: it is refused before it is stored instead, and
// so are a recall and an edit.
TEST_F(MessageHandlersTest, AGroupMessageWhoseMembersCannotBeReadIsRefusedNotStored) {
  const int64_t earlier = send(kAlice, groupText(kGroup, "before the outage"));
  FailingInsertStore failing(*store_, /*failing_member_listing=*/true);
  useStore(failing);
  const HandlerResult result = dispatch(kCarol, groupText(kGroup, "during the outage"));
  EXPECT_EQ(result.status.code, StatusCode::kServerUnavailable);
  EXPECT_TRUE(result.pushes.empty());
  TurmsRequest recall;
  recall.mutable_update_message_request()->set_message_id(earlier);
  recall.mutable_update_message_request()->set_recall_date(clock_.nowMillis());
  EXPECT_EQ(dispatch(kAlice, recall).status.code, StatusCode::kServerUnavailable);
  TurmsRequest edit;
  edit.mutable_update_message_request()->set_message_id(earlier);
  edit.mutable_update_message_request()->set_text("edited");
  EXPECT_EQ(dispatch(kAlice, edit).status.code, StatusCode::kServerUnavailable);

  useStore(*store_);
  const HandlerResult stored = dispatch(kBob, query(true));
  EXPECT_EQ(messageIds(stored), (std::vector<int64_t>{earlier}));  // untouched, nothing added
  auto original = store_->messages().findById(earlier);
  ASSERT_TRUE(original.ok() && original->has_value());
  EXPECT_EQ((*original)->text, "before the outage");
  EXPECT_FALSE((*original)->recall_date.has_value());
}

// --- forwarding -----------------------------------------------------------------------------

TEST_F(MessageHandlersTest, ForwardCopiesTheOriginalToTheNewTarget) {
  TurmsRequest original_request = privateText(kBob, "worth sharing");
  original_request.mutable_create_message_request()->add_records("attachment");
  const int64_t original = send(kAlice, original_request);

  TurmsRequest request = forward(original, kCarol);
  request.mutable_create_message_request()->set_text("ignored: a forward copies the original");
  const HandlerResult result = dispatch(kBob, request);
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  const int64_t copy_id = result.data->long_();
  EXPECT_NE(copy_id, original);

  const MessageRecord copy = stored(copy_id);
  EXPECT_EQ(copy.sender_id, kBob);
  EXPECT_EQ(copy.target_id, kCarol);
  EXPECT_EQ(copy.text, "worth sharing");
  EXPECT_EQ(copy.records, std::vector<std::string>{"attachment"});
  EXPECT_EQ(copy.reference_id, std::optional<int64_t>(original));

  ASSERT_EQ(result.pushes.size(), 1u);
  EXPECT_EQ(result.pushes[0].user_ids, std::vector<int64_t>{kCarol});
  const auto& relayed = result.pushes[0].request->create_message_request();
  EXPECT_EQ(relayed.message_id(), copy_id);
  EXPECT_EQ(relayed.text(), "worth sharing");
  ASSERT_EQ(relayed.records_size(), 1);
  EXPECT_EQ(relayed.records(0), "attachment");
  EXPECT_EQ(relayed.recipient_id(), kCarol);

  // The sender may forward it too.
  send(kAlice, forward(original, kCarol));
}

TEST_F(MessageHandlersTest, ForwardIsRefusedToStrangersOfTheOriginal) {
  const int64_t original = send(kAlice, privateText(kBob, "between us"));
  EXPECT_EQ(dispatch(kDave, forward(original, kCarol)).status.code,
            StatusCode::kNotMessageRecipientOrSenderToForwardMessage);
  EXPECT_EQ(dispatch(kBob, forward(404, kCarol)).status.code,
            StatusCode::kNotMessageRecipientOrSenderToForwardMessage);

  // Group messages: members may forward, others may not.
  const int64_t group_message = send(kAlice, groupText(kGroup, "group news"));
  send(kCarol, forward(group_message, kBob));
  EXPECT_EQ(dispatch(kDave, forward(group_message, kAlice)).status.code,
            StatusCode::kNotMessageRecipientOrSenderToForwardMessage);
}

TEST_F(MessageHandlersTest, ForwardStillChecksTheNewTarget) {
  const int64_t original = send(kAlice, privateText(kBob, "hi"));
  relate(kCarol, kBob, /*blocked=*/true);
  EXPECT_EQ(dispatch(kBob, forward(original, kCarol)).status.code,
            StatusCode::kBlockedUserSendPrivateMessage);
}

// --- sequence ids ---------------------------------------------------------------------------

TEST_F(MessageHandlersTest, SequenceIdsArePerConversationAndSurviveRestarts) {
  auto sequenceOf = [&](int64_t from, const TurmsRequest& request) {
    const HandlerResult result = dispatch(from, request);
    EXPECT_EQ(result.status.code, StatusCode::kOk);
    if (result.pushes.empty() || !result.data) return int64_t{-1};
    EXPECT_EQ(stored(result.data->long_()).sequence_id, result.pushes[0].sequence_id.value_or(0));
    return result.pushes[0].sequence_id.value_or(0);
  };
  EXPECT_EQ(sequenceOf(kAlice, privateText(kBob, "1")), 1);
  EXPECT_EQ(sequenceOf(kBob, privateText(kAlice, "2")), 2);  // shared by both directions
  EXPECT_EQ(sequenceOf(kAlice, privateText(kBob, "3")), 3);
  EXPECT_EQ(sequenceOf(kAlice, privateText(kCarol, "1")), 1);
  EXPECT_EQ(sequenceOf(kAlice, groupText(kGroup, "1")), 1);
  EXPECT_EQ(sequenceOf(kBob, groupText(kGroup, "2")), 2);

  store_->flush();
  reopenStore();
  useStore(*store_);
  EXPECT_EQ(sequenceOf(kBob, privateText(kAlice, "4")), 4);
  EXPECT_EQ(sequenceOf(kCarol, groupText(kGroup, "3")), 3);

  // And queries return them.
  TurmsRequest request = query(false);
  request.mutable_query_messages_request()->add_from_ids(kBob);
  const HandlerResult found = dispatch(kAlice, request);
  ASSERT_EQ(found.status.code, StatusCode::kOk);
  std::vector<int32_t> sequence_ids;
  for (const auto& message : found.data->messages().messages()) {
    sequence_ids.push_back(message.sequence_id());
  }
  EXPECT_EQ(sequence_ids, (std::vector<int32_t>{2, 4}));
}

TEST_F(MessageHandlersTest, SequenceIdsCanBeTurnedOff) {
  message_config_.use_sequence_ids = false;
  const HandlerResult result = dispatch(kAlice, privateText(kBob, "no sequence"));
  ASSERT_EQ(result.status.code, StatusCode::kOk);
  EXPECT_FALSE(result.pushes[0].sequence_id.has_value());
  EXPECT_EQ(stored(result.data->long_()).sequence_id, 0);
  const HandlerResult found = dispatch(kBob, query(false));
  ASSERT_EQ(found.data->messages().messages_size(), 1);
  EXPECT_FALSE(found.data->messages().messages(0).has_sequence_id());
}

// --- querying -------------------------------------------------------------------------------

class MessageQueryTest : public MessageHandlersTest {
 protected:
  void SetUp() override {
    MessageHandlersTest::SetUp();
    start_ = clock_.nowMillis();
    // To Bob: from Alice at +0, +10, +20 and from Carol at +5, +15. To Alice: from Bob at +30.
    a0_ = sendAt(0, kAlice, privateText(kBob, "a0"));
    c5_ = sendAt(5, kCarol, privateText(kBob, "c5"));
    a10_ = sendAt(10, kAlice, privateText(kBob, "a10"));
    c15_ = sendAt(15, kCarol, privateText(kBob, "c15"));
    a20_ = sendAt(20, kAlice, privateText(kBob, "a20"));
    b30_ = sendAt(30, kBob, privateText(kAlice, "b30"));
  }

  int64_t sendAt(int64_t offset, int64_t from, const TurmsRequest& request) {
    clock_.advance(start_ + offset - clock_.nowMillis());
    return send(from, request);
  }

  int64_t start_ = 0;
  int64_t a0_ = 0, c5_ = 0, a10_ = 0, c15_ = 0, a20_ = 0, b30_ = 0;
};

TEST_F(MessageQueryTest, PrivateQueryReturnsMessagesAddressedToTheRequester) {
  const HandlerResult all = dispatch(kBob, query(false));
  ASSERT_EQ(all.status.code, StatusCode::kOk);
  EXPECT_EQ(messageIds(all), (std::vector<int64_t>{a0_, c5_, a10_, c15_, a20_}));

  const pb::Message& first = all.data->messages().messages(0);
  EXPECT_EQ(first.id(), a0_);
  EXPECT_EQ(first.sender_id(), kAlice);
  EXPECT_EQ(first.recipient_id(), kBob);
  EXPECT_FALSE(first.has_group_id());
  EXPECT_EQ(first.text(), "a0");
  EXPECT_EQ(first.delivery_date(), start_);
  EXPECT_FALSE(first.is_system_message());
  EXPECT_EQ(first.sequence_id(), 1);

  EXPECT_EQ(messageIds(dispatch(kAlice, query(false))), std::vector<int64_t>{b30_});
  EXPECT_EQ(dispatch(kDave, query(false)).status.code, StatusCode::kNoContent);
}

TEST_F(MessageQueryTest, PrivateQueryFilters) {
  TurmsRequest from_alice = query(false);
  from_alice.mutable_query_messages_request()->add_from_ids(kAlice);
  EXPECT_EQ(messageIds(dispatch(kBob, from_alice)), (std::vector<int64_t>{a0_, a10_, a20_}));

  TurmsRequest range = query(false);
  range.mutable_query_messages_request()->set_delivery_date_start(start_ + 5);
  range.mutable_query_messages_request()->set_delivery_date_end(start_ + 20);
  EXPECT_EQ(messageIds(dispatch(kBob, range)), (std::vector<int64_t>{c5_, a10_, c15_}));

  TurmsRequest latest_two = query(false);
  latest_two.mutable_query_messages_request()->set_max_count(2);
  latest_two.mutable_query_messages_request()->set_descending(true);
  EXPECT_EQ(messageIds(dispatch(kBob, latest_two)), (std::vector<int64_t>{a20_, c15_}));

  TurmsRequest by_id = query(false);
  by_id.mutable_query_messages_request()->add_ids(c15_);
  by_id.mutable_query_messages_request()->add_ids(b30_);  // Alice's, not Bob's
  EXPECT_EQ(messageIds(dispatch(kBob, by_id)), std::vector<int64_t>{c15_});

  TurmsRequest unset;
  unset.set_request_id(1);
  unset.mutable_query_messages_request();
  EXPECT_EQ(dispatch(kBob, unset).status.code, StatusCode::kInvalidRequest);

  TurmsRequest negative = query(false);
  negative.mutable_query_messages_request()->set_max_count(-1);
  EXPECT_EQ(dispatch(kBob, negative).status.code, StatusCode::kIllegalArgument);
}

TEST_F(MessageQueryTest, WithTotalCountsEachConversationInTheRange) {
  TurmsRequest request = query(false);
  request.mutable_query_messages_request()->set_with_total(true);
  request.mutable_query_messages_request()->set_descending(true);
  const HandlerResult result = dispatch(kBob, request);
  ASSERT_EQ(result.status.code, StatusCode::kOk);
  ASSERT_TRUE(result.data->has_messages_with_total_list());
  const auto& list = result.data->messages_with_total_list().messages_with_total_list();
  ASSERT_EQ(list.size(), 2);
  // Default max_count with totals is 1: the total plus the latest message of each conversation.
  EXPECT_EQ(list[0].from_id(), kAlice);
  EXPECT_FALSE(list[0].is_group_message());
  EXPECT_EQ(list[0].total(), 3);
  ASSERT_EQ(list[0].messages_size(), 1);
  EXPECT_EQ(list[0].messages(0).id(), a20_);
  EXPECT_EQ(list[1].from_id(), kCarol);
  EXPECT_EQ(list[1].total(), 2);
  ASSERT_EQ(list[1].messages_size(), 1);
  EXPECT_EQ(list[1].messages(0).id(), c15_);

  request.mutable_query_messages_request()->set_delivery_date_start(start_ + 11);
  request.mutable_query_messages_request()->set_max_count(5);
  const HandlerResult since = dispatch(kBob, request);
  const auto& recent = since.data->messages_with_total_list().messages_with_total_list();
  ASSERT_EQ(recent.size(), 2);
  EXPECT_EQ(recent[0].total(), 1);
  EXPECT_EQ(recent[0].messages_size(), 1);
  EXPECT_EQ(recent[1].total(), 1);

  request.mutable_query_messages_request()->set_delivery_date_start(start_ + 1000);
  EXPECT_EQ(dispatch(kBob, request).status.code, StatusCode::kNoContent);
}

TEST_F(MessageQueryTest, GroupQueryNeedsMembership) {
  const int64_t g1 = send(kAlice, groupText(kGroup, "g1"));
  const int64_t g2 = send(kCarol, groupText(kGroup, "g2"));
  const int64_t other = send(kDave, groupText(kOtherGroup, "other"));

  TurmsRequest mine = query(true);
  mine.mutable_query_messages_request()->add_from_ids(kGroup);
  const HandlerResult result = dispatch(kBob, mine);
  ASSERT_EQ(result.status.code, StatusCode::kOk);
  EXPECT_EQ(messageIds(result), (std::vector<int64_t>{g1, g2}));
  EXPECT_EQ(result.data->messages().messages(0).group_id(), kGroup);
  EXPECT_FALSE(result.data->messages().messages(0).has_recipient_id());

  // Empty from_ids: every joined group.
  EXPECT_EQ(messageIds(dispatch(kAlice, query(true))), (std::vector<int64_t>{g1, g2, other}));
  EXPECT_EQ(messageIds(dispatch(kBob, query(true))), (std::vector<int64_t>{g1, g2}));

  TurmsRequest not_mine = query(true);
  not_mine.mutable_query_messages_request()->add_from_ids(kGroup);
  not_mine.mutable_query_messages_request()->add_from_ids(kOtherGroup);
  EXPECT_EQ(dispatch(kBob, not_mine).status.code, StatusCode::kNotGroupMemberToQueryGroupMessages);
  EXPECT_EQ(dispatch(kCarol, query(true)).status.code, StatusCode::kOk);
  TurmsRequest none = query(true);
  EXPECT_EQ(dispatch(kInactive, none).status.code, StatusCode::kNoContent);

  TurmsRequest totals = query(true);
  totals.mutable_query_messages_request()->set_with_total(true);
  const HandlerResult counted = dispatch(kAlice, totals);
  const auto& list = counted.data->messages_with_total_list().messages_with_total_list();
  ASSERT_EQ(list.size(), 2);
  EXPECT_EQ(list[0].from_id(), kGroup);
  EXPECT_TRUE(list[0].is_group_message());
  EXPECT_EQ(list[0].total(), 2);
  EXPECT_EQ(list[1].from_id(), kOtherGroup);
  EXPECT_EQ(list[1].total(), 1);
}

// --- editing and recalling ------------------------------------------------------------------

TEST_F(MessageHandlersTest, OnlyTheSenderEdits) {
  const int64_t id = send(kAlice, privateText(kBob, "typo"));
  clock_.advance(1000);
  const HandlerResult result = dispatch(kAlice, edit(id, "fixed"));
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  const MessageRecord message = stored(id);
  EXPECT_EQ(message.text, "fixed");
  EXPECT_EQ(message.modification_date, std::optional<int64_t>(clock_.nowMillis()));
  ASSERT_EQ(result.pushes.size(), 1u);
  EXPECT_EQ(result.pushes[0].user_ids, std::vector<int64_t>{kBob});
  EXPECT_TRUE(result.pushes[0].include_requester_other_sessions);
  EXPECT_FALSE(result.pushes[0].request.has_value());  // the client's own request, as is

  EXPECT_EQ(dispatch(kBob, edit(id, "hijacked")).status.code,
            StatusCode::kNotSenderToUpdateMessage);
  EXPECT_EQ(dispatch(kBob, edit(404, "nothing")).status.code,
            StatusCode::kNotSenderToUpdateMessage);
  EXPECT_EQ(stored(id).text, "fixed");

  TurmsRequest query_request = query(false);
  const HandlerResult found = dispatch(kBob, query_request);
  ASSERT_EQ(found.data->messages().messages_size(), 1);
  EXPECT_EQ(found.data->messages().messages(0).text(), "fixed");
  EXPECT_EQ(found.data->messages().messages(0).modification_date(), clock_.nowMillis());

  message_config_.max_text_length = 3;
  EXPECT_EQ(dispatch(kAlice, edit(id, "too long")).status.code, StatusCode::kIllegalArgument);
  message_config_.allow_edit = false;
  EXPECT_EQ(dispatch(kAlice, edit(id, "no")).status.code,
            StatusCode::kUpdatingMessageBySenderIsDisabled);
}

TEST_F(MessageHandlersTest, GroupEditGoesToEveryMember) {
  const int64_t id = send(kBob, groupText(kGroup, "draft"));
  const HandlerResult result = dispatch(kBob, edit(id, "final"));
  ASSERT_EQ(result.status.code, StatusCode::kOk);
  ASSERT_EQ(result.pushes.size(), 1u);
  EXPECT_EQ(sorted(result.pushes[0].user_ids), (std::vector<int64_t>{kAlice, kBob, kCarol}));
  EXPECT_FALSE(result.pushes[0].include_requester_other_sessions);
}

TEST_F(MessageHandlersTest, RecallWithinTheWindowHidesTheMessageAndAnnouncesIt) {
  const int64_t id = send(kAlice, privateText(kBob, "oops"));
  clock_.advance(int64_t{message_config_.recall_window_seconds} * 1000);  // the last moment
  const HandlerResult result = dispatch(kAlice, recall(id));
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  EXPECT_EQ(stored(id).recall_date, std::optional<int64_t>(clock_.nowMillis()));

  ASSERT_EQ(result.pushes.size(), 2u);
  const RelayPush& update = result.pushes[0];
  EXPECT_EQ(update.user_ids, std::vector<int64_t>{kBob});
  EXPECT_TRUE(update.include_requester_other_sessions);
  ASSERT_TRUE(update.request && update.request->has_update_message_request());
  EXPECT_EQ(update.request->update_message_request().message_id(), id);
  EXPECT_EQ(update.request->update_message_request().recall_date(), clock_.nowMillis());

  const RelayPush& notice = result.pushes[1];
  EXPECT_EQ(notice.user_ids, std::vector<int64_t>{kBob});
  EXPECT_TRUE(notice.include_requester_other_sessions);
  ASSERT_TRUE(notice.request && notice.request->has_create_message_request());
  const auto& create = notice.request->create_message_request();
  EXPECT_TRUE(create.is_system_message());
  EXPECT_EQ(create.recipient_id(), kBob);
  EXPECT_EQ(create.delivery_date(), clock_.nowMillis());
  ASSERT_EQ(create.records_size(), 2);
  EXPECT_EQ(create.records(0), std::string("\x01", 1));
  std::string id_bytes;
  for (int shift = 56; shift >= 0; shift -= 8) {
    id_bytes += static_cast<char>((static_cast<uint64_t>(id) >> shift) & 0xFF);
  }
  EXPECT_EQ(create.records(1), id_bytes);
  EXPECT_EQ(notice.sequence_id, std::optional<int64_t>(2));

  // The notice is a stored message, so Bob learns of the recall even if he was offline; the
  // recalled message itself no longer shows up.
  const MessageRecord stored_notice = stored(create.message_id());
  EXPECT_TRUE(stored_notice.is_system_message);
  EXPECT_EQ(stored_notice.sender_id, kAlice);
  EXPECT_EQ(stored_notice.records, (std::vector<std::string>{std::string("\x01", 1), id_bytes}));
  const HandlerResult pulled = dispatch(kBob, query(false));
  EXPECT_EQ(messageIds(pulled), std::vector<int64_t>{create.message_id()});
  EXPECT_TRUE(pulled.data->messages().messages(0).is_system_message());

  EXPECT_EQ(dispatch(kAlice, recall(id)).status.code, StatusCode::kRecallNonexistentMessage);
  EXPECT_EQ(dispatch(kAlice, edit(id, "edit a recalled one")).status.code,
            StatusCode::kNotSenderToUpdateMessage);
  EXPECT_EQ(dispatch(kBob, forward(id, kCarol)).status.code,
            StatusCode::kNotMessageRecipientOrSenderToForwardMessage);
}

TEST_F(MessageHandlersTest, RecallAfterTheWindowTimesOut) {
  const int64_t id = send(kAlice, privateText(kBob, "too late"));
  clock_.advance(int64_t{message_config_.recall_window_seconds} * 1000 + 1);
  const HandlerResult result = dispatch(kAlice, recall(id));
  EXPECT_EQ(result.status.code, StatusCode::kMessageRecallTimeout);
  EXPECT_TRUE(result.pushes.empty());
  EXPECT_FALSE(stored(id).recall_date.has_value());
  EXPECT_EQ(messageIds(dispatch(kBob, query(false))), std::vector<int64_t>{id});
}

TEST_F(MessageHandlersTest, OnlyTheSenderRecallsAnExistingMessage) {
  const int64_t id = send(kAlice, privateText(kBob, "mine"));
  EXPECT_EQ(dispatch(kBob, recall(id)).status.code, StatusCode::kNotSenderToRecallMessage);
  EXPECT_EQ(dispatch(kAlice, recall(404)).status.code, StatusCode::kRecallNonexistentMessage);
  EXPECT_FALSE(stored(id).recall_date.has_value());

  // Nobody recalls a system message: the server sent it, whatever its sender id says.
  ASSERT_EQ(dispatch(kAlice, recall(id)).status.code, StatusCode::kOk);
  TurmsRequest system_only = query(false);
  system_only.mutable_query_messages_request()->set_are_system_messages(true);
  const HandlerResult notices = dispatch(kBob, system_only);
  ASSERT_EQ(messageIds(notices).size(), 1u);
  EXPECT_EQ(dispatch(kAlice, recall(messageIds(notices)[0])).status.code,
            StatusCode::kNotSenderToRecallMessage);
}

TEST_F(MessageHandlersTest, GroupRecallAnnouncesToEveryMember) {
  const int64_t id = send(kCarol, groupText(kGroup, "wrong group"));
  const HandlerResult result = dispatch(kCarol, recall(id));
  ASSERT_EQ(result.status.code, StatusCode::kOk);
  ASSERT_EQ(result.pushes.size(), 2u);
  for (const RelayPush& push : result.pushes) {
    EXPECT_EQ(sorted(push.user_ids), (std::vector<int64_t>{kAlice, kBob, kCarol}));
  }
  const auto& notice = result.pushes[1].request->create_message_request();
  EXPECT_EQ(notice.group_id(), kGroup);
  EXPECT_TRUE(notice.is_system_message());
  EXPECT_EQ(messageIds(dispatch(kAlice, query(true))), std::vector<int64_t>{notice.message_id()});
}

}  // namespace
}  // namespace parley
