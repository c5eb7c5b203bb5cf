#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "store/conversation_repository_contract_test.h"
#include "store/store.h"

namespace parley {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "parley-conversation-test-XXXXXX").string();
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

using contract::ConversationRepositoryContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, ConversationRepositoryContractTest,
                         ::testing::Values(contract::ConversationRepositoryContractParam{
                             "sqlite", makeSqliteStoreOpener}),
                         contract::conversationRepositoryContractName);

}  // namespace
}  // namespace parley
