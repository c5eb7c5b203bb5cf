#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <map>
#include <string>

#include "store/group_invitation_repository_contract_test.h"
#include "store/mongo/mongo_raw_documents_test_util.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::GroupInvitationRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, GroupInvitationRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: the documents themselves, which upstream Turms (and anyone reading the
// database) sees.
class MongoGroupInvitationRepositoryTest : public GroupInvitationRepositoryContractTest {
 protected:
  testing::RawDocuments raw() const {
    return testing::RawDocuments(dynamic_cast<testing::MongoStoreTestEnv&>(*env_).config());
  }
  std::map<std::string, bson_type_t> storedTypes(const char* collection, int64_t id) {
    return raw().storedTypes(collection, testing::RawDocuments::int64(id));
  }

  // A pending invitation whose creation date was written by hand as a number of millis: it reads
  // back as created at kT0, but a date comparison never matches it, so with an expiry set the
  // accept's conditional answer finds it no longer pending, as after a concurrent cancel.
  void insertUnanswerable(int64_t id, int64_t invitee_id) {
    using testing::RawDocuments;
    raw().insert("groupInvitation", R"({"_id": )" + RawDocuments::int64(id) + R"(, "gid": )" +
                                        RawDocuments::int64(kGroup) + R"(, "irid": )" +
                                        RawDocuments::int64(kOwner) + R"(, "ieid": )" +
                                        RawDocuments::int64(invitee_id) +
                                        R"(, "cnt": "hi", "stat": {"$numberInt": "0"}, "cd": )" +
                                        RawDocuments::int64(kT0) + "}");
  }
};

TEST_P(MongoGroupInvitationRepositoryTest, AnAcceptThatLosesTheAnswerTakesBackItsMember) {
  insertUnanswerable(1, 20);
  ASSERT_EQ(effectiveStatus(*find(1), kT0 - 1), RequestStatus::kPending);
  const int64_t members_before = membersVersion();
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 100, kT0 - 1)));
  EXPECT_EQ(find(1)->status, RequestStatus::kPending);
  EXPECT_EQ(member(kGroup, 20), std::nullopt);
  // Added and removed: the members saw two changes, the invitations none.
  EXPECT_EQ(membersVersion(), kT0 + 101);
  EXPECT_GT(membersVersion(), members_before);
  EXPECT_EQ(groupVersion(), std::nullopt);
  EXPECT_EQ(receivedVersion(20), std::nullopt);

  // A member who was one before the accept stays one.
  GroupMemberRecord manager;
  manager.group_id = kGroup;
  manager.user_id = 30;
  manager.role = kGroupRoleManager;
  manager.join_date = kT0 - 50;
  ASSERT_TRUE(store_->groupMembers().insertMany(std::span(&manager, 1)).ok());
  insertUnanswerable(2, 30);
  EXPECT_FALSE(accept(replyOf(2, RequestStatus::kAccepted, kT0 + 200, kT0 - 1)));
  EXPECT_EQ(member(kGroup, 30), manager);
}

TEST_P(MongoGroupInvitationRepositoryTest, DocumentsAreInUpstreamFormat) {
  GroupInvitationRecord answered = makeInvitation(7, kGroup, kOwner, 20);
  answered.status = RequestStatus::kDeclined;
  answered.reason = "no";
  answered.response_date = kT0 + 5;
  insert(answered);
  const std::map<std::string, bson_type_t> answered_types{
      {"_id", BSON_TYPE_INT64},    {"gid", BSON_TYPE_INT64},    {"irid", BSON_TYPE_INT64},
      {"ieid", BSON_TYPE_INT64},   {"cnt", BSON_TYPE_UTF8},     {"stat", BSON_TYPE_INT32},
      {"cd", BSON_TYPE_DATE_TIME}, {"rd", BSON_TYPE_DATE_TIME}, {"rsn", BSON_TYPE_UTF8}};
  EXPECT_EQ(storedTypes("groupInvitation", 7), answered_types);

  // Pending, then accepted without a reason: no rd until answered, never a null rsn.
  insert(makeInvitation(8, kGroup, kOwner, 30));
  std::map<std::string, bson_type_t> pending_types = answered_types;
  pending_types.erase("rd");
  pending_types.erase("rsn");
  EXPECT_EQ(storedTypes("groupInvitation", 8), pending_types);
  ASSERT_TRUE(accept(replyOf(8, RequestStatus::kAccepted, kT0 + 100)));
  std::map<std::string, bson_type_t> accepted_types = answered_types;
  accepted_types.erase("rsn");
  EXPECT_EQ(storedTypes("groupInvitation", 8), accepted_types);

  // The versions: upstream's sgi and rgi of userVersion, and ours on the group beside mlud.
  EXPECT_EQ(storedTypes("userVersion", kOwner).at("sgi"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(storedTypes("userVersion", 30).at("rgi"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(storedTypes("userVersion", 30).at("jg"), BSON_TYPE_DATE_TIME);
  EXPECT_EQ(storedTypes("group", kGroup).at("ilud"), BSON_TYPE_DATE_TIME);
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoGroupInvitationRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
