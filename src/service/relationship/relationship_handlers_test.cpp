#include "service/relationship/relationship_handlers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "testing/service_test_fixture.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;

// The real dispatcher over a real SQLite store, without sockets.
class RelationshipHandlersTest : public testing::ServiceTestFixture {
 protected:
  RelationshipHandlersTest() : ServiceTestFixture(1'700'000'000'000) {}

  void SetUp() override {
    registerRelationshipHandlers(dispatcher_, deps());
    for (int64_t id = 1; id <= 5; ++id) ASSERT_NO_FATAL_FAILURE(addUser(userRecord(id)));
    ASSERT_TRUE(store_->users().softDelete(5, clock_.nowMillis()).ok());
  }

  void TearDown() override {
    EXPECT_EQ(control_.directly_pushed_users, 0);
    EXPECT_EQ(control_.closes, 0);
  }

  static TurmsRequest create(int64_t user_id, bool blocked = false,
                             std::optional<int32_t> group_index = std::nullopt,
                             std::optional<std::string> name = std::nullopt) {
    TurmsRequest request;
    request.set_request_id(1);
    auto* create = request.mutable_create_relationship_request();
    create->set_user_id(user_id);
    create->set_blocked(blocked);
    if (group_index) create->set_group_index(*group_index);
    if (name) create->set_name(*name);
    return request;
  }

  static TurmsRequest update(int64_t user_id, std::optional<bool> blocked,
                             std::optional<std::string> name = std::nullopt) {
    TurmsRequest request;
    request.set_request_id(2);
    auto* update = request.mutable_update_relationship_request();
    update->set_user_id(user_id);
    if (blocked) update->set_blocked(*blocked);
    if (name) update->set_name(*name);
    return request;
  }

  static TurmsRequest remove(int64_t user_id) {
    TurmsRequest request;
    request.set_request_id(3);
    request.mutable_delete_relationship_request()->set_user_id(user_id);
    return request;
  }

  static TurmsRequest queryRelationships(std::vector<int64_t> user_ids,
                                         std::optional<bool> blocked = std::nullopt) {
    TurmsRequest request;
    request.set_request_id(4);
    auto* query = request.mutable_query_relationships_request();
    for (const int64_t id : user_ids) query->add_user_ids(id);
    if (blocked) query->set_blocked(*blocked);
    return request;
  }

  static TurmsRequest queryRelatedIds(std::optional<bool> blocked = std::nullopt,
                                      std::vector<int32_t> group_indexes = {}) {
    TurmsRequest request;
    request.set_request_id(5);
    auto* query = request.mutable_query_related_user_ids_request();
    if (blocked) query->set_blocked(*blocked);
    for (const int32_t index : group_indexes) query->add_group_indexes(index);
    return request;
  }

