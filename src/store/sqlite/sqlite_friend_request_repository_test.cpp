#include <gtest/gtest.h>

#include "store/friend_request_repository_contract_test.h"
#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::FriendRequestRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, FriendRequestRepositoryContractTest,
                         ::testing::Values(testing::sqliteStoreContractParam()),
                         contract::storeContractName);

TEST(SqliteFriendRequestRepositoryTest, AFailedAcceptLeavesNeitherSideNorTheAnswer) {
  testing::SqliteStoreTestEnv env;
  auto store = env.open();
  auto* sqlite_store = dynamic_cast<sqlite::SqliteStore*>(store.get());
  ASSERT_NE(sqlite_store, nullptr);
  FriendRequestRecord request;
  request.id = 1;
  request.requester_id = 10;
  request.recipient_id = 20;
  request.creation_date = 1000;
  ASSERT_TRUE(store->friendRequests().insert(request, 1000).ok());
  // The second side's write fails inside the accept (the first side is written by then).
  ASSERT_TRUE(sqlite_store->db()
                  .exec("CREATE TRIGGER fail_second_side BEFORE INSERT ON user_relationship "
                        "WHEN NEW.owner_id = 20 BEGIN SELECT RAISE(ABORT, 'injected'); END")
                  .ok());
  const FriendRequestReply accept{.request_id = 1,
                                  .status = RequestStatus::kAccepted,
                                  .reason = std::nullopt,
                                  .now_millis = 2000,
                                  .expired_before = 0};
  EXPECT_FALSE(store->friendRequests().acceptIfPending(accept).ok());
  EXPECT_EQ(store->friendRequests().findById(1).value()->status, RequestStatus::kPending);
  EXPECT_FALSE(store->relationships().find(10, 20).value().has_value());
  EXPECT_FALSE(store->relationships().find(20, 10).value().has_value());
  EXPECT_EQ(store->friendRequests().findSentVersion(10).value(), 1000);

  // Once the failure is gone, the retry does it all.
  ASSERT_TRUE(sqlite_store->db().exec("DROP TRIGGER fail_second_side").ok());
  EXPECT_TRUE(store->friendRequests().acceptIfPending(accept).value());
  EXPECT_TRUE(store->relationships().find(10, 20).value().has_value());
  EXPECT_TRUE(store->relationships().find(20, 10).value().has_value());
}

}  // namespace
}  // namespace parley
