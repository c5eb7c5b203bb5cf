#pragma once
// UserRepository on SQLite, over the `user` table (schema migration 1 in sqlite_store.cpp).
#include <string_view>

#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"
#include "store/user_repository.h"

namespace parley::sqlite {

// Searching users by name (QueryUserProfilesRequest's name) is a range of this index.
inline constexpr std::string_view kUserByNameIndex = "CREATE INDEX user_by_name ON user (name)";

class SqliteUserRepository final : public UserRepository {
 public:
  // Writes (and reads that must see them) go to db, the other reads to reader (see
  // SqliteStore); both must outlive the repository.
  SqliteUserRepository(Database& db, ReaderPool& readers) : db_(db), readers_(readers) {}

  VoidResult insert(const UserRecord& user) override;
  Result<int64_t> insertMany(std::span<const UserRecord> users) override;
  Result<std::optional<UserRecord>> findById(int64_t id) override;
  Result<std::vector<UserRecord>> findByIds(std::span<const int64_t> ids) override;
  // One indexed row, no columns decoded: a private message's recipient check, on the io thread
  // (findById's strings were 14% of an io thread's time in the private benchmark).
  Result<bool> isActive(int64_t id) override;
  Result<std::vector<UserRecord>> searchByName(const std::string& prefix,
                                               std::span<const int64_t> within_ids, int skip,
                                               int limit) override;
  Result<std::vector<UserRecord>> list(int64_t after_id, int limit) override;
  Result<int64_t> countActive() override;
  Result<bool> update(int64_t id, const UserUpdate& update) override;
  Result<bool> softDelete(int64_t id, int64_t now_millis) override;

  // Whether the table has any row at all, soft-deleted ones included.
  Result<bool> hasAny();

 private:
  Database& db_;
  ReaderPool& readers_;
};

}  // namespace parley::sqlite
