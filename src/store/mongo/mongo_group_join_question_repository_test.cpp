#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <map>
#include <string>

#include "store/group_join_question_repository_contract_test.h"
#include "store/mongo/mongo_raw_documents_test_util.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::GroupJoinQuestionRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, GroupJoinQuestionRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: the documents themselves, which upstream Turms (and anyone reading the
// database) sees.
class MongoGroupJoinQuestionRepositoryTest : public GroupJoinQuestionRepositoryContractTest {
 protected:
  testing::RawDocuments raw() const {
    return testing::RawDocuments(dynamic_cast<testing::MongoStoreTestEnv&>(*env_).config());
  }
  std::map<std::string, bson_type_t> storedTypes(const char* collection, int64_t id) {
    return raw().storedTypes(collection, testing::RawDocuments::int64(id));
  }
};

TEST_P(MongoGroupJoinQuestionRepositoryTest, DocumentsAreInUpstreamFormat) {
  insert({makeQuestion(1, kGroup)});
  const std::map<std::string, bson_type_t> types{{"_id", BSON_TYPE_INT64},
                                                 {"gid", BSON_TYPE_INT64},
                                                 {"q", BSON_TYPE_UTF8},
                                                 {"ans", BSON_TYPE_ARRAY},
                                                 {"score", BSON_TYPE_INT32}};
  EXPECT_EQ(storedTypes("groupJoinQuestion", 1), types);
  // The version: ours on the group, beside mlud.
  EXPECT_EQ(storedTypes("group", kGroup).at("qlud"), BSON_TYPE_DATE_TIME);
}

// A question written by another client (upstream Turms, mongosh) reads back as it is.
TEST_P(MongoGroupJoinQuestionRepositoryTest, AnUpstreamDocumentReadsBack) {
  using testing::RawDocuments;
  raw().insert("groupJoinQuestion",
               R"({"_id": )" + RawDocuments::int64(1) + R"(, "gid": )" +
                   RawDocuments::int64(kGroup) +
                   R"(, "q": "2 + 2?", "ans": ["4", "four"], "score": {"$numberInt": "7"}})");
  EXPECT_EQ(find(1), (GroupJoinQuestionRecord{.id = 1,
                                              .group_id = kGroup,
                                              .question = "2 + 2?",
                                              .answers = {"4", "four"},
                                              .score = 7}));
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoGroupJoinQuestionRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
