#pragma once
// The business store: the set of repositories a node uses. The embedded default is SQLite.
#include <memory>
#include <string>

#include "store/user_repository.h"

namespace parley {

class Store {
 public:
  virtual ~Store() = default;
  virtual UserRepository& users() = 0;
  // Makes everything acknowledged so far durable (called on graceful shutdown).
  virtual void flush() = 0;
  // True when the store holds no business data at all (demo data is only seeded then).
  virtual Result<bool> isEmpty() = 0;
};

// Opens (creating and migrating as needed) the SQLite store in data_dir. Throws std::runtime_error
// with a clear message at start-up when the directory or database cannot be used.
std::unique_ptr<Store> openSqliteStore(const std::string& data_dir);

}  // namespace parley
