// User settings through real sockets, on SQLite and on MongoDB (FerretDB), with a configured set
// of allowed settings: values stored as their type, refusals with upstream's code, pushes to the
// user's other sessions only, and queries by name and date.
#include <gtest/gtest.h>

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

class UserSettingsTest : public SharedParleyOnBackend<UserSettingsTest> {
 public:
  static ParleyOptions parleyOptions() {
    return {.extra_args = {"--user-settings-allowed=theme:string:one-of=light|dark,"
                           "pinCode:int:min=0:max=9999:immutable,"
                           "tags:string[]:max-count=3:unique"},
            .demo_user_count = 10};
  }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, UserSettingsTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, UserSettingsTest, ::testing::Values(Backend::kMongo));

pb::Value text(const std::string& v) {
  pb::Value value;
  value.set_string_value(v);
  return value;
}

pb::TurmsNotification update(TurmsClient& client, const std::string& name, const pb::Value& value) {
  pb::TurmsRequest request;
  (*request.mutable_update_user_settings_request()->mutable_settings())[name] = value;
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification query(TurmsClient& client, std::optional<int64_t> since = {}) {
  pb::TurmsRequest request;
  if (since)
    request.mutable_query_user_settings_request()->set_last_updated_date_start(*since);
  else
    request.mutable_query_user_settings_request();
  return client.request(request, kRequestTimeout);
}

TEST_P(UserSettingsTest, SettingsSyncAcrossTheUsersSessions) {
  auto desktop = loggedIn(*parley_, 3, pb::DESKTOP);
  auto phone = loggedIn(*parley_, 3, pb::ANDROID, Transport::kWebSocket);
  auto other = loggedIn(*parley_, 4);
  EXPECT_EQ(query(*phone).code(), 1001);

  ASSERT_EQ(update(*desktop, "theme", text("dark")).code(), 1000);
  auto pushed = phone->waitFor(
      [](const Frame& frame) {
        return isRelayed(frame, pb::TurmsRequest::kUpdateUserSettingsRequest);
      },
      5s);
  ASSERT_TRUE(pushed.has_value());
  EXPECT_EQ(pushed->notification.relayed_request()
                .update_user_settings_request()
                .settings()
                .at("theme")
                .string_value(),
            "dark");
  ASSERT_EQ(update(*phone, "pinCode", text("1234")).code(), 1000);
  pb::Value tags;
  *tags.add_list_value() = text("a");
  *tags.add_list_value() = text("b");
  ASSERT_EQ(update(*phone, "tags", tags).code(), 1000);

  auto found = query(*desktop);
  ASSERT_EQ(found.code(), 1000);
  const auto& settings = found.data().user_settings();
  EXPECT_EQ(settings.settings().at("theme").string_value(), "dark");
  EXPECT_EQ(settings.settings().at("pinCode").int32_value(), 1234);
  EXPECT_EQ(settings.settings().at("tags").list_value_size(), 2);
  EXPECT_EQ(query(*desktop, settings.last_updated_date() + 1).code(), 1001);

  // Refusals: 1102 with the reason, nothing written.
  EXPECT_EQ(update(*desktop, "theme", text("blue")).code(), 1102);
  EXPECT_EQ(update(*desktop, "unknown", text("x")).code(), 1102);
  auto immutable = update(*desktop, "pinCode", text("1"));
  EXPECT_EQ(immutable.code(), 1102);
  EXPECT_EQ(immutable.reason(), "Cannot update existing immutable settings: [pinCode]");
  EXPECT_EQ(query(*desktop).data().user_settings().settings().at("pinCode").int32_value(), 1234);

  pb::TurmsRequest remove;
  remove.mutable_delete_user_settings_request()->add_names("theme");
  ASSERT_EQ(desktop->request(remove, kRequestTimeout).code(), 1000);
  EXPECT_FALSE(query(*phone).data().user_settings().settings().contains("theme"));

  // Another user sees none of it, and gets no push.
  EXPECT_EQ(query(*other).code(), 1001);
  EXPECT_FALSE(
      other
          ->waitFor([](const Frame& frame) { return frame.notification.has_relayed_request(); },
                    300ms)
          .has_value());
}

}  // namespace
}  // namespace parley::testing
