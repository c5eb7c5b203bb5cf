#include <gtest/gtest.h>

#include <map>
#include <string>

#include "store/group_type_repository_contract_test.h"
#include "store/mongo/mongo_raw_documents_test_util.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::GroupTypeRepositoryContractTest;
using testing::RawDocuments;

INSTANTIATE_TEST_SUITE_P(Mongo, GroupTypeRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: the documents upstream Turms reads and writes.
class MongoGroupTypeRepositoryTest : public GroupTypeRepositoryContractTest {
 protected:
  RawDocuments raw() const {
    return RawDocuments(dynamic_cast<testing::MongoStoreTestEnv&>(*env_).config());
  }
};

TEST_P(MongoGroupTypeRepositoryTest, TheDefaultDocumentHasUpstreamsShape) {
  const std::map<std::string, bson_type_t> types{
      {"_id", BSON_TYPE_INT64},  {"n", BSON_TYPE_UTF8},   {"gsl", BSON_TYPE_INT32},
      {"is", BSON_TYPE_INT32},   {"js", BSON_TYPE_INT32}, {"gius", BSON_TYPE_INT32},
      {"mius", BSON_TYPE_INT32}, {"gs", BSON_TYPE_BOOL},  {"siu", BSON_TYPE_BOOL},
      {"err", BSON_TYPE_BOOL},   {"me", BSON_TYPE_BOOL}};
  EXPECT_EQ(raw().storedTypes("groupType", RawDocuments::int64(kDefaultGroupTypeId)), types);
}

// Upstream stores enums as their ordinals; a type it wrote reads back with the same meaning.
TEST_P(MongoGroupTypeRepositoryTest, ATypeWrittenByUpstreamReadsBack) {
  raw().insert("groupType", R"({"_id": )" + RawDocuments::int64(42) +
                                R"(, "n": "vip", "gsl": 3000, "is": 7, "js": 3, "gius": 3,
                                "mius": 0, "gs": true, "siu": false, "err": true, "me": false})");
  const GroupTypeRecord expected{.id = 42,
                                 .name = "vip",
                                 .group_size_limit = 3000,
                                 .invitation_strategy = GroupInvitationStrategy::kOwner,
                                 .join_strategy = GroupJoinStrategy::kJoinRequest,
                                 .group_info_update_strategy = GroupUpdateStrategy::kOwner,
                                 .member_info_update_strategy = GroupUpdateStrategy::kAll,
                                 .guest_speakable = true,
                                 .self_info_updatable = false,
                                 .enable_read_receipt = true,
                                 .message_editable = false};
  EXPECT_EQ(find(42), expected);
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoGroupTypeRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
