#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/friend_request_repository_contract_test.h"
#include "store/mongo/mongo_raw_documents_test_util.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using contract::FriendRequestRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Mongo, FriendRequestRepositoryContractTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

// Beyond the contract: accepts interrupted between their writes, and the documents themselves,
// which upstream Turms (and anyone reading the database) sees. Raw documents are written and read
// as canonical extended JSON, so every BSON type is explicit.
class MongoFriendRequestRepositoryTest : public FriendRequestRepositoryContractTest {
 protected:
  static constexpr int64_t kAcceptedAt = kT0 + 100;

  testing::RawDocuments raw() const {
    return testing::RawDocuments(dynamic_cast<testing::MongoStoreTestEnv&>(*env_).config());
  }
  void insertRaw(const char* collection, const std::string& doc_json) {
    raw().insert(collection, doc_json);
  }
  std::map<std::string, bson_type_t> storedTypes(const char* collection,
                                                 const std::string& id_json) {
    return raw().storedTypes(collection, id_json);
  }
  static std::string date(int64_t millis) { return testing::RawDocuments::date(millis); }
  static std::string int64(int64_t value) { return testing::RawDocuments::int64(value); }

  // What the first write of an accept at kAcceptedAt leaves: the request claimed (ACCEPTED,
  // carrying `acc`) and nothing else yet.
  void writeClaimedRequest(int64_t id, int64_t requester_id, int64_t recipient_id) {
    insertRaw("userFriendRequest",
              R"({"_id": )" + int64(id) + R"(, "cnt": "hi", "stat": {"$numberInt": "1"}, "cd": )" +
                  date(kT0) + R"(, "adr": )" + date(kAcceptedAt) + R"(, "rrid": )" +
                  int64(requester_id) + R"(, "rtid": )" + int64(recipient_id) + R"(, "acc": )" +
                  date(kAcceptedAt) + "}");
  }

  static RelationshipRecord friendOf(int64_t owner_id, int64_t related_user_id) {
    RelationshipRecord relationship;
    relationship.owner_id = owner_id;
    relationship.related_user_id = related_user_id;
    relationship.establishment_date = kAcceptedAt;
    return relationship;
  }

  void expectFriends(int64_t a, int64_t b) {
    for (const auto& [owner, related] : {std::pair{a, b}, std::pair{b, a}}) {
      const auto side = relationship(owner, related);
      ASSERT_TRUE(side.has_value()) << owner << " -> " << related;
      EXPECT_EQ(side->block_date, std::nullopt) << owner << " -> " << related;
      EXPECT_EQ(side->establishment_date, kAcceptedAt) << owner << " -> " << related;
    }
  }

  bool carriesAcceptMarker(int64_t id) {
    return storedTypes("userFriendRequest", int64(id)).contains("acc");
  }

  int64_t finishInterrupted(int64_t started_before) {
    auto finished = requests().finishInterruptedAccepts(started_before);
    EXPECT_TRUE(finished.ok()) << finished.status().reason;
    return finished.ok() ? finished.value() : -1;
  }
};

TEST_P(MongoFriendRequestRepositoryTest, RecoveryCompletesAnAcceptInterruptedAfterOneSide) {
  insert(makeRequest(2, 10, 20, kT0));  // versions at kT0
  writeClaimedRequest(1, 10, 20);
  ASSERT_TRUE(store_->relationships().insert(friendOf(10, 20), kAcceptedAt).ok());

  EXPECT_EQ(finishInterrupted(kAcceptedAt), 0);  // started too recently: may still be running
  EXPECT_FALSE(relationship(20, 10).has_value());
  EXPECT_EQ(finishInterrupted(kAcceptedAt + 1), 1);
  expectFriends(10, 20);
  EXPECT_EQ(sentVersion(10), kAcceptedAt);
  EXPECT_EQ(receivedVersion(20), kAcceptedAt);
  EXPECT_FALSE(carriesAcceptMarker(1));
  EXPECT_EQ(finishInterrupted(kAcceptedAt + 1), 0);

  FriendRequestRecord accepted = makeRequest(1, 10, 20, kT0);
  accepted.content = "hi";
  accepted.status = RequestStatus::kAccepted;
  accepted.response_date = kAcceptedAt;
  EXPECT_EQ(find(1), accepted);
}

