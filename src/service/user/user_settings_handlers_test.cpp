#include "service/user/user_settings_handlers.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// The real dispatcher over a real SQLite store, with a configured set of settings.
class UserSettingsHandlersTest : public testing::ServiceTestFixture {
 protected:
  UserSettingsHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    for (const char* spec : {"theme:string:one-of=light|dark", "pin:int:min=0:max=9999:immutable",
                             "lang:language:undeletable", "volume:double:min=0:max=1"}) {
      user_config_.allowed_settings.push_back(parseCustomSetting(spec));
    }
    registerUserSettingsHandlers(dispatcher_, deps());
  }

  HandlerResult update(std::map<std::string, pb::Value> settings) {
    TurmsRequest request;
    auto* update = request.mutable_update_user_settings_request();
    for (auto& [name, value] : settings) (*update->mutable_settings())[name] = value;
    return dispatch(1, request);
  }

  HandlerResult remove(std::vector<std::string> names) {
    TurmsRequest request;
    auto* remove = request.mutable_delete_user_settings_request();
    for (const std::string& name : names) remove->add_names(name);
    return dispatch(1, request);
  }

  HandlerResult query(std::vector<std::string> names = {},
                      std::optional<int64_t> since = std::nullopt) {
    TurmsRequest request;
    auto* query = request.mutable_query_user_settings_request();
    for (const std::string& name : names) query->add_names(name);
    if (since) query->set_last_updated_date_start(*since);
    return dispatch(1, request);
  }

  // The names the user has, sorted.
  std::vector<std::string> stored() {
    const HandlerResult result = query();
    std::vector<std::string> names;
    if (result.status.code == StatusCode::kNoContent) return names;
    EXPECT_EQ(result.status.code, StatusCode::kOk);
    for (const auto& [name, value] : result.data->user_settings().settings()) names.push_back(name);
    std::sort(names.begin(), names.end());
    return names;
  }

  static pb::Value text(const std::string& v) {
    pb::Value value;
    value.set_string_value(v);
    return value;
  }
  static pb::Value number(int32_t v) {
    pb::Value value;
    value.set_int32_value(v);
    return value;
  }
};

TEST_F(UserSettingsHandlersTest, UpdateThenQueryReturnsTheStoredValues) {
  EXPECT_EQ(query().status.code, StatusCode::kNoContent);
  const HandlerResult updated = update({{"theme", text("dark")}, {"pin", text("42")}});
  ASSERT_EQ(updated.status.code, StatusCode::kOk) << updated.status.reason;
  expectSelfPushOnly(updated);
  const HandlerResult found = query();
  ASSERT_EQ(found.status.code, StatusCode::kOk);
  const auto& settings = found.data->user_settings();
  EXPECT_EQ(settings.settings().at("theme").string_value(), "dark");
  EXPECT_EQ(settings.settings().at("pin").int32_value(), 42);  // stored as its type
  EXPECT_EQ(settings.last_updated_date(), clock_.nowMillis());
  // Filtered by name, and by date.
  EXPECT_EQ(query({"theme"}).data->user_settings().settings_size(), 1);
  EXPECT_EQ(query({}, clock_.nowMillis() + 1).status.code, StatusCode::kNoContent);
  EXPECT_EQ(query({}, clock_.nowMillis()).status.code, StatusCode::kOk);
}

TEST_F(UserSettingsHandlersTest, UnknownNamesAndBadValuesAreRefusedWithNothingWritten) {
  const HandlerResult unknown =
      update({{"theme", text("dark")}, {"zzz", text("?")}, {"aaa", number(1)}});
  EXPECT_EQ(unknown.status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(unknown.status.reason, "Unknown settings: [aaa, zzz]");
  EXPECT_TRUE(unknown.pushes.empty());
  const HandlerResult bad = update({{"theme", text("blue")}, {"volume", number(1)}});
  EXPECT_EQ(bad.status.code, StatusCode::kIllegalArgument);
  EXPECT_NE(bad.status.reason.find("theme"), std::string::npos);
  EXPECT_TRUE(stored().empty());

  // Skipped instead when configured so.
  user_config_.ignore_unknown_settings_on_upsert = true;
  ASSERT_EQ(update({{"theme", text("dark")}, {"zzz", text("?")}}).status.code, StatusCode::kOk);
  EXPECT_EQ(stored(), std::vector<std::string>{"theme"});
  // Only unknown names: nothing to do, no push.
  const HandlerResult nothing = update({{"zzz", text("?")}});
  EXPECT_EQ(nothing.status.code, StatusCode::kOk);
  EXPECT_TRUE(nothing.pushes.empty());
}

TEST_F(UserSettingsHandlersTest, WithNoSettingsConfiguredEveryUpdateIsRefused) {
  user_config_.allowed_settings.clear();  // upstream's default
  EXPECT_EQ(update({{"theme", text("dark")}}).status.code, StatusCode::kIllegalArgument);
}

TEST_F(UserSettingsHandlersTest, AnImmutableSettingIsSetOnce) {
  ASSERT_EQ(update({{"pin", number(1234)}}).status.code, StatusCode::kOk);
  const HandlerResult again = update({{"pin", number(1)}, {"theme", text("light")}});
  EXPECT_EQ(again.status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(again.status.reason, "Cannot update existing immutable settings: [pin]");
  EXPECT_EQ(query({"pin"}).data->user_settings().settings().at("pin").int32_value(), 1234);
  EXPECT_EQ(stored(), std::vector<std::string>{"pin"});
}

TEST_F(UserSettingsHandlersTest, DeleteFollowsDeletabilityAndPushesOnlyARealChange) {
  ASSERT_EQ(
      update({{"theme", text("dark")}, {"lang", text("en")}, {"volume", number(1)}}).status.code,
      StatusCode::kOk);
  const HandlerResult undeletable = remove({"lang"});
  EXPECT_EQ(undeletable.status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(undeletable.status.reason, "Cannot delete the non-deletable settings: [lang]");
  const HandlerResult unknown = remove({"zzz", "lang"});
  EXPECT_EQ(unknown.status.reason,
            "Cannot delete unknown settings: [zzz], and the non-deletable settings: [lang]");
  const HandlerResult deleted = remove({"theme"});
  ASSERT_EQ(deleted.status.code, StatusCode::kOk);
  expectSelfPushOnly(deleted);
  const HandlerResult again = remove({"theme"});
  EXPECT_EQ(again.status.code, StatusCode::kOk);
  EXPECT_TRUE(again.pushes.empty());
  // No names: every deletable setting goes, the others stay.
  ASSERT_EQ(remove({}).status.code, StatusCode::kOk);
  EXPECT_EQ(stored(), std::vector<std::string>{"lang"});
  // Unknown names skipped when configured so.
  user_config_.ignore_unknown_settings_on_delete = true;
  EXPECT_EQ(remove({"zzz"}).status.code, StatusCode::kOk);
}

}  // namespace
}  // namespace parley
