// `parley migrate`: data seeded in the embedded SQLite store (demo data plus live traffic) is
// copied to MongoDB (FerretDB), verified by the command itself, found again through the protocol
// by a node running on MongoDB, and a second run changes nothing.
#include <gtest/gtest.h>

#include <algorithm>

#include <map>
#include <regex>
#include <span>

#include "core/config.h"
#include "store/store.h"
#include "support/test_helpers.h"
#include "testing/ferretdb_process.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

constexpr int kUsers = 50;

struct KindLine {
  int64_t sqlite = 0;
  int64_t written = 0;
  int64_t mongo = 0;
  bool ok = false;
};

// "users: sqlite=50 written=50 mongo=50 ok" -> {"users": {...}}
std::map<std::string, KindLine> parseSummary(const std::string& output) {
  static const std::regex kLine(R"((\w+): sqlite=(\d+) written=(\d+) mongo=(\d+) (ok|MISMATCH))");
  std::map<std::string, KindLine> kinds;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), kLine);
       it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    kinds[m[1]] = {std::stoll(m[2]), std::stoll(m[3]), std::stoll(m[4]), m[5] == "ok"};
  }
  return kinds;
}

std::unique_ptr<TurmsClient> loggedIn(const ParleyProcess& parley, int64_t user) {
  auto client = connectTo(parley, Transport::kTcp);
  auto response = client->login(user, "123", pb::DESKTOP);
  if (response.code() != 1000) {
    throw std::runtime_error("login of " + std::to_string(user) + " failed with " +
                             std::to_string(response.code()));
  }
  return client;
}

std::vector<pb::Message> messagesFrom(TurmsClient& client, bool group, int64_t from) {
  pb::TurmsRequest request;
  request.mutable_query_messages_request()->set_are_group_messages(group);
  request.mutable_query_messages_request()->add_from_ids(from);
  auto response = client.request(request);
  if (response.code() != 1000) return {};
  const auto& messages = response.data().messages().messages();
  return {messages.begin(), messages.end()};
}

