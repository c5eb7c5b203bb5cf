#pragma once
// The behaviour every UserSettingsRepository must have, as one value-parameterized GoogleTest
// suite, instantiated by each store's user-settings test file.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "store/store_test_env.h"
#include "store/user_settings_repository.h"

namespace parley::contract {

class UserSettingsRepositoryContractTest : public StoreContractTest {
 protected:
  static constexpr int64_t kNow = 1'700'000'900'000;
  // Serialized Values are opaque bytes to the store, NUL and high bytes included.
  inline static const std::string kBytes{"\x08\x00\xff\x01", 4};

  UserSettingsRepository& settings() { return store_->userSettings(); }

  std::optional<UserSettingsRecord> find(int64_t user_id) {
    auto found = settings().find(user_id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  std::vector<std::string> upsert(int64_t user_id, std::map<std::string, std::string> values,
                                  std::vector<std::string> immutable = {}, int64_t now = kNow) {
    auto written = settings().upsert(user_id, values, immutable, now);
    EXPECT_TRUE(written.ok()) << written.status().reason;
    return written.ok() ? written.value() : std::vector<std::string>{"<failed>"};
  }
};

TEST_P(UserSettingsRepositoryContractTest, NothingStoredIsNone) {
  EXPECT_EQ(find(1), std::nullopt);
}

TEST_P(UserSettingsRepositoryContractTest, UpsertMergesAndReplacesByName) {
  EXPECT_TRUE(upsert(1, {{"theme", "dark"}, {"blob", kBytes}}).empty());
  EXPECT_TRUE(upsert(1, {{"theme", "light"}, {"lang", "en"}}, {}, kNow + 10).empty());
  const std::optional<UserSettingsRecord> stored = find(1);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->settings, (std::map<std::string, std::string>{
                                  {"blob", kBytes}, {"lang", "en"}, {"theme", "light"}}));
  EXPECT_EQ(stored->last_updated_date, kNow + 10);
  EXPECT_EQ(find(2), std::nullopt);
}

TEST_P(UserSettingsRepositoryContractTest,
       AnImmutableSettingIsWrittenOnceAndTheRefusalWritesNothing) {
  EXPECT_TRUE(upsert(1, {{"pin", "1234"}}, {"pin", "other"}).empty());
  EXPECT_EQ(upsert(1, {{"pin", "9999"}, {"theme", "dark"}}, {"pin"}, kNow + 10),
            std::vector<std::string>{"pin"});
  const std::optional<UserSettingsRecord> stored = find(1);
  EXPECT_EQ(stored->settings, (std::map<std::string, std::string>{{"pin", "1234"}}));
  EXPECT_EQ(stored->last_updated_date, kNow);
  // Immutable names not in the update do not matter.
  EXPECT_TRUE(upsert(1, {{"theme", "dark"}}, {"pin"}).empty());
}

TEST_P(UserSettingsRepositoryContractTest, RemoveTellsWhetherAnythingWent) {
  upsert(1, {{"theme", "dark"}, {"lang", "en"}});
  EXPECT_FALSE(settings().remove(1, {"nothing"}, kNow + 5).value());
  EXPECT_EQ(find(1)->last_updated_date, kNow);
  EXPECT_TRUE(settings().remove(1, {"theme", "nothing"}, kNow + 10).value());
  const std::optional<UserSettingsRecord> stored = find(1);
  EXPECT_EQ(stored->settings, (std::map<std::string, std::string>{{"lang", "en"}}));
  EXPECT_EQ(stored->last_updated_date, kNow + 10);
  EXPECT_FALSE(settings().remove(2, {"theme"}, kNow).value());
  EXPECT_FALSE(settings().remove(1, {}, kNow).value());
}

TEST_P(UserSettingsRepositoryContractTest, TheDateNeverGoesBack) {
  upsert(1, {{"theme", "dark"}}, {}, kNow);
  upsert(1, {{"theme", "light"}}, {}, kNow - 1000);  // a node whose clock is behind
  EXPECT_GE(find(1)->last_updated_date, kNow);
  EXPECT_EQ(find(1)->settings.at("theme"), "light");
}

TEST_P(UserSettingsRepositoryContractTest, DataSurvivesReopening) {
  upsert(1, {{"blob", kBytes}});
  reopen();
  EXPECT_EQ(find(1)->settings.at("blob"), kBytes);
}

}  // namespace parley::contract
