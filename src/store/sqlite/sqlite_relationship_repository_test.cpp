#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/relationship_repository_contract_test.h"
#include "store/store.h"

namespace parley {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "parley-relationship-test-XXXXXX").string();
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

contract::StoreOpener makeSqliteStoreOpener() {
  auto dir = std::make_shared<TempDir>();
  return [dir] { return openSqliteStore((dir->path() / "data").string()); };
}

using contract::RelationshipRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, RelationshipRepositoryContractTest,
                         ::testing::Values(contract::RelationshipRepositoryContractParam{
                             "sqlite", makeSqliteStoreOpener}),
                         contract::relationshipRepositoryContractName);

TEST(SqliteRelationshipRepositoryTest, AQueryOfManyIdsIsOneStatement) {
  // Ids travel as one JSON array, so a long list neither hits SQLite's parameter limit nor
  // prepares a statement per list length.
  auto open = makeSqliteStoreOpener();
  auto store = open();
  std::vector<RelationshipRecord> batch;
  RelationshipFilter filter;
  filter.owner_id = 1;
  for (int64_t id = 2; id <= 40'001; ++id) {
    RelationshipRecord relationship;
    relationship.owner_id = 1;
    relationship.related_user_id = id;
    relationship.establishment_date = id;
    if (id % 2 == 0) batch.push_back(relationship);
    filter.related_user_ids.push_back(id);
  }
  ASSERT_EQ(store->relationships().insertMany(batch).value(), 20'000);
  auto found = store->relationships().query(filter);
  ASSERT_TRUE(found.ok()) << found.status().reason;
  EXPECT_EQ(found->size(), 20'000u);
}

}  // namespace
}  // namespace parley
