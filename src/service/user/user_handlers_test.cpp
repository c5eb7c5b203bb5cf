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

}  // namespace
}  // namespace parley
