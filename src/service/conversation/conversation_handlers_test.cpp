#include "service/conversation/conversation_handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "service/relationship/relationship_handlers.h"
#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// The real dispatcher over a real SQLite store, without sockets. Users 1..5; group 10 has
// members 1, 2 and 3; user 4 is in no group; group 11 is deleted; group 12 has member 4.
class ConversationHandlersTest : public testing::ServiceTestFixture {
 protected:
  static constexpr int64_t kGroupId = 10;
  static constexpr int64_t kDeletedGroupId = 11;
  static constexpr int64_t kOtherGroupId = 12;

  ConversationHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    registerConversationHandlers(dispatcher_, deps());
    registerRelationshipHandlers(dispatcher_, deps());
    for (int64_t id = 1; id <= 5; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
    ASSERT_NO_FATAL_FAILURE(addGroup(
        kGroupId, 1, {{1, kGroupRoleOwner}, {2, kGroupRoleMember}, {3, kGroupRoleMember}}));
    ASSERT_NO_FATAL_FAILURE(addGroup(kDeletedGroupId, 1, {{1, kGroupRoleOwner}}));
    ASSERT_TRUE(store_->groups().softDelete(kDeletedGroupId, clock_.nowMillis()).ok());
    ASSERT_NO_FATAL_FAILURE(addGroup(kOtherGroupId, 4, {{4, kGroupRoleOwner}}));
  }

  void TearDown() override {
    EXPECT_EQ(control_.directly_pushed_users, 0);
    EXPECT_EQ(control_.closes, 0);
  }

  void relate(int64_t owner_id, int64_t related_user_id, bool blocked = false) {
    TurmsRequest request;
    request.set_request_id(1);
    request.mutable_create_relationship_request()->set_user_id(related_user_id);
    request.mutable_create_relationship_request()->set_blocked(blocked);
    ASSERT_EQ(dispatch(owner_id, request).status.code, StatusCode::kOk);
  }

  static TurmsRequest readPrivate(int64_t user_id, int64_t client_read_date = 5) {
    TurmsRequest request;
    request.set_request_id(2);
    request.mutable_update_conversation_request()->set_user_id(user_id);
    request.mutable_update_conversation_request()->set_read_date(client_read_date);
    return request;
  }

  static TurmsRequest readGroup(int64_t group_id) {
    TurmsRequest request;
    request.set_request_id(3);
    request.mutable_update_conversation_request()->set_group_id(group_id);
    request.mutable_update_conversation_request()->set_read_date(5);
    return request;
  }

  static TurmsRequest queryConversations(std::vector<int64_t> user_ids,
                                         std::vector<int64_t> group_ids) {
    TurmsRequest request;
    request.set_request_id(4);
    auto* query = request.mutable_query_conversations_request();
    for (const int64_t id : user_ids) query->add_user_ids(id);
    for (const int64_t id : group_ids) query->add_group_ids(id);
    return request;
  }

  static TurmsRequest typing(int64_t to_id, bool is_group) {
    TurmsRequest request;
    request.set_request_id(5);
    request.mutable_update_typing_status_request()->set_to_id(to_id);
    request.mutable_update_typing_status_request()->set_is_group_message(is_group);
    return request;
  }

  static pb::Value int64Value(int64_t value) {
    pb::Value proto;
    proto.set_int64_value(value);
    return proto;
  }
  static pb::Value stringValue(std::string value) {
    pb::Value proto;
    proto.set_string_value(std::move(value));
    return proto;
  }

  static TurmsRequest updateSettings(std::optional<int64_t> user_id,
                                     std::optional<int64_t> group_id,
                                     std::map<std::string, pb::Value> settings) {
    TurmsRequest request;
    request.set_request_id(6);
    auto* update = request.mutable_update_conversation_settings_request();
    if (user_id) update->set_user_id(*user_id);
    if (group_id) update->set_group_id(*group_id);
    for (auto& [name, value] : settings) (*update->mutable_settings())[name] = value;
    return request;
  }