TEST_P(MongoFriendRequestRepositoryTest, RetriedAcceptCompletesAnInterruptedAccept) {
  writeClaimedRequest(1, 10, 20);
  RelationshipRecord blocked = friendOf(20, 10);
  blocked.block_date = kT0;
  ASSERT_TRUE(store_->relationships().insert(blocked, kAcceptedAt).ok());

  EXPECT_TRUE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 500)));
  expectFriends(10, 20);
  EXPECT_EQ(sentVersion(10), kAcceptedAt);  // the accept's own moment, not the retry's
  EXPECT_FALSE(carriesAcceptMarker(1));
  EXPECT_EQ(finishInterrupted(kT0 + 1000), 0);
  EXPECT_FALSE(accept(replyOf(1, RequestStatus::kAccepted, kT0 + 600)));  // done: not pending
}

TEST_P(MongoFriendRequestRepositoryTest, AnAcceptInProgressOutlivesTheCleanupUntilCompleted) {
  writeClaimedRequest(1, 10, 20);
  auto removed = requests().removeCreatedBefore(kT0 + 1);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 0);
  EXPECT_EQ(finishInterrupted(kAcceptedAt + 1), 1);
  removed = requests().removeCreatedBefore(kT0 + 1);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(removed.value(), 1);
}

TEST_P(MongoFriendRequestRepositoryTest, DocumentsAreInUpstreamFormat) {
  FriendRequestRecord answered = makeRequest(7, 10, 20);
  answered.status = RequestStatus::kDeclined;
  answered.reason = "no";
  answered.response_date = kT0 + 5;
  insert(answered);
  const std::map<std::string, bson_type_t> answered_types{
      {"_id", BSON_TYPE_INT64},  {"cnt", BSON_TYPE_UTF8},     {"stat", BSON_TYPE_INT32},
      {"rsn", BSON_TYPE_UTF8},   {"cd", BSON_TYPE_DATE_TIME}, {"adr", BSON_TYPE_DATE_TIME},
      {"rrid", BSON_TYPE_INT64}, {"rtid", BSON_TYPE_INT64}};
  EXPECT_EQ(storedTypes("userFriendRequest", int64(7)), answered_types);

  // Accepted without a reason: no rsn (absent, not null), and no `acc` left.
  insert(makeRequest(8, 10, 30));
  ASSERT_TRUE(accept(replyOf(8, RequestStatus::kAccepted, kAcceptedAt)));
  std::map<std::string, bson_type_t> accepted_types = answered_types;
  accepted_types.erase("rsn");
  EXPECT_EQ(storedTypes("userFriendRequest", int64(8)), accepted_types);

  const std::map<std::string, bson_type_t> relationship_types{{"_id", BSON_TYPE_DOCUMENT},
                                                              {"_id.oid", BSON_TYPE_INT64},
                                                              {"_id.rid", BSON_TYPE_INT64},
                                                              {"ed", BSON_TYPE_DATE_TIME},
                                                              {"n", BSON_TYPE_UTF8}};
  EXPECT_EQ(
      storedTypes("userRelationship", R"({"oid": )" + int64(30) + R"(, "rid": )" + int64(10) + "}"),
      relationship_types);
  // The requester's sent requests, and its relationships (with their groups and members) since
  // the accept.
  const std::map<std::string, bson_type_t> version_types{{"_id", BSON_TYPE_INT64},
                                                         {"sfr", BSON_TYPE_DATE_TIME},
                                                         {"r", BSON_TYPE_DATE_TIME},
                                                         {"rg", BSON_TYPE_DATE_TIME},
                                                         {"rgm", BSON_TYPE_DATE_TIME}};
  EXPECT_EQ(storedTypes("userVersion", int64(10)), version_types);
}

// userVersion is shared with the joined-groups version: a user's document may exist without the
// friend-request dates.
TEST_P(MongoFriendRequestRepositoryTest, VersionsMoveInADocumentSharedWithOtherVersions) {
  GroupMemberRecord member;
  member.group_id = 5;
  member.user_id = 10;
  member.join_date = kT0 + 50;
  ASSERT_TRUE(store_->groupMembers().insertMany(std::vector{member}).ok());
  EXPECT_EQ(sentVersion(10), std::nullopt);
  insert(makeRequest(1, 10, 20, kT0));
  EXPECT_EQ(sentVersion(10), kT0);
  EXPECT_EQ(store_->groupMembers().findJoinedGroupsVersion(10).value(), kT0 + 50);
}

INSTANTIATE_TEST_SUITE_P(Mongo, MongoFriendRequestRepositoryTest,
                         ::testing::Values(testing::mongoStoreContractParam()),
                         contract::storeContractName);

}  // namespace
}  // namespace parley
