#pragma once
// The behaviour every ConversationRepository must have, as one value-parameterized GoogleTest
// suite. An implementation's test file includes this header once and instantiates the suite
// with its store environment (store/store_test_env.h), e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, ConversationRepositoryContractTest,
//                            ::testing::Values(StoreContractParam{"sqlite", makeEnv}),
//                            storeContractName);
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/conversation_repository.h"
#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class ConversationRepositoryContractTest : public StoreContractTest {
 protected:
  using Settings = std::map<std::string, std::string>;

  ConversationRepository& conversations() { return store_->conversations(); }

  int64_t privateReadDate(int64_t owner_id, int64_t target_id, int64_t read_date) {
    auto stored = conversations().upsertPrivateReadDate(owner_id, target_id, read_date);
    EXPECT_TRUE(stored.ok()) << stored.status().reason;
    return stored.ok() ? stored.value() : -1;
  }

  int64_t groupReadDate(int64_t group_id, int64_t member_id, int64_t read_date) {
    auto stored = conversations().upsertGroupReadDate(group_id, member_id, read_date);
    EXPECT_TRUE(stored.ok()) << stored.status().reason;
    return stored.ok() ? stored.value() : -1;
  }

  // target id -> read date of owner's private conversations with targets.
  std::map<int64_t, int64_t> privateReadDates(int64_t owner_id, std::vector<int64_t> targets) {
    auto found = conversations().queryPrivate(owner_id, targets);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::map<int64_t, int64_t> dates;
    if (!found.ok()) return dates;
    for (const PrivateConversationRecord& conversation : found.value()) {
      EXPECT_EQ(conversation.owner_id, owner_id);
      EXPECT_TRUE(dates.emplace(conversation.target_id, conversation.read_date).second)
          << "target " << conversation.target_id << " returned twice";
    }
    return dates;
  }

  // group id -> (member id -> read date).
  std::map<int64_t, std::map<int64_t, int64_t>> groupReadDates(std::vector<int64_t> group_ids) {
    auto found = conversations().queryGroups(group_ids);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::map<int64_t, std::map<int64_t, int64_t>> dates;
    if (!found.ok()) return dates;
    for (const GroupConversationRecord& conversation : found.value()) {
      EXPECT_TRUE(dates.emplace(conversation.group_id, conversation.member_read_dates).second)
          << "group " << conversation.group_id << " returned twice";
    }
    return dates;
  }

  void upsertSettings(int64_t owner_id, bool is_group, int64_t target_id, Settings settings,
                      int64_t date) {
    ConversationSettingsRecord record;
    record.owner_id = owner_id;
    record.is_group = is_group;
    record.target_id = target_id;
    record.settings = std::move(settings);
    record.last_updated_date = date;
    const VoidResult done = conversations().upsertSettings(record);
    ASSERT_TRUE(done.ok()) << done.status().reason;
  }

  using Key = std::pair<bool, int64_t>;  // (is_group, target id)
  static Key privateKey(int64_t user_id) { return {false, user_id}; }
  static Key groupKey(int64_t group_id) { return {true, group_id}; }

  struct Found {
    Settings settings;
    int64_t last_updated_date = 0;
  };
  // What was found of owner's conversations.
  std::map<Key, Found> querySettings(
      int64_t owner_id, std::vector<int64_t> user_ids, std::vector<int64_t> group_ids,
      std::optional<int64_t> last_updated_date_start = std::nullopt) {
    auto found =
        conversations().querySettings(owner_id, user_ids, group_ids, last_updated_date_start);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::map<Key, Found> result;
    if (!found.ok()) return result;
    for (const ConversationSettingsRecord& record : found.value()) {
      EXPECT_EQ(record.owner_id, owner_id);
      EXPECT_FALSE(record.settings.empty()) << "a conversation without settings was returned";
      EXPECT_TRUE(result
                      .emplace(Key{record.is_group, record.target_id},
                               Found{record.settings, record.last_updated_date})
                      .second)
          << "conversation " << record.target_id << " returned twice";
    }
    return result;
  }

  int64_t deleteSettings(int64_t owner_id, bool is_group, std::vector<int64_t> target_ids,
                         std::vector<std::string> names) {
    auto deleted = conversations().deleteSettings(owner_id, is_group, target_ids, names);
    EXPECT_TRUE(deleted.ok()) << deleted.status().reason;
    return deleted.ok() ? deleted.value() : -1;
  }
};

