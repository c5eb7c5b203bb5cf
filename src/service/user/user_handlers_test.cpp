#include "service/user/user_handlers.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

// Searching profiles by name, over the real dispatcher and a real SQLite store.
class UserSearchTest : public testing::ServiceTestFixture {
 protected:
  UserSearchTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    registerUserHandlers(dispatcher_, deps());
    int64_t id = 1;
    for (const char* name : {"anna", "annabel", "anne", "bert", "ann"}) {
      UserRecord user = userRecord(id++);
      user.name = name;
      ASSERT_NO_FATAL_FAILURE(addUser(user));
    }
  }

  HandlerResult search(const std::string& name, std::optional<int> skip = std::nullopt,
                       std::optional<int> limit = std::nullopt) {
    TurmsRequest request;
    auto* query = request.mutable_query_user_profiles_request();
    query->set_name(name);
    if (skip) query->set_skip(*skip);
    if (limit) query->set_limit(*limit);
    return dispatch(1, request);
  }

  static std::vector<std::string> names(const HandlerResult& result) {
    std::vector<std::string> found;
    if (!result.data) return found;
    for (const auto& info : result.data->user_infos_with_version().user_infos()) {
      found.push_back(info.name());
    }
    return found;
  }
};

TEST_F(UserSearchTest, ANameFindsTheUsersItStartsInNameOrder) {
  const HandlerResult found = search("ann");
  ASSERT_EQ(found.status.code, StatusCode::kOk) << found.status.reason;
  EXPECT_EQ(names(found), (std::vector<std::string>{"ann", "anna", "annabel", "anne"}));
  EXPECT_FALSE(found.data->user_infos_with_version().has_last_updated_date());  // unversioned
  EXPECT_EQ(names(search("ann", 1, 2)), (std::vector<std::string>{"anna", "annabel"}));
  EXPECT_EQ(search("zoe").status.code, StatusCode::kNoContent);
  EXPECT_EQ(search("").status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(search("ann", -1).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(search("ann", 0, 1001).status.code, StatusCode::kRequestedRecordsTooMany);
}

TEST_F(UserSearchTest, SwitchedOffItIsUpstreamsDisabledSearch) {
  user_config_.search_by_name = false;
  EXPECT_EQ(search("ann").status.code, StatusCode::kSearchingUserIsDisabled);
}

// UpdateUserRequest's user-defined attributes, as upstream: allowed names only, checked values,
// immutable ones set once; profiles show them.
class UserDefinedAttributesTest : public testing::ServiceTestFixture {
 protected:
  UserDefinedAttributesTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    for (const char* spec : {"city:string:max-length=20", "employeeId:long:immutable"}) {
      user_config_.allowed_attributes.push_back(parseCustomSetting(spec));
    }
    registerUserHandlers(dispatcher_, deps());
    for (int64_t id = 1; id <= 2; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
  }

  HandlerResult update(const std::string& name, const im::turms::proto::Value& value) {
    TurmsRequest request;
    (*request.mutable_update_user_request()->mutable_user_defined_attributes())[name] = value;
    return dispatch(1, request);
  }

  // User 1's attributes as user 2 sees them in the profile.
  google::protobuf::Map<std::string, im::turms::proto::Value> profileAttributes() {
    TurmsRequest request;
    request.mutable_query_user_profiles_request()->add_user_ids(1);
    const HandlerResult result = dispatch(2, request);
    EXPECT_EQ(result.status.code, StatusCode::kOk);
    return result.data->user_infos_with_version().user_infos(0).user_defined_attributes();
  }

  static im::turms::proto::Value text(const std::string& v) {
    im::turms::proto::Value value;
    value.set_string_value(v);
    return value;
  }
};

TEST_F(UserDefinedAttributesTest, AttributesAreCheckedStoredAndShownInProfiles) {
  EXPECT_TRUE(profileAttributes().empty());
  const HandlerResult updated = update("city", text("Lyon"));
  ASSERT_EQ(updated.status.code, StatusCode::kOk) << updated.status.reason;
  expectSelfPushOnly(updated);
  ASSERT_EQ(update("employeeId", text("77")).status.code, StatusCode::kOk);
  const auto attributes = profileAttributes();
  EXPECT_EQ(attributes.at("city").string_value(), "Lyon");
  EXPECT_EQ(attributes.at("employeeId").int64_value(), 77);  // stored as its type

  const HandlerResult unknown = update("shoeSize", text("44"));
  EXPECT_EQ(unknown.status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(unknown.status.reason, "Unknown attributes: [shoeSize]");
  EXPECT_EQ(update("city", text(std::string(21, 'x'))).status.code, StatusCode::kIllegalArgument);
  const HandlerResult immutable = update("employeeId", text("78"));
  EXPECT_EQ(immutable.status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(immutable.status.reason, "Cannot update existing immutable attributes: [employeeId]");
  EXPECT_EQ(profileAttributes().at("employeeId").int64_value(), 77);
  EXPECT_EQ(profileAttributes().at("city").string_value(), "Lyon");
}

}  // namespace
}  // namespace parley
