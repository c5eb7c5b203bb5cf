#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/message_repository_contract_test.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_message_repository.h"
#include "store/sqlite/sqlite_sequence_ids.h"

namespace parley {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "parley-message-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The message schema on its own: the repository must not depend on any other domain's tables.
constexpr sqlite::Migration kMigrations[] = {
    {1, "create message and sequence_id", sqlite::kMessageSchema},
};

class SqliteMessageParts final : public contract::MessageStoreParts {
 public:
  explicit SqliteMessageParts(const std::string& path)
      : db_(path), messages_(db_), sequence_ids_(db_) {
    db_.migrate(kMigrations);
  }
  MessageRepository& messages() override { return messages_; }
  SequenceIds& sequenceIds() override { return sequence_ids_; }
  sqlite::Database& db() { return db_; }

 private:
  sqlite::Database db_;
  sqlite::SqliteMessageRepository messages_;
  sqlite::SqliteSequenceIds sequence_ids_;
};

class SqliteMessageTestEnv final : public contract::MessageStoreTestEnv {
 public:
  std::unique_ptr<contract::MessageStoreParts> open() override {
    return std::make_unique<SqliteMessageParts>(path());
  }
  std::string path() const { return (dir_.path() / "messages.db").string(); }

 private:
  TempDir dir_;
};

using contract::MessageRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, MessageRepositoryContractTest,
                         ::testing::Values(contract::MessageRepositoryContractParam{
                             "sqlite", [] { return std::make_unique<SqliteMessageTestEnv>(); }}),
                         contract::messageRepositoryContractName);

// "Every query is served by an index": no statement may scan the message table. (Scanning the
// json_each list of ids a query was given is fine: that is the input, not the table.)
TEST(SqliteMessageRepositoryTest, NoStatementScansTheMessageTable) {
  SqliteMessageTestEnv env;
  SqliteMessageParts parts(env.path());
  auto lock = parts.db().lock();
  const std::vector<std::string> statements =
      sqlite::SqliteMessageRepository::statementsForPlanCheck();
  ASSERT_GE(statements.size(), 15u);
  for (const std::string& sql : statements) {
    auto plan = parts.db().prepare("EXPLAIN QUERY PLAN " + sql);
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

TEST(SqliteMessageRepositoryTest, MalformedRecordsColumnIsAnErrorNotACrash) {
  SqliteMessageTestEnv env;
  SqliteMessageParts parts(env.path());
  MessageRecord message;
  message.id = 1;
  message.sender_id = 2;
  message.target_id = 3;
  ASSERT_TRUE(parts.messages().insert(message).ok());
  {
    auto lock = parts.db().lock();
    ASSERT_TRUE(parts.db().exec("UPDATE message SET records = '[\"zz\"]' WHERE id = 1").ok());
  }
  auto found = parts.messages().findById(1);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code, StatusCode::kServerInternalError);
}

TEST(SqliteMessageRepositoryTest, InsertManyIsAllOrNothing) {
  SqliteMessageTestEnv env;
  SqliteMessageParts parts(env.path());
  MessageRecord taken;
  taken.id = 5;
  taken.sender_id = 1;
  taken.target_id = 2;
  ASSERT_TRUE(parts.messages().insert(taken).ok());
  MessageRecord fresh = taken;
  fresh.id = 6;
  MessageRecord conflicting = taken;
  conflicting.text = "different";
  const std::vector<MessageRecord> batch{fresh, conflicting};
  ASSERT_FALSE(parts.messages().insertMany(batch).ok());
  EXPECT_FALSE(parts.messages().findById(6).value().has_value());
}

}  // namespace
}  // namespace parley