TEST_P(ConversationRepositoryContractTest, PrivateReadDateOnlyMovesForward) {
  EXPECT_EQ(privateReadDate(1, 2, 1000), 1000);
  EXPECT_EQ(privateReadDate(1, 2, 2000), 2000);
  // An older date (a late or replayed receipt) leaves the newer one in place.
  EXPECT_EQ(privateReadDate(1, 2, 1500), 2000);
  EXPECT_EQ(privateReadDate(1, 2, 2000), 2000);
  EXPECT_EQ(privateReadDates(1, {2}), (std::map<int64_t, int64_t>{{2, 2000}}));
}

TEST_P(ConversationRepositoryContractTest, PrivateReadDatesBelongToTheirOwner) {
  privateReadDate(1, 2, 100);
  privateReadDate(1, 3, 300);
  privateReadDate(2, 1, 900);  // the other side of the same conversation is its own record
  EXPECT_EQ(privateReadDates(1, {2, 3, 404}), (std::map<int64_t, int64_t>{{2, 100}, {3, 300}}));
  EXPECT_EQ(privateReadDates(1, {3}), (std::map<int64_t, int64_t>{{3, 300}}));
  EXPECT_EQ(privateReadDates(2, {1, 3}), (std::map<int64_t, int64_t>{{1, 900}}));
  EXPECT_TRUE(privateReadDates(1, {}).empty());
  EXPECT_TRUE(privateReadDates(404, {1, 2}).empty());
}

TEST_P(ConversationRepositoryContractTest, GroupReadDatesArePerMemberAndOnlyMoveForward) {
  EXPECT_EQ(groupReadDate(10, 1, 1000), 1000);
  EXPECT_EQ(groupReadDate(10, 2, 500), 500);
  EXPECT_EQ(groupReadDate(10, 1, 800), 1000);
  EXPECT_EQ(groupReadDate(10, 2, 600), 600);
  EXPECT_EQ(groupReadDate(20, 1, 50), 50);

  const auto dates = groupReadDates({10, 20, 404});
  EXPECT_EQ(dates, (std::map<int64_t, std::map<int64_t, int64_t>>{{10, {{1, 1000}, {2, 600}}},
                                                                  {20, {{1, 50}}}}));
  EXPECT_EQ(groupReadDates({20}).size(), 1u);
  EXPECT_TRUE(groupReadDates({}).empty());
  EXPECT_TRUE(groupReadDates({404}).empty());
}

TEST_P(ConversationRepositoryContractTest, ExtremeIdsAndDatesRoundTrip) {
  EXPECT_EQ(privateReadDate(INT64_MAX, 1, INT64_MAX), INT64_MAX);
  EXPECT_EQ(groupReadDate(INT64_MAX, INT64_MAX, 1), 1);
  EXPECT_EQ(privateReadDates(INT64_MAX, {1}), (std::map<int64_t, int64_t>{{1, INT64_MAX}}));
  EXPECT_EQ(groupReadDates({INT64_MAX})[INT64_MAX], (std::map<int64_t, int64_t>{{INT64_MAX, 1}}));
}

TEST_P(ConversationRepositoryContractTest, SettingsMergeAndKeepBinaryValues) {
  // Values are serialized protobuf: any byte, NUL and invalid UTF-8 included, must survive.
  const std::string binary("\x00\x01\xff\xfe\x08\x96\x01", 7);
  upsertSettings(1, false, 2, {{"mute", "\x28\x01"}, {"pinned", binary}}, 1000);
  upsertSettings(1, false, 2,
                 {{"mute", std::string("\x28\x00", 2)}, {"theme", "\x3a\x04\x64\x61\x72\x6b"}},
                 2000);

  auto found = querySettings(1, {2}, {});
  ASSERT_EQ(found.size(), 1u);
  const Found& conversation = found[privateKey(2)];
  EXPECT_EQ(conversation.settings, (Settings{{"mute", std::string("\x28\x00", 2)},
                                             {"pinned", binary},
                                             {"theme", "\x3a\x04\x64\x61\x72\x6b"}}));
  // The date is the conversation's: the last update, whichever settings it touched.
  EXPECT_EQ(conversation.last_updated_date, 2000);

  // Merging nothing changes nothing.
  upsertSettings(1, false, 2, {}, 3000);
  EXPECT_EQ(querySettings(1, {2}, {})[privateKey(2)].last_updated_date, 2000);
}