  static TurmsRequest querySettings(std::vector<int64_t> user_ids, std::vector<int64_t> group_ids,
                                    std::vector<std::string> names = {},
                                    std::optional<int64_t> since = std::nullopt) {
    TurmsRequest request;
    request.set_request_id(7);
    auto* query = request.mutable_query_conversation_settings_request();
    for (const int64_t id : user_ids) query->add_user_ids(id);
    for (const int64_t id : group_ids) query->add_group_ids(id);
    for (const auto& name : names) query->add_names(name);
    if (since) query->set_last_updated_date_start(*since);
    return request;
  }

  static TurmsRequest deleteSettings(std::vector<int64_t> user_ids, std::vector<int64_t> group_ids,
                                     std::vector<std::string> names) {
    TurmsRequest request;
    request.set_request_id(8);
    auto* remove = request.mutable_delete_conversation_settings_request();
    for (const int64_t id : user_ids) remove->add_user_ids(id);
    for (const int64_t id : group_ids) remove->add_group_ids(id);
    for (const auto& name : names) remove->add_names(name);
    return request;
  }

  using ReadDates = std::map<std::pair<int64_t, int64_t>, int64_t>;  // (owner, target) -> date

  // The private read dates `user_id` gets when asking about conversations with user_ids.
  ReadDates privateReadDates(int64_t user_id, std::vector<int64_t> user_ids) {
    const HandlerResult result = dispatch(user_id, queryConversations(user_ids, {}));
    ReadDates dates;
    if (result.status.code == StatusCode::kNoContent) return dates;
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    if (!result.data) return dates;
    EXPECT_EQ(result.data->conversations().group_conversations_size(), 0);
    for (const auto& conversation : result.data->conversations().private_conversations()) {
      EXPECT_TRUE(conversation.owner_id() == user_id || conversation.target_id() == user_id);
      EXPECT_TRUE(dates
                      .emplace(std::pair{conversation.owner_id(), conversation.target_id()},
                               conversation.read_date())
                      .second);
    }
    return dates;
  }

  // group id -> (member id -> read date) of the group conversations `user_id` asks about.
  std::map<int64_t, std::map<int64_t, int64_t>> groupReadDates(int64_t user_id,
                                                               std::vector<int64_t> group_ids) {
    const HandlerResult result = dispatch(user_id, queryConversations({}, group_ids));
    std::map<int64_t, std::map<int64_t, int64_t>> dates;
    if (result.status.code == StatusCode::kNoContent) return dates;
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    if (!result.data) return dates;
    for (const auto& conversation : result.data->conversations().group_conversations()) {
      dates[conversation.group_id()] = {conversation.member_id_to_read_date().begin(),
                                        conversation.member_id_to_read_date().end()};
    }
    return dates;
  }
};

TEST_F(ConversationHandlersTest, PrivateReadDateIsTheServerTimeAndQueriedFromBothSides) {
  const HandlerResult read = dispatch(1, readPrivate(2, /*client_read_date=*/5));
  ASSERT_EQ(read.status.code, StatusCode::kOk) << read.status.reason;
  // Only the requester's other devices are told (upstream's default), with the stored date.
  expectSelfPushOnly(read);
  ASSERT_TRUE(read.pushes[0].request.has_value());
  EXPECT_EQ(read.pushes[0].request->update_conversation_request().read_date(), clock_.nowMillis());
  EXPECT_EQ(read.pushes[0].request->update_conversation_request().user_id(), 2);
  const int64_t read_by_1 = clock_.nowMillis();

  // User 1 sees their own read date; user 2 sees that user 1 has read their messages.
  EXPECT_EQ(privateReadDates(1, {2}), (ReadDates{{{1, 2}, read_by_1}}));
  EXPECT_EQ(privateReadDates(2, {1}), (ReadDates{{{1, 2}, read_by_1}}));
  // Users with no read dates either way are left out; nothing at all is NO_CONTENT.
  EXPECT_EQ(privateReadDates(2, {1, 3, 404}), (ReadDates{{{1, 2}, read_by_1}}));
  EXPECT_EQ(dispatch(3, queryConversations({1, 2}, {})).status.code, StatusCode::kNoContent);

  clock_.advance(1000);
  ASSERT_EQ(dispatch(2, readPrivate(1)).status.code, StatusCode::kOk);
  EXPECT_EQ(privateReadDates(1, {2}),
            (ReadDates{{{1, 2}, read_by_1}, {{2, 1}, clock_.nowMillis()}}));
  EXPECT_EQ(privateReadDates(2, {1, 1}),
            (ReadDates{{{1, 2}, read_by_1}, {{2, 1}, clock_.nowMillis()}}));
}

