#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "store/mongo/mongo_raw_documents_test_util.h"
#include "store/relationship_group_repository_contract_test.h"
#include "store/relationship_repository_contract_test.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::RelationshipGroupRepositoryContractTest;
using contract::RelationshipRepositoryContractTest;
using testing::RawDocuments;

INSTANTIATE_TEST_SUITE_P(Mongo, RelationshipRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);
INSTANTIATE_TEST_SUITE_P(Mongo, RelationshipGroupRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: the documents upstream Turms reads, and relationships written before
// memberships had their own collection.
class MongoRelationshipRepositoryTest : public RelationshipRepositoryContractTest {
 protected:
  RawDocuments raw() const {
    return RawDocuments(dynamic_cast<testing::MongoStoreTestEnv&>(*env_).config());
  }
};

TEST_P(MongoRelationshipRepositoryTest, DocumentsHaveUpstreamsShape) {
  RelationshipRecord relationship = makeRelationship(1, 2);
  relationship.group_indexes = {3};
  ASSERT_TRUE(relationships().insert(relationship, kNow).ok());
  auto group = store_->relationshipGroups().create(1, "work", kNow);
  ASSERT_TRUE(group.ok());

  const std::map<std::string, bson_type_t> relationship_types{{"_id", BSON_TYPE_DOCUMENT},
                                                              {"_id.oid", BSON_TYPE_INT64},
                                                              {"_id.rid", BSON_TYPE_INT64},
                                                              {"ed", BSON_TYPE_DATE_TIME},
                                                              {"n", BSON_TYPE_UTF8}};
  EXPECT_EQ(
      raw().storedTypes("userRelationship", R"({"oid": )" + RawDocuments::int64(1) +
                                                R"(, "rid": )" + RawDocuments::int64(2) + "}"),
      relationship_types);
  const std::map<std::string, bson_type_t> member_types{{"_id", BSON_TYPE_DOCUMENT},
                                                        {"_id.oid", BSON_TYPE_INT64},
                                                        {"_id.gidx", BSON_TYPE_INT32},
                                                        {"_id.ruid", BSON_TYPE_INT64},
                                                        {"jd", BSON_TYPE_DATE_TIME}};
  EXPECT_EQ(raw().storedTypes("userRelationshipGroupMember",
                              R"({"oid": )" + RawDocuments::int64(1) + R"(, "gidx": )" +
                                  RawDocuments::int32(3) + R"(, "ruid": )" +
                                  RawDocuments::int64(2) + "}"),
            member_types);
  const std::map<std::string, bson_type_t> group_types{{"_id", BSON_TYPE_DOCUMENT},
                                                       {"_id.oid", BSON_TYPE_INT64},
                                                       {"_id.gidx", BSON_TYPE_INT32},
                                                       {"n", BSON_TYPE_UTF8},
                                                       {"cd", BSON_TYPE_DATE_TIME}};
  EXPECT_EQ(raw().storedTypes("userRelationshipGroup", R"({"oid": )" + RawDocuments::int64(1) +
                                                           R"(, "gidx": )" +
                                                           RawDocuments::int32(group->index) + "}"),
            group_types);
  const std::map<std::string, bson_type_t> version_types{{"_id", BSON_TYPE_INT64},
                                                         {"r", BSON_TYPE_DATE_TIME},
                                                         {"rg", BSON_TYPE_DATE_TIME},
                                                         {"rgm", BSON_TYPE_DATE_TIME}};
  EXPECT_EQ(raw().storedTypes("userVersion", RawDocuments::int64(1)), version_types);
}

// Parley once kept a relationship's one group in the relationship's `gidx`. Such a relationship
// (or one whose memberships a stopped writer never wrote) is read in that group until a write
// gives it memberships.
TEST_P(MongoRelationshipRepositoryTest, ALegacyGroupIndexCountsUntilMembershipsAreWritten) {
  raw().insert("userRelationship", R"({"_id": {"oid": )" + RawDocuments::int64(1) + R"(, "rid": )" +
                                       RawDocuments::int64(2) + R"(}, "gidx": )" +
                                       RawDocuments::int32(4) + R"(, "ed": )" +
                                       RawDocuments::date(kNow) + R"(, "n": "old"})");
  raw().insert("userRelationship", R"({"_id": {"oid": )" + RawDocuments::int64(1) + R"(, "rid": )" +
                                       RawDocuments::int64(3) + R"(}, "ed": )" +
                                       RawDocuments::date(kNow) + R"(, "n": ""})");
  EXPECT_EQ(find(1, 2)->group_indexes, std::vector<int32_t>{4});
  EXPECT_EQ(find(1, 3)->group_indexes, std::vector<int32_t>{kDefaultRelationshipGroupIndex});
  RelationshipFilter in_four;
  in_four.owner_id = 1;
  in_four.group_indexes = {4};
  EXPECT_EQ(relatedIds(in_four), std::vector<int64_t>{2});

  RelationshipRecord moved = *find(1, 2);
  moved.group_indexes = {5};
  ASSERT_TRUE(relationships().upsert(moved, kNow).ok());
  EXPECT_EQ(find(1, 2)->group_indexes, std::vector<int32_t>{5});
  EXPECT_TRUE(relatedIds(in_four).empty());
  EXPECT_FALSE(raw()
                   .storedTypes("userRelationship", R"({"oid": )" + RawDocuments::int64(1) +
                                                        R"(, "rid": )" + RawDocuments::int64(2) +
                                                        "}")
                   .contains("gidx"));
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoRelationshipRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
