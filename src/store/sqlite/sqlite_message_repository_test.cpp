#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/message_repository_contract_test.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_message_repository.h"
#include "testing/sqlite_store_test_env.h"

namespace parley {
namespace {

using contract::MessageRepositoryContractTest;

// The message schema on its own: the repository must not depend on any other domain's tables.
INSTANTIATE_TEST_SUITE_P(
    Sqlite, MessageRepositoryContractTest,
    ::testing::Values(testing::sqliteSchemaContractParam(sqlite::kMessageSchemaLatest)),
    contract::storeContractName);

// The store a node opens, with every migration: the indexes the queries really have.
class SqliteMigratedMessagesTest : public ::testing::Test {
 protected:
  testing::SqliteStoreTestEnv env;
  std::unique_ptr<Store> opened = env.open();
  sqlite::SqliteStore* store = dynamic_cast<sqlite::SqliteStore*>(opened.get());
};

// "Every query is served by an index": no statement may scan the message table. (Scanning the
// json_each list of ids a query was given is fine: that is the input, not the table.)
TEST_F(SqliteMigratedMessagesTest, NoStatementScansTheMessageTable) {
  ASSERT_NE(store, nullptr);
  auto lock = store->db().lock();
  const std::vector<std::string> statements =
      sqlite::SqliteMessageRepository::statementsForPlanCheck();
  ASSERT_GE(statements.size(), 15u);
  for (const std::string& sql : statements) {
    auto plan = store->db().prepare("EXPLAIN QUERY PLAN " + sql);
    ASSERT_TRUE(plan.ok()) << sql;
    std::string details;
    while (true) {
      auto row = plan->step();
      ASSERT_TRUE(row.ok()) << sql;
      if (!row.value()) break;
      const std::string detail = plan->columnText(3);
      details += detail + "\n";
      EXPECT_NE(detail.rfind("SCAN message", 0), 0u) << sql << "\n" << details;
    }
    // Row queries are ordered by the index itself, never by a sort of everything that matched
    // (a multi-group query merges several index ranges, which needs the sort).
    if (sql.find("LIMIT") != std::string::npos && sql.find("target_id IN") == std::string::npos) {
      EXPECT_EQ(details.find("TEMP B-TREE FOR ORDER BY"), std::string::npos) << sql << "\n"
                                                                             << details;
    }
  }
}

// Each index of the message table costs the writer about one WAL page per message stored (they
// are keyed by user or conversation, so messages land at random positions): an index is added
// only for a query that cannot do without it, and that is decided here, not by accident.
TEST_F(SqliteMigratedMessagesTest, TheMessageTableHasOnlyTheIndexesItsQueriesNeed) {
  ASSERT_NE(store, nullptr);
  auto lock = store->db().lock();
  auto indexes = store->db().prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'message' "
      "AND sql IS NOT NULL ORDER BY name");
  ASSERT_TRUE(indexes.ok());
  std::vector<std::string> names;
  while (true) {
    auto row = indexes->step();
    ASSERT_TRUE(row.ok());
    if (!row.value()) break;
    names.push_back(indexes->columnText(0));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"message_target_date"}));
}

TEST(SqliteMessageRepositoryTest, MalformedRecordsColumnIsAnErrorNotACrash) {
  testing::SqliteSchemaTestEnv env(sqlite::kMessageSchemaLatest);
  std::unique_ptr<testing::SqliteSchemaStore> store = env.openSchemaStore();
  MessageRecord message;
  message.id = 1;
  message.sender_id = 2;
  message.target_id = 3;
  ASSERT_TRUE(store->messages().insert(message).ok());
  {
    auto lock = store->db().lock();
    ASSERT_TRUE(store->db().exec("UPDATE message SET records = '[\"zz\"]' WHERE id = 1").ok());
  }
  auto found = store->messages().findById(1);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code, StatusCode::kServerInternalError);
}

TEST(SqliteMessageRepositoryTest, InsertManyIsAllOrNothing) {
  testing::SqliteSchemaTestEnv env(sqlite::kMessageSchemaLatest);
  std::unique_ptr<testing::SqliteSchemaStore> store = env.openSchemaStore();
  MessageRecord taken;
  taken.id = 5;
  taken.sender_id = 1;
  taken.target_id = 2;
  ASSERT_TRUE(store->messages().insert(taken).ok());
  MessageRecord fresh = taken;
  fresh.id = 6;
  MessageRecord conflicting = taken;
  conflicting.text = "different";
  const std::vector<MessageRecord> batch{fresh, conflicting};
  ASSERT_FALSE(store->messages().insertMany(batch).ok());
  EXPECT_FALSE(store->messages().findById(6).value().has_value());
}

}  // namespace
}  // namespace parley
