#pragma once
// The admin search that friend requests, group invitations and group join requests share on
// SQLite: every filter optional, lists bound as JSON arrays (NULL when empty), the status compared
// as effectiveStatus reads it, newest first. Each kind names its table, its columns and the
// columns of whom it names; the SQL is built once per kind.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/request_record.h"
#include "store/sqlite/sqlite_database.h"
#include "store/sqlite/sqlite_reader_pool.h"

namespace parley::sqlite {

// One of a kind's list filters: the column and the search's ids it must be among.
template <typename Search>
struct IdColumn {
  std::string_view column;
  std::vector<int64_t> Search::*ids;
};

// RequestSearch's filters take parameters ?1..?7, the kind's lists the next ones, and the limit and
// offset of a page the two after those.
inline constexpr int kFirstIdListParameter = 8;

// " FROM table WHERE ..." over RequestSearch's filters and then id_columns' lists.
std::string requestSearchWhere(std::string_view table,
                               std::span<const std::string_view> id_columns);
void bindRequestSearch(Statement& stmt, const RequestSearch& search);

template <typename Search, size_t N>
class RequestSearchSql {
 public:
  // columns as the kind's read(statement) expects them.
  RequestSearchSql(std::string_view table, std::string_view columns,
                   const std::array<IdColumn<Search>, N>& id_columns)
      : id_columns_(id_columns) {
    std::array<std::string_view, N> names;
    for (size_t i = 0; i < N; ++i) names[i] = id_columns[i].column;
    const std::string where = requestSearchWhere(table, names);
    select_ = "SELECT " + std::string(columns) + where +
              " ORDER BY creation_date DESC, id DESC LIMIT ?" + std::to_string(kLimit) +
              " OFFSET ?" + std::to_string(kLimit + 1);
    count_ = "SELECT count(*)" + where;
  }

  template <typename Record>
  Result<std::vector<Record>> search(ReaderPool& readers, const Search& search, int64_t skip,
                                     int64_t limit, Record (*read)(const Statement&)) const {
    return readWith(readers, select_, [&](Statement& stmt) {
      bind(stmt, search);
      stmt.bind(kLimit, limit).bind(kLimit + 1, skip);
      return readAllRows<Record>(stmt, read);
    });
  }

  Result<int64_t> count(ReaderPool& readers, const Search& search) const {
    return readInt64(readers, count_, [&](Statement& stmt) { bind(stmt, search); });
  }

 private:
  static constexpr int kLimit = kFirstIdListParameter + static_cast<int>(N);

  void bind(Statement& stmt, const Search& search) const {
    bindRequestSearch(stmt, search);
    for (size_t i = 0; i < N; ++i) {
      stmt.bind(kFirstIdListParameter + static_cast<int>(i),
                jsonArrayOrNull(search.*(id_columns_[i].ids)));
    }
  }

  std::array<IdColumn<Search>, N> id_columns_;
  std::string select_;
  std::string count_;
};

}  // namespace parley::sqlite