TEST(MongoMigrate, EverythingSeededInSqliteIsFoundOnMongoAndARerunChangesNothing) {
  const TempDir sqlite_dir("parley-migrate-src");
  int64_t private_id = 0;
  int64_t group_message_id = 0;
  int64_t group_id = 0;
  int64_t read_date = 0;
  int64_t friend_request_id = 0;
  int64_t relationship_group = 0;
  int64_t invitation_id = 0;
  int64_t invited_group_id = 0;
  {
    ParleyProcess source({.extra_args = {"--user-settings-allowed=theme:string",
                                         "--user-defined-attributes-allowed=city:string"},
                          .demo_user_count = kUsers,
                          .data_dir = sqlite_dir.path().string()});
    auto alice = loggedIn(source, 7);
    pb::TurmsRequest send;
    send.mutable_create_message_request()->set_recipient_id(8);
    send.mutable_create_message_request()->set_text("before the move");
    auto sent = alice->request(send);
    ASSERT_EQ(sent.code(), 1000);
    private_id = sent.data().long_();

    pb::TurmsRequest create;
    create.mutable_create_group_request()->set_name("movers");
    create.mutable_create_group_request()->set_type_id(1);  // demo type "test": direct adds
    auto created = alice->request(create);
    ASSERT_EQ(created.code(), 1000);
    group_id = created.data().long_();
    pb::TurmsRequest add;
    add.mutable_create_group_members_request()->set_group_id(group_id);
    add.mutable_create_group_members_request()->add_user_ids(8);
    ASSERT_EQ(alice->request(add).code(), 1000);
    pb::TurmsRequest to_group;
    to_group.mutable_create_message_request()->set_group_id(group_id);
    to_group.mutable_create_message_request()->set_text("group hello");
    auto group_sent = alice->request(to_group);
    ASSERT_EQ(group_sent.code(), 1000);
    group_message_id = group_sent.data().long_();
    pb::TurmsRequest block;
    block.mutable_create_group_blocked_user_request()->set_group_id(group_id);
    block.mutable_create_group_blocked_user_request()->set_user_id(10);
    ASSERT_EQ(alice->request(block).code(), 1000);

    pb::TurmsRequest read;
    read.mutable_update_conversation_request()->set_user_id(8);
    ASSERT_EQ(alice->request(read).code(), 1000);
    pb::TurmsRequest query;
    query.mutable_query_conversations_request()->add_user_ids(8);
    auto conversations = alice->request(query);
    ASSERT_EQ(conversations.code(), 1000);
    ASSERT_EQ(conversations.data().conversations().private_conversations_size(), 1);
    read_date = conversations.data().conversations().private_conversations(0).read_date();
    ASSERT_GT(read_date, 0);

    pb::TurmsRequest ask;
    ask.mutable_create_friend_request_request()->set_recipient_id(9);
    ask.mutable_create_friend_request_request()->set_content("moving soon");
    auto asked = alice->request(ask);
    ASSERT_EQ(asked.code(), 1000);
    friend_request_id = asked.data().long_();

    // A DEFAULT group, which users join by invitation, with one pending.
    pb::TurmsRequest create_invited;
    create_invited.mutable_create_group_request()->set_name("by invitation");
    auto invited_group = alice->request(create_invited);
    ASSERT_EQ(invited_group.code(), 1000);
    invited_group_id = invited_group.data().long_();
    pb::TurmsRequest invite;
    invite.mutable_create_group_invitation_request()->set_group_id(invited_group_id);
    invite.mutable_create_group_invitation_request()->set_invitee_id(9);
    auto invited = alice->request(invite);
    ASSERT_EQ(invited.code(), 1000);
    invitation_id = invited.data().long_();

    // A relationship group with demo user 1 (everyone's friend) moved into it.
    pb::TurmsRequest create_group;
    create_group.mutable_create_relationship_group_request()->set_name("movers");
    auto created_group = alice->request(create_group);
    ASSERT_EQ(created_group.code(), 1000);
    relationship_group = created_group.data().long_();
    pb::TurmsRequest move;
    move.mutable_update_relationship_request()->set_user_id(1);
    move.mutable_update_relationship_request()->set_new_group_index(
        static_cast<int32_t>(relationship_group));
    move.mutable_update_relationship_request()->set_delete_group_index(0);
    ASSERT_EQ(alice->request(move).code(), 1000);

    pb::TurmsRequest setting;
    pb::Value dark;
    dark.set_string_value("dark");
    (*setting.mutable_update_user_settings_request()->mutable_settings())["theme"] = dark;
    ASSERT_EQ(alice->request(setting).code(), 1000);
    pb::TurmsRequest attribute;
    pb::Value lyon;
    lyon.set_string_value("Lyon");
    (*attribute.mutable_update_user_request()->mutable_user_defined_attributes())["city"] = lyon;
    ASSERT_EQ(alice->request(attribute).code(), 1000);
    ASSERT_EQ(source.terminate(), 0);
  }
  // No request creates join questions yet: one goes straight into the stopped node's store.
  const GroupJoinQuestionRecord question{.id = 4242,
                                         .group_id = group_id,
                                         .question = "moving?",
                                         .answers = {"yes", "soon"},
                                         .score = 5};
  constexpr int64_t kQuestionsVersion = 1'700'000'000'000;
  {
    auto store = openSqliteStore(sqlite_dir.path().string());
    ASSERT_TRUE(
        store->groupJoinQuestions().insertMany(std::span(&question, 1), kQuestionsVersion).ok());
    store->flush();
  }

  FerretDbProcess ferretdb;
  const std::vector<std::string> migrate = {"migrate", "--data-dir=" + sqlite_dir.path().string(),
                                            "--mongo-uri=" + ferretdb.uri(),
                                            "--mongo-database=migrated"};
  const auto first = runParleyToExit(migrate, std::chrono::seconds(120));
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto kinds = parseSummary(first.output);
  for (const char* kind : {"users", "messages", "groups", "group_members", "group_blocked_users",
                           "group_types", "relationships", "relationship_groups", "user_settings",
                           "user_defined_attributes", "friend_requests", "group_invitations",
                           "group_join_requests", "group_join_questions", "private_conversations",
                           "group_conversations", "conversation_settings", "sequence_counters"}) {
    ASSERT_TRUE(kinds.count(kind)) << kind << " missing from:\n" << first.output;
    EXPECT_TRUE(kinds.at(kind).ok) << kind;
    EXPECT_EQ(kinds.at(kind).mongo, kinds.at(kind).sqlite) << kind;
  }
  EXPECT_EQ(kinds.at("users").sqlite, kUsers);
  EXPECT_EQ(kinds.at("users").written, kUsers);
  for (const char* kind : {"messages", "groups", "group_members", "group_blocked_users",
                           "relationships", "relationship_groups", "friend_requests",
                           "group_invitations", "private_conversations", "sequence_counters"}) {
    EXPECT_GT(kinds.at(kind).sqlite, 0) << kind << " had nothing to migrate";
  }
  // The demo data's questions of groups 1 and 5, and the one this test stored.
  EXPECT_EQ(kinds.at("group_join_questions").sqlite, 3);
  EXPECT_EQ(kinds.at("group_join_questions").written, 3);
  std::cout << "first migrate run:\n" << first.output << "\n";

  // Idempotent: a second run inserts no user or message again and verifies the same counts.
  const auto second = runParleyToExit(migrate, std::chrono::seconds(120));
  ASSERT_EQ(second.exit_code, 0) << second.output;
  const auto again = parseSummary(second.output);
  for (const auto& [kind, line] : kinds) {
    ASSERT_TRUE(again.count(kind)) << kind;
    EXPECT_TRUE(again.at(kind).ok) << kind;
    EXPECT_EQ(again.at(kind).mongo, line.mongo) << kind;
  }
  EXPECT_EQ(again.at("users").written, 0);
  EXPECT_EQ(again.at("messages").written, 0);
  EXPECT_EQ(again.at("group_members").written, 0);
  EXPECT_EQ(again.at("group_types").written, 0);
  EXPECT_EQ(again.at("friend_requests").written, 0);
  EXPECT_EQ(again.at("relationship_groups").written, 0);
  EXPECT_EQ(again.at("group_join_questions").written, 0);

  // The join question is in MongoDB, whole, with its group's version.
  {
    auto migrated = openMongoStore(MongoConfig{.uri = ferretdb.uri(), .database = "migrated"});
    auto questions = migrated->groupJoinQuestions().findByGroup(group_id);
    ASSERT_TRUE(questions.ok()) << questions.status().reason;
    EXPECT_EQ(questions.value(), std::vector<GroupJoinQuestionRecord>{question});
    auto version = migrated->groupJoinQuestions().findVersion(group_id);
    ASSERT_TRUE(version.ok()) << version.status().reason;
    EXPECT_EQ(version.value(), kQuestionsVersion);
  }

  // A node on MongoDB finds it all through the protocol.
  ParleyProcess node({.extra_args = {"--mongo-uri=" + ferretdb.uri(), "--mongo-database=migrated",
                                     "--user-defined-attributes-allowed=city:string"},
                      .demo_data = false});
  for (int64_t user = 1; user <= kUsers; ++user) {
    try {
      auto client = connectTo(node, Transport::kTcp);
      EXPECT_EQ(client->login(user, "123", pb::DESKTOP).code(), 1000) << "user " << user;
    } catch (const std::exception& e) {
      FAIL() << "user " << user << ": " << e.what() << "\nnode log:\n"
             << node.log() << "\nexit " << node.terminate();
    }
  }
  auto bob = loggedIn(node, 8);
  auto received = messagesFrom(*bob, false, 7);
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received.back().id(), private_id);
  EXPECT_EQ(received.back().text(), "before the move");
  auto group_history = messagesFrom(*bob, true, group_id);
  ASSERT_EQ(group_history.size(), 1u);
  EXPECT_EQ(group_history[0].id(), group_message_id);
  EXPECT_EQ(group_history[0].sequence_id(), 1);
  EXPECT_FALSE(messagesFrom(*bob, true, 1).empty()) << "demo group 1's messages";

  auto alice = loggedIn(node, 7);
  pb::TurmsRequest query;
  query.mutable_query_conversations_request()->add_user_ids(8);
  auto conversations = alice->request(query);
  ASSERT_EQ(conversations.code(), 1000);
  ASSERT_EQ(conversations.data().conversations().private_conversations_size(), 1);
  EXPECT_EQ(conversations.data().conversations().private_conversations(0).read_date(), read_date);

  // The user-defined attribute moved, into the user's own document.
  pb::TurmsRequest profile;
  profile.mutable_query_user_profiles_request()->add_user_ids(7);
  auto profiles = bob->request(profile);
  ASSERT_EQ(profiles.code(), 1000);
  EXPECT_EQ(profiles.data()
                .user_infos_with_version()
                .user_infos(0)
                .user_defined_attributes()
                .at("city")
                .string_value(),
            "Lyon");

  // The setting moved.
  pb::TurmsRequest settings_query;
  settings_query.mutable_query_user_settings_request();
  auto settings = alice->request(settings_query);
  ASSERT_EQ(settings.code(), 1000);
  EXPECT_EQ(settings.data().user_settings().settings().at("theme").string_value(), "dark");

  // The relationship group moved with its member.
  pb::TurmsRequest groups_query;
  groups_query.mutable_query_relationship_groups_request();
  auto groups = alice->request(groups_query);
  ASSERT_EQ(groups.code(), 1000);
  const auto& found_groups = groups.data().user_relationship_groups_with_version();
  ASSERT_EQ(found_groups.user_relationship_groups_size(), 2);
  EXPECT_EQ(found_groups.user_relationship_groups(1).index(), relationship_group);
  EXPECT_EQ(found_groups.user_relationship_groups(1).name(), "movers");
  pb::TurmsRequest in_group;
  in_group.mutable_query_related_user_ids_request()->add_group_indexes(
      static_cast<int32_t>(relationship_group));
  auto members = alice->request(in_group);
  ASSERT_EQ(members.code(), 1000);
  ASSERT_EQ(members.data().longs_with_version().longs_size(), 1);
  EXPECT_EQ(members.data().longs_with_version().longs(0), 1);

  // The friend request moved with its state: the recipient can still accept it.
  auto carol = loggedIn(node, 9);
  pb::TurmsRequest accept;
  accept.mutable_update_friend_request_request()->set_request_id(friend_request_id);
  accept.mutable_update_friend_request_request()->set_response_action(pb::ACCEPT);
  EXPECT_EQ(carol->request(accept).code(), 1000);
  // So did the group invitation: accepting it makes carol a member.
  pb::TurmsRequest join;
  join.mutable_update_group_invitation_request()->set_invitation_id(invitation_id);
  join.mutable_update_group_invitation_request()->set_response_action(pb::ACCEPT);
  EXPECT_EQ(carol->request(join).code(), 1000);
  pb::TurmsRequest joined;
  joined.mutable_query_joined_group_ids_request();
  auto carol_groups = carol->request(joined);
  ASSERT_EQ(carol_groups.code(), 1000);
  const auto& joined_ids = carol_groups.data().longs_with_version().longs();
  EXPECT_EQ(std::count(joined_ids.begin(), joined_ids.end(), invited_group_id), 1);

  // Sequence ids continue after the migrated ones instead of starting over.
  pb::TurmsRequest to_group;
  to_group.mutable_create_message_request()->set_group_id(group_id);
  to_group.mutable_create_message_request()->set_text("after the move");
  ASSERT_EQ(alice->request(to_group).code(), 1000);
  group_history = messagesFrom(*bob, true, group_id);
  ASSERT_EQ(group_history.size(), 2u);
  EXPECT_EQ(group_history[1].sequence_id(), 2);
}

TEST(MongoMigrate, RefusesADataDirWithoutAStore) {
  const TempDir empty("parley-migrate-empty");
  const auto result = runParleyToExit(
      {"migrate", "--data-dir=" + empty.path().string(), "--mongo-uri=mongodb://127.0.0.1:1/"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.output.find("no SQLite store"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace parley::testing
