#include "store/sqlite/sqlite_request_search.h"

namespace parley::sqlite {
namespace {

// ?1 ids, ?2 statuses (compared as effectiveStatus reads them, with ?7 as expired_before; status 0
// is PENDING, 5 EXPIRED), ?3..?6 the creation and response date ranges, then the kind's lists.
constexpr std::string_view kCommonFilters =
    " WHERE (?1 IS NULL OR id IN (SELECT value FROM json_each(?1)))"
    " AND (?2 IS NULL OR (CASE WHEN status = 0 AND creation_date < ?7 THEN 5 ELSE status END)"
    " IN (SELECT value FROM json_each(?2)))"
    " AND (?3 IS NULL OR creation_date >= ?3) AND (?4 IS NULL OR creation_date < ?4)"
    " AND (?5 IS NULL OR response_date >= ?5) AND (?6 IS NULL OR response_date < ?6)";

}  // namespace

std::string requestSearchWhere(std::string_view table,
                               std::span<const std::string_view> id_columns) {
  std::string where = " FROM " + std::string(table) + std::string(kCommonFilters);
  int parameter = kFirstIdListParameter;
  for (const std::string_view column : id_columns) {
    const std::string list = "?" + std::to_string(parameter++);
    where += " AND (" + list + " IS NULL OR " + std::string(column) +
             " IN (SELECT value FROM json_each(" + list + ")))";
  }
  return where;
}

void bindRequestSearch(Statement& stmt, const RequestSearch& search) {
  std::vector<int32_t> statuses;
  for (const RequestStatus status : search.statuses) {
    statuses.push_back(static_cast<int32_t>(status));
  }
  stmt.bind(1, jsonArrayOrNull(search.ids))
      .bind(2, jsonArrayOrNull(statuses))
      .bind(3, search.creation_date.start)
      .bind(4, search.creation_date.end)
      .bind(5, search.response_date.start)
      .bind(6, search.response_date.end)
      .bind(7, search.expired_before);
}

}  // namespace parley::sqlite
