#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <map>
#include <string>

#include "store/group_join_request_repository_contract_test.h"
#include "store/mongo/mongo_raw_documents_test_util.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::GroupJoinRequestRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, GroupJoinRequestRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: the documents themselves, which upstream Turms (and anyone reading the
// database) sees.
class MongoGroupJoinRequestRepositoryTest : public GroupJoinRequestRepositoryContractTest {
 protected:
  testing::RawDocuments raw() const {
    return testing::RawDocuments(dynamic_cast<testing::MongoStoreTestEnv&>(*env_).config());
  }
  std::map<std::string, bson_type_t> storedTypes(const char* collection, int64_t id) {
    return raw().storedTypes(collection, testing::RawDocuments::int64(id));
  }
};

// The accept's take-back is the one group invitations use (mongo_group_request.cpp), tested
// there; here, that it finds the requester as the member to take back.
TEST_P(MongoGroupJoinRequestRepositoryTest, AnAcceptThatLosesTheAnswerTakesBackTheRequester) {
  using testing::RawDocuments;
  // Pending, but its creation date written by hand as a number of millis: it reads back as created
  // at kT0, and a date comparison never matches it, so with an expiry set the accept's conditional
  // answer finds it no longer pending, as after a concurrent cancel.
  raw().insert("groupJoinRequest", R"({"_id": )" + RawDocuments::int64(1) + R"(, "gid": )" +
                                       RawDocuments::int64(kGroup) + R"(, "rqid": )" +
                                       RawDocuments::int64(20) +
                                       R"(, "cnt": "hi", "stat": {"$numberInt": "0"}, "cd": )" +
                                       RawDocuments::int64(kT0) + "}");
  ASSERT_TRUE(find(1).has_value());
  ASSERT_EQ(effectiveStatus(*find(1), kT0 - 1), RequestStatus::kPending);
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100, kOwner, kT0 - 1)));
  EXPECT_EQ(find(1)->status, RequestStatus::kPending);
  EXPECT_EQ(find(1)->responder_id, std::nullopt);
  EXPECT_EQ(member(kGroup, 20), std::nullopt);
  EXPECT_EQ(membersVersion(), kT0 + 101);  // added and removed
  EXPECT_EQ(groupVersion(), std::nullopt);
  EXPECT_EQ(sentVersion(20), std::nullopt);
}

TEST_P(MongoGroupJoinRequestRepositoryTest, DocumentsAreInUpstreamFormat) {
  GroupJoinRequestRecord declined = makeRequest(7, kGroup, 20);
  declined.status = RequestStatus::kDeclined;
  declined.responder_id = kOwner;
  declined.reason = "no";
  declined.response_date = kT0 + 5;
  insert(declined);
  const std::map<std::string, bson_type_t> answered_types{
      {"_id", BSON_TYPE_INT64},    {"gid", BSON_TYPE_INT64},    {"rqid", BSON_TYPE_INT64},
      {"rpid", BSON_TYPE_INT64},   {"cnt", BSON_TYPE_UTF8},     {"stat", BSON_TYPE_INT32},
      {"cd", BSON_TYPE_DATE_TIME}, {"rd", BSON_TYPE_DATE_TIME}, {"rsn", BSON_TYPE_UTF8}};
  EXPECT_EQ(storedTypes("groupJoinRequest", 7), answered_types);

  // Pending: no responder nor rd until answered, never a null rsn. Accepted without a reason: the
  // responder and rd come.
  insert(makeRequest(8, kGroup, 30));
  std::map<std::string, bson_type_t> pending_types = answered_types;
  pending_types.erase("rpid");
  pending_types.erase("rd");
  pending_types.erase("rsn");
  EXPECT_EQ(storedTypes("groupJoinRequest", 8), pending_types);
  ASSERT_TRUE(accept(replyOf(8, RequestStatus::kAccepted, kT0 + 100, kManager)));
  std::map<std::string, bson_type_t> accepted_types = answered_types;
  accepted_types.erase("rsn");
  EXPECT_EQ(storedTypes("groupJoinRequest", 8), accepted_types);
  // Recalled by the requester: answered, and no responder.
  insert(makeRequest(9, kGroup, 40));
  ASSERT_TRUE(reply(replyOf(9, RequestStatus::kCanceled, kT0 + 100, std::nullopt)));
  std::map<std::string, bson_type_t> canceled_types = accepted_types;
  canceled_types.erase("rpid");
  EXPECT_EQ(storedTypes("groupJoinRequest", 9), canceled_types);

  // The versions: upstream's sgjr of userVersion, and ours on the group beside mlud.
  EXPECT_EQ(storedTypes("userVersion", 30).at("sgjr"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(storedTypes("userVersion", 30).at("jg"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(storedTypes("group", kGroup).at("jlud"), BSON_TYPE_DATE_TIME);
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoGroupJoinRequestRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