TEST_P(ConversationRepositoryContractTest, SettingsAreKeptApartByOwnerKindAndTarget) {
  upsertSettings(1, false, 5, {{"a", "private"}}, 100);
  upsertSettings(1, true, 5, {{"a", "group"}}, 200);  // group 5 is not user 5
  upsertSettings(1, false, 6, {{"b", "x"}}, 300);
  upsertSettings(2, false, 5, {{"a", "other owner"}}, 400);

  auto all = querySettings(1, {}, {});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[privateKey(5)].settings, (Settings{{"a", "private"}}));
  EXPECT_EQ(all[groupKey(5)].settings, (Settings{{"a", "group"}}));
  EXPECT_EQ(all[privateKey(6)].settings, (Settings{{"b", "x"}}));
  EXPECT_EQ(all[groupKey(5)].last_updated_date, 200);

  auto users_only = querySettings(1, {5, 404}, {});
  ASSERT_EQ(users_only.size(), 1u);
  EXPECT_EQ(users_only.begin()->first, privateKey(5));
  auto groups_only = querySettings(1, {}, {5});
  ASSERT_EQ(groups_only.size(), 1u);
  EXPECT_EQ(groups_only.begin()->first, groupKey(5));
  EXPECT_EQ(querySettings(1, {6}, {5}).size(), 2u);
  EXPECT_EQ(querySettings(2, {}, {}).size(), 1u);
  EXPECT_TRUE(querySettings(404, {}, {}).empty());
}

TEST_P(ConversationRepositoryContractTest, SettingsQueryByLastUpdatedDateStart) {
  upsertSettings(1, false, 2, {{"a", "1"}}, 100);
  upsertSettings(1, false, 3, {{"a", "1"}}, 200);
  upsertSettings(1, true, 4, {{"a", "1"}}, 300);
  // Updating one setting re-dates the whole conversation, so it comes back with all of them.
  upsertSettings(1, false, 2, {{"b", "2"}}, 400);

  auto since_250 = querySettings(1, {}, {}, 250);
  ASSERT_EQ(since_250.size(), 2u);
  EXPECT_EQ(since_250[privateKey(2)].settings, (Settings{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(since_250[privateKey(2)].last_updated_date, 400);
  EXPECT_EQ(since_250[groupKey(4)].last_updated_date, 300);

  EXPECT_EQ(querySettings(1, {}, {}, 300).size(), 2u);  // inclusive
  EXPECT_EQ(querySettings(1, {2, 3}, {}, 200).size(), 2u);
  EXPECT_EQ(querySettings(1, {2, 3}, {}, 201).size(), 1u);
  EXPECT_TRUE(querySettings(1, {}, {}, 401).empty());
}

TEST_P(ConversationRepositoryContractTest, DeleteSettingsByNameTargetAndKind) {
  upsertSettings(1, false, 2, {{"a", "1"}, {"b", "2"}, {"c", "3"}}, 100);
  upsertSettings(1, false, 3, {{"a", "1"}, {"b", "2"}}, 100);
  upsertSettings(1, true, 2, {{"a", "1"}}, 100);
  upsertSettings(2, false, 2, {{"a", "1"}}, 100);

  // Named settings of named conversations.
  EXPECT_EQ(deleteSettings(1, false, {2}, {"a", "b", "zzz"}), 2);
  EXPECT_EQ(querySettings(1, {2}, {})[privateKey(2)].settings, (Settings{{"c", "3"}}));
  EXPECT_EQ(querySettings(1, {3}, {})[privateKey(3)].settings, (Settings{{"a", "1"}, {"b", "2"}}));

  // Named settings of every conversation of that kind.
  EXPECT_EQ(deleteSettings(1, false, {}, {"b"}), 1);
  EXPECT_EQ(querySettings(1, {3}, {})[privateKey(3)].settings, (Settings{{"a", "1"}}));

  // Every setting of a conversation: it is gone from queries.
  EXPECT_EQ(deleteSettings(1, false, {2}, {}), 1);
  EXPECT_TRUE(querySettings(1, {2}, {}).empty());

  // Every private conversation; group ones and other owners stay.
  EXPECT_EQ(deleteSettings(1, false, {}, {}), 1);
  auto left = querySettings(1, {}, {});
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left.begin()->first, groupKey(2));
  EXPECT_EQ(querySettings(2, {}, {}).size(), 1u);

  EXPECT_EQ(deleteSettings(1, true, {404}, {}), 0);
  EXPECT_EQ(deleteSettings(404, false, {}, {}), 0);
}

TEST_P(ConversationRepositoryContractTest, DataSurvivesReopening) {
  privateReadDate(1, 2, 100);
  groupReadDate(10, 1, 200);
  upsertSettings(1, true, 10, {{"mute", std::string("\x00\xff", 2)}}, 300);
  reopen();
  EXPECT_EQ(privateReadDates(1, {2}), (std::map<int64_t, int64_t>{{2, 100}}));
  EXPECT_EQ(groupReadDates({10})[10], (std::map<int64_t, int64_t>{{1, 200}}));
  auto settings = querySettings(1, {}, {10});
  EXPECT_EQ(settings[groupKey(10)].settings, (Settings{{"mute", std::string("\x00\xff", 2)}}));
  EXPECT_EQ(privateReadDate(1, 2, 50), 100);
}

}  // namespace parley::contract
