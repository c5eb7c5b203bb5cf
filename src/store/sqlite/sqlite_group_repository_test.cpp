#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/group_repository_contract_test.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_group_repository.h"

namespace parley {
namespace {

namespace fs = std::filesystem;

// The group tables alone: they reference no other table, so the contract runs without the rest
// of the store (the handler tests cover the full migration list through openSqliteStore).
constexpr sqlite::Migration kMigrations[] = {
    {1, "create group_info and group_member", sqlite::kGroupSchema},
};

class SqliteGroupTestEnv final : public contract::GroupRepositoryTestEnv {
 public:
  SqliteGroupTestEnv() {
    std::string pattern = (fs::temp_directory_path() / "parley-group-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    open();
  }
  ~SqliteGroupTestEnv() override {
    close();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  GroupRepository& groups() override { return *groups_; }
  GroupMemberRepository& groupMembers() override { return *members_; }
  void reopen() override {
    close();
    open();
  }

 private:
  void open() {
    db_ = std::make_unique<sqlite::Database>((dir_ / "parley.db").string());
    db_->migrate(kMigrations);
    groups_ = std::make_unique<sqlite::SqliteGroupRepository>(*db_);
    members_ = std::make_unique<sqlite::SqliteGroupMemberRepository>(*db_);
  }
  void close() {
    members_.reset();
    groups_.reset();
    db_.reset();
  }

  fs::path dir_;
  std::unique_ptr<sqlite::Database> db_;
  std::unique_ptr<sqlite::SqliteGroupRepository> groups_;
  std::unique_ptr<sqlite::SqliteGroupMemberRepository> members_;
};

using contract::GroupRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, GroupRepositoryContractTest,
                         ::testing::Values(contract::GroupRepositoryContractParam{
                             "sqlite", [] { return std::make_unique<SqliteGroupTestEnv>(); }}),
                         contract::groupRepositoryContractName);

}  // namespace
}  // namespace parley