  // The related user ids `user_id` gets back, sorted; empty on NO_CONTENT.
  std::vector<int64_t> relatedIds(int64_t user_id, std::optional<bool> blocked = std::nullopt,
                                  std::vector<int32_t> group_indexes = {}) {
    const HandlerResult result = dispatch(user_id, queryRelatedIds(blocked, group_indexes));
    if (result.status.code == StatusCode::kNoContent) return {};
    EXPECT_EQ(result.status.code, StatusCode::kOk) << result.status.reason;
    if (!result.data) return {};
    std::vector<int64_t> ids(result.data->longs_with_version().longs().begin(),
                             result.data->longs_with_version().longs().end());
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

TEST_F(RelationshipHandlersTest, CreateThenQueryReturnsTheOneSidedRecord) {
  const HandlerResult created = dispatch(1, create(2, false, std::nullopt, "bob"));
  ASSERT_EQ(created.status.code, StatusCode::kOk) << created.status.reason;
  // The requester's other devices learn about it, with the group it landed in filled in.
  expectSelfPushOnly(created);
  ASSERT_TRUE(created.pushes[0].request.has_value());
  EXPECT_EQ(created.pushes[0].request->create_relationship_request().user_id(), 2);
  EXPECT_TRUE(created.pushes[0].request->create_relationship_request().has_group_index());
  EXPECT_EQ(created.pushes[0].request->create_relationship_request().group_index(), 0);

  const HandlerResult queried = dispatch(1, queryRelationships({2}));
  ASSERT_EQ(queried.status.code, StatusCode::kOk) << queried.status.reason;
  ASSERT_TRUE(queried.data.has_value());
  const auto& with_version = queried.data->user_relationships_with_version();
  ASSERT_EQ(with_version.user_relationships_size(), 1);
  const pb::UserRelationship& relationship = with_version.user_relationships(0);
  EXPECT_EQ(relationship.owner_id(), 1);
  EXPECT_EQ(relationship.related_user_id(), 2);
  EXPECT_FALSE(relationship.has_block_date());
  EXPECT_FALSE(relationship.has_group_index());  // unset, as upstream: groups are a filter
  EXPECT_EQ(relationship.establishment_date(), clock_.nowMillis());
  EXPECT_EQ(relationship.name(), "bob");
  EXPECT_EQ(with_version.last_updated_date(), clock_.nowMillis());
  EXPECT_TRUE(queried.pushes.empty());

  // One-sided: the other user has no relationship yet.
  EXPECT_EQ(dispatch(2, queryRelationships({1})).status.code, StatusCode::kNoContent);
  EXPECT_EQ(relatedIds(1), (std::vector<int64_t>{2}));
  EXPECT_TRUE(relatedIds(2).empty());
}

TEST_F(RelationshipHandlersTest, CreatingAnExistingRelationshipIs2501) {
  ASSERT_EQ(dispatch(1, create(2)).status.code, StatusCode::kOk);
  const HandlerResult again = dispatch(1, create(2, true));
  EXPECT_EQ(again.status.code, StatusCode::kCreateExistingRelationship);
  EXPECT_EQ(toInt(again.status.code), 2501);
  EXPECT_TRUE(again.pushes.empty());
  // The first record is unchanged: not blocked.
  EXPECT_EQ(relatedIds(1, true), std::vector<int64_t>{});
  // The other direction is a different record.
  EXPECT_EQ(dispatch(2, create(1)).status.code, StatusCode::kOk);
}

TEST_F(RelationshipHandlersTest, CreateRefusesOneselfAndUnknownOrDeletedUsers) {
  EXPECT_EQ(dispatch(1, create(1)).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(1, create(404)).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(1, create(5)).status.code, StatusCode::kIllegalArgument);  // soft-deleted
  EXPECT_TRUE(relatedIds(1).empty());
}

TEST_F(RelationshipHandlersTest, BlockingIsARecordWithABlockDate) {
  ASSERT_EQ(dispatch(1, create(2)).status.code, StatusCode::kOk);
  clock_.advance(1000);
  ASSERT_EQ(dispatch(1, create(3, true, 4)).status.code, StatusCode::kOk);
  EXPECT_TRUE(store_->relationships().isBlocked(1, 3).value());
  EXPECT_FALSE(store_->relationships().isBlocked(3, 1).value());

  EXPECT_EQ(relatedIds(1), (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(relatedIds(1, true), (std::vector<int64_t>{3}));
  EXPECT_EQ(relatedIds(1, false), (std::vector<int64_t>{2}));
  EXPECT_EQ(relatedIds(1, std::nullopt, {4}), (std::vector<int64_t>{3}));
  EXPECT_TRUE(relatedIds(1, false, {4}).empty());

  const HandlerResult blocked = dispatch(1, queryRelationships({}, true));
  ASSERT_EQ(blocked.status.code, StatusCode::kOk);
  const auto& with_version = blocked.data->user_relationships_with_version();
  ASSERT_EQ(with_version.user_relationships_size(), 1);
  EXPECT_EQ(with_version.user_relationships(0).related_user_id(), 3);
  EXPECT_EQ(with_version.user_relationships(0).block_date(), clock_.nowMillis());
  EXPECT_EQ(with_version.last_updated_date(), clock_.nowMillis());
}

TEST_F(RelationshipHandlersTest, UpdateBlocksUnblocksAndRenamesKeepingTheRest) {
  ASSERT_EQ(dispatch(1, create(2, false, 3, "bob")).status.code, StatusCode::kOk);
  const int64_t established = clock_.nowMillis();
  clock_.advance(1000);
  const HandlerResult blocked = dispatch(1, update(2, true));
  ASSERT_EQ(blocked.status.code, StatusCode::kOk) << blocked.status.reason;
  expectSelfPushOnly(blocked);
  auto record = store_->relationships().find(1, 2).value();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->block_date, std::optional<int64_t>(clock_.nowMillis()));
  EXPECT_EQ(record->name, "bob");
  EXPECT_EQ(record->group_indexes, std::vector<int32_t>{3});
  EXPECT_EQ(record->establishment_date, established);

  // Blocking again keeps the original block date.
  const int64_t blocked_at = clock_.nowMillis();
  clock_.advance(1000);
  ASSERT_EQ(dispatch(1, update(2, true)).status.code, StatusCode::kOk);
  EXPECT_EQ(store_->relationships().find(1, 2).value()->block_date,
            std::optional<int64_t>(blocked_at));

  ASSERT_EQ(dispatch(1, update(2, std::nullopt, "robert")).status.code, StatusCode::kOk);
  record = store_->relationships().find(1, 2).value();
  EXPECT_EQ(record->name, "robert");
  EXPECT_TRUE(record->block_date.has_value());

  ASSERT_EQ(dispatch(1, update(2, false)).status.code, StatusCode::kOk);
  EXPECT_FALSE(store_->relationships().isBlocked(1, 2).value());
  EXPECT_EQ(store_->relationships().find(1, 2).value()->name, "robert");
}

TEST_F(RelationshipHandlersTest, UpdateOfAMissingRelationshipCreatesIt) {
  ASSERT_EQ(dispatch(1, update(3, true)).status.code, StatusCode::kOk);
  auto record = store_->relationships().find(1, 3).value();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->block_date, std::optional<int64_t>(clock_.nowMillis()));
  EXPECT_EQ(record->establishment_date, clock_.nowMillis());
  EXPECT_EQ(record->group_indexes, std::vector<int32_t>{kDefaultRelationshipGroupIndex});

  EXPECT_EQ(dispatch(1, update(404, true)).status.code, StatusCode::kIllegalArgument);
  EXPECT_EQ(dispatch(1, update(1, true)).status.code, StatusCode::kIllegalArgument);
  EXPECT_FALSE(store_->relationships().find(1, 404).value().has_value());
}

TEST_F(RelationshipHandlersTest, DeleteRemovesOnlyTheRequestersRecord) {
  ASSERT_EQ(dispatch(1, create(2)).status.code, StatusCode::kOk);
  ASSERT_EQ(dispatch(2, create(1)).status.code, StatusCode::kOk);
  const HandlerResult deleted = dispatch(1, remove(2));
  ASSERT_EQ(deleted.status.code, StatusCode::kOk);
  expectSelfPushOnly(deleted);
  EXPECT_TRUE(relatedIds(1).empty());
  EXPECT_EQ(relatedIds(2), (std::vector<int64_t>{1}));

  // Deleting what is not there is fine, as upstream, and a new relationship can follow.
  EXPECT_EQ(dispatch(1, remove(2)).status.code, StatusCode::kOk);
  EXPECT_EQ(dispatch(1, create(2)).status.code, StatusCode::kOk);
}

TEST_F(RelationshipHandlersTest, DeleteFromAnotherGroupKeepsTheRelationship) {
  ASSERT_EQ(dispatch(1, create(2, false, 3)).status.code, StatusCode::kOk);
  TurmsRequest from_group_7 = remove(2);
  from_group_7.mutable_delete_relationship_request()->set_group_index(7);
  EXPECT_EQ(dispatch(1, from_group_7).status.code, StatusCode::kOk);
  EXPECT_EQ(relatedIds(1), (std::vector<int64_t>{2}));
  TurmsRequest from_group_3 = remove(2);
  from_group_3.mutable_delete_relationship_request()->set_group_index(3);
  EXPECT_EQ(dispatch(1, from_group_3).status.code, StatusCode::kOk);
  EXPECT_TRUE(relatedIds(1).empty());
}

TEST_F(RelationshipHandlersTest, EmptyQueriesAreNoContent) {
  EXPECT_EQ(dispatch(1, queryRelationships({})).status.code, StatusCode::kNoContent);
  EXPECT_EQ(dispatch(1, queryRelatedIds()).status.code, StatusCode::kNoContent);
  ASSERT_EQ(dispatch(1, create(2)).status.code, StatusCode::kOk);
  EXPECT_EQ(dispatch(1, queryRelationships({3, 4})).status.code, StatusCode::kNoContent);
  EXPECT_EQ(dispatch(1, queryRelatedIds(true)).status.code, StatusCode::kNoContent);
}

TEST_F(RelationshipHandlersTest, FriendRequestsAreRegisteredOnTheirOwn) {
  TurmsRequest friend_request;
  friend_request.set_request_id(9);
  friend_request.mutable_create_friend_request_request()->set_recipient_id(2);
  const HandlerResult result = dispatch(1, friend_request);
  EXPECT_EQ(result.status.code, StatusCode::kIllegalArgument);
  EXPECT_NE(result.status.reason.find("create_friend_request_request"), std::string::npos);
}

}  // namespace
}  // namespace parley
