#pragma once
// A fresh directory under the system temp dir for one test, removed with everything in it.
#include <filesystem>
#include <string>
#include <string_view>

namespace parley::testing {

class TempDir {
 public:
  // The prefix starts the directory's name, so a directory left behind by a crashed test says
  // which test made it.
  explicit TempDir(std::string_view prefix = "parley-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // `name` inside the directory, as the string that Database, openSqliteStore and friends take.
  std::string file(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

}  // namespace parley::testing
