#include <gtest/gtest.h>

#include <map>
#include <string>

#include "store/admin_account_repository_contract_test.h"
#include "store/mongo/mongo_raw_documents_test_util.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::AdminAccountRepositoryContractTest;
using testing::RawDocuments;

INSTANTIATE_TEST_SUITE_P(Mongo, AdminAccountRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: the documents upstream Turms reads and writes.
class MongoAdminAccountRepositoryTest : public AdminAccountRepositoryContractTest {
 protected:
  RawDocuments raw() const {
    return RawDocuments(dynamic_cast<testing::MongoStoreTestEnv&>(*env_).config());
  }
};

TEST_P(MongoAdminAccountRepositoryTest, AnAccountHasUpstreamsShape) {
  insert(makeAccount(5, "ops"));
  const std::map<std::string, bson_type_t> types{
      {"_id", BSON_TYPE_INT64}, {"ln", BSON_TYPE_UTF8},   {"pw", BSON_TYPE_BINARY},
      {"n", BSON_TYPE_UTF8},    {"rid", BSON_TYPE_ARRAY}, {"rd", BSON_TYPE_DATE_TIME}};
  EXPECT_EQ(raw().storedTypes("admin", RawDocuments::int64(5)), types);
}

// A role this version does not know (upstream's role ids, or a newer version's) may only read.
TEST_P(MongoAdminAccountRepositoryTest, AnUnknownStoredRoleReadsAsReadOnly) {
  raw().insert("admin",
               R"({"_id": )" + RawDocuments::int64(6) +
                   R"(, "ln": "ops", "pw": {"$binary": {"base64": "aA==", "subType": "00"}},
                            "n": "Ops", "rid": [)" +
                   RawDocuments::int64(9) + R"(], "rd": {"$date": {"$numberLong": "0"}}})");
  const std::optional<AdminAccount> found = find("ops");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->role, AdminRole::kReadOnly);
  EXPECT_EQ(found->password_hash, "h");
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoAdminAccountRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