TEST_F(ConversationHandlersTest, PrivateReadDateNeverMovesBackwards) {
  const int64_t first = clock_.nowMillis();
  ASSERT_EQ(dispatch(1, readPrivate(2)).status.code, StatusCode::kOk);
  clock_.advance(-60'000);  // the server's clock steps back
  const HandlerResult earlier = dispatch(1, readPrivate(2));
  ASSERT_EQ(earlier.status.code, StatusCode::kOk);
  EXPECT_EQ(earlier.pushes[0].request->update_conversation_request().read_date(), first);
  EXPECT_EQ(privateReadDates(1, {2}), (ReadDates{{{1, 2}, first}}));

  clock_.set(first + 1000);
  ASSERT_EQ(dispatch(1, readPrivate(2)).status.code, StatusCode::kOk);
  EXPECT_EQ(privateReadDates(1, {2}), (ReadDates{{{1, 2}, first + 1000}}));
}

TEST_F(ConversationHandlersTest, GroupReadDatesArePerMemberAndMembersOnly) {
  const HandlerResult read = dispatch(1, readGroup(kGroupId));
  ASSERT_EQ(read.status.code, StatusCode::kOk) << read.status.reason;
  expectSelfPushOnly(read);
  const int64_t first = clock_.nowMillis();
  clock_.advance(500);
  ASSERT_EQ(dispatch(2, readGroup(kGroupId)).status.code, StatusCode::kOk);

  EXPECT_EQ(
      groupReadDates(3, {kGroupId}),
      (std::map<int64_t, std::map<int64_t, int64_t>>{{kGroupId, {{1, first}, {2, first + 500}}}}));

  // Non-members can neither set nor read them.
  EXPECT_EQ(dispatch(4, readGroup(kGroupId)).status.code,
            StatusCode::kNotGroupMemberToUpdateReadDateOfGroupConversation);
  EXPECT_EQ(toInt(dispatch(4, readGroup(kGroupId)).status.code), 4003);
  EXPECT_TRUE(groupReadDates(4, {kGroupId}).empty());
  EXPECT_EQ(groupReadDates(3, {kGroupId, kOtherGroupId}).size(), 1u);

  // Missing or deleted groups.
  EXPECT_EQ(dispatch(1, readGroup(404)).status.code,
            StatusCode::kUpdatingReadDateOfNonexistentGroupConversation);
  EXPECT_EQ(dispatch(1, readGroup(kDeletedGroupId)).status.code,
            StatusCode::kUpdatingReadDateOfNonexistentGroupConversation);

  // Never backwards.
  clock_.set(first - 1);
  ASSERT_EQ(dispatch(1, readGroup(kGroupId)).status.code, StatusCode::kOk);
  EXPECT_EQ(groupReadDates(1, {kGroupId})[kGroupId][1], first);
}

TEST_F(ConversationHandlersTest, UpdateConversationNeedsATarget) {
  TurmsRequest request;
  request.set_request_id(1);
  request.mutable_update_conversation_request()->set_read_date(5);
  EXPECT_EQ(dispatch(1, request).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(1, queryConversations({}, {})).status.code, StatusCode::kNoContent);
}

TEST_F(ConversationHandlersTest, PrivateTypingGoesToTheContact) {
  relate(1, 2);
  relate(2, 1);
  const HandlerResult result = dispatch(1, typing(2, false));
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  ASSERT_EQ(result.pushes.size(), 1u);
  EXPECT_EQ(result.pushes[0].user_ids, (std::vector<int64_t>{2}));
  EXPECT_FALSE(result.pushes[0].include_requester_other_sessions);
  EXPECT_FALSE(result.pushes[0].request.has_value());  // relayed as sent
  EXPECT_EQ(dispatch(2, typing(1, false)).status.code, StatusCode::kOk);
}

TEST_F(ConversationHandlersTest, PrivateTypingWithAOneSidedRelationship) {
  relate(1, 2);
  // User 2 has user 1 as a contact (upstream's condition for 2 -> 1)...
  EXPECT_EQ(dispatch(2, typing(1, false)).status.code, StatusCode::kOk);
  // ...and user 1, whom user 2 has no record of, may type to the contact they added.
  EXPECT_EQ(dispatch(1, typing(2, false)).status.code, StatusCode::kOk);
}

TEST_F(ConversationHandlersTest, PrivateTypingIsRefusedForStrangersBlockedUsersAndOneself) {
  EXPECT_EQ(dispatch(1, typing(3, false)).status.code, StatusCode::kNotFriendToSendTypingStatus);
  EXPECT_EQ(toInt(dispatch(1, typing(3, false)).status.code), 4102);

  // User 2 blocked user 1: user 1's own contact record does not help.
  relate(1, 2);
  relate(2, 1, /*blocked=*/true);
  const HandlerResult blocked = dispatch(1, typing(2, false));
  EXPECT_EQ(blocked.status.code, StatusCode::kNotFriendToSendTypingStatus);
  EXPECT_TRUE(blocked.pushes.empty());

  // A blocked contact cannot be typed to by the blocker's own record alone.
  relate(3, 4, /*blocked=*/true);
  EXPECT_EQ(dispatch(3, typing(4, false)).status.code, StatusCode::kNotFriendToSendTypingStatus);

  EXPECT_EQ(dispatch(1, typing(1, false)).status.code, StatusCode::kNotFriendToSendTypingStatus);
}

TEST_F(ConversationHandlersTest, GroupTypingGoesToEveryMember) {
  const HandlerResult result = dispatch(2, typing(kGroupId, true));
  ASSERT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
  ASSERT_EQ(result.pushes.size(), 1u);
  std::vector<int64_t> recipients = result.pushes[0].user_ids;
  std::sort(recipients.begin(), recipients.end());
  EXPECT_EQ(recipients, (std::vector<int64_t>{1, 3}));
  // The typist's other devices too, as upstream pushes to all members.
  EXPECT_TRUE(result.pushes[0].include_requester_other_sessions);

  EXPECT_EQ(dispatch(4, typing(kGroupId, true)).status.code,
            StatusCode::kNotGroupMemberToSendTypingStatus);
  EXPECT_EQ(toInt(dispatch(4, typing(kGroupId, true)).status.code), 4101);
  EXPECT_EQ(dispatch(1, typing(404, true)).status.code,
            StatusCode::kNotGroupMemberToSendTypingStatus);
}

TEST_F(ConversationHandlersTest, SettingsUpdateQueryAndDelete) {
  relate(1, 2);
  const HandlerResult updated = dispatch(
      1, updateSettings(2, std::nullopt, {{"mute", int64Value(1)}, {"pin", int64Value(3)}}));
  ASSERT_EQ(updated.status.code, StatusCode::kOk) << updated.status.reason;
  expectSelfPushOnly(updated);
  const int64_t first = clock_.nowMillis();
  clock_.advance(1000);
  ASSERT_EQ(dispatch(1, updateSettings(std::nullopt, kGroupId, {{"theme", stringValue("dark")}}))
                .status.code,
            StatusCode::kOk);
  // Merged, not replaced.
  clock_.advance(1000);
  ASSERT_EQ(dispatch(1, updateSettings(2, std::nullopt, {{"mute", int64Value(0)}})).status.code,
            StatusCode::kOk);

  HandlerResult queried = dispatch(1, querySettings({}, {}));
  ASSERT_EQ(queried.status.code, StatusCode::kOk) << queried.status.reason;
  const auto& list = queried.data->conversation_settings_list().conversation_settings_list();
  ASSERT_EQ(list.size(), 2);
  for (const pb::ConversationSettings& settings : list) {
    if (settings.has_user_id()) {
      EXPECT_EQ(settings.user_id(), 2);
      EXPECT_FALSE(settings.has_group_id());
      ASSERT_EQ(settings.settings().size(), 2u);
      EXPECT_EQ(settings.settings().at("mute").int64_value(), 0);
      EXPECT_EQ(settings.settings().at("pin").int64_value(), 3);
      EXPECT_EQ(settings.last_updated_date(), clock_.nowMillis());
    } else {
      EXPECT_EQ(settings.group_id(), kGroupId);
      ASSERT_EQ(settings.settings().size(), 1u);
      EXPECT_EQ(settings.settings().at("theme").string_value(), "dark");
      EXPECT_EQ(settings.last_updated_date(), first + 1000);
    }
  }

  // By target, by name, by date.
  queried = dispatch(1, querySettings({}, {kGroupId}));
  ASSERT_EQ(queried.status.code, StatusCode::kOk);
  EXPECT_EQ(queried.data->conversation_settings_list().conversation_settings_list_size(), 1);
  queried = dispatch(1, querySettings({2}, {}, {"pin"}));
  ASSERT_EQ(queried.status.code, StatusCode::kOk);
  const auto& named = queried.data->conversation_settings_list().conversation_settings_list(0);
  EXPECT_EQ(named.settings().size(), 1u);
  EXPECT_EQ(named.settings().count("pin"), 1u);
  EXPECT_EQ(dispatch(1, querySettings({}, {}, {"nothing"})).status.code, StatusCode::kNoContent);
  queried = dispatch(1, querySettings({}, {}, {}, clock_.nowMillis()));
  ASSERT_EQ(queried.status.code, StatusCode::kOk);
  ASSERT_EQ(queried.data->conversation_settings_list().conversation_settings_list_size(), 1);
  EXPECT_EQ(queried.data->conversation_settings_list().conversation_settings_list(0).user_id(), 2);
  // Settings are the requester's own.
  EXPECT_EQ(dispatch(2, querySettings({}, {})).status.code, StatusCode::kNoContent);

  // Deleting: by name, then everything.
  const HandlerResult deleted = dispatch(1, deleteSettings({2}, {}, {"mute"}));
  ASSERT_EQ(deleted.status.code, StatusCode::kOk);
  expectSelfPushOnly(deleted);
  queried = dispatch(1, querySettings({2}, {}));
  ASSERT_EQ(queried.status.code, StatusCode::kOk);
  EXPECT_EQ(
      queried.data->conversation_settings_list().conversation_settings_list(0).settings().size(),
      1u);
  const HandlerResult nothing = dispatch(1, deleteSettings({2}, {}, {"mute"}));
  EXPECT_EQ(nothing.status.code, StatusCode::kOk);
  EXPECT_TRUE(nothing.pushes.empty());  // nothing changed, nobody is told
  ASSERT_EQ(dispatch(1, deleteSettings({}, {}, {})).status.code, StatusCode::kOk);
  EXPECT_EQ(dispatch(1, querySettings({}, {})).status.code, StatusCode::kNoContent);
}

TEST_F(ConversationHandlersTest, SettingsNeedARelationshipOrMembership) {
  const HandlerResult stranger =
      dispatch(1, updateSettings(3, std::nullopt, {{"a", int64Value(1)}}));
  EXPECT_EQ(stranger.status.code, StatusCode::kNotRelatedUserToUpdatePrivateConversationSetting);
  EXPECT_EQ(toInt(stranger.status.code), 4200);
  const HandlerResult outsider =
      dispatch(4, updateSettings(std::nullopt, kGroupId, {{"a", int64Value(1)}}));
  EXPECT_EQ(outsider.status.code, StatusCode::kNotGroupMemberToUpdateGroupConversationSetting);
  EXPECT_EQ(toInt(outsider.status.code), 4201);
  EXPECT_EQ(
      dispatch(1, updateSettings(std::nullopt, std::nullopt, {{"a", int64Value(1)}})).status.code,
      StatusCode::kIllegalArgument);

  // A blocked contact is still a contact for one's own settings (upstream checks the record).
  relate(1, 3, /*blocked=*/true);
  EXPECT_EQ(dispatch(1, updateSettings(3, std::nullopt, {{"a", int64Value(1)}})).status.code,
            StatusCode::kOk);
  // An empty update changes nothing and tells nobody.
  const HandlerResult empty = dispatch(1, updateSettings(3, std::nullopt, {}));
  EXPECT_EQ(empty.status.code, StatusCode::kOk);
  EXPECT_TRUE(empty.pushes.empty());
}

}  // namespace
}  // namespace parley
