#include "store/mongo/mongo_request_search.h"

namespace parley::mongo {
namespace {

// One condition of a search's $or per wanted status, as effectiveStatus reads the stored ones.
void appendStatusCondition(bson_t* any_of, uint32_t& i, RequestStatus status,
                           int64_t expired_before, const char* status_field,
                           const char* creation_date_field) {
  const auto append = [&](RequestStatus stored, const char* date_operator) {
    bson_t condition;
    bson_append_document_begin(any_of, arrayKey(i++).c_str(), -1, &condition);
    BSON_APPEND_INT32(&condition, status_field, static_cast<int32_t>(stored));
    if (date_operator) {
      bson_t date;
      BSON_APPEND_DOCUMENT_BEGIN(&condition, creation_date_field, &date);
      appendDate(&date, date_operator, expired_before);
      bson_append_document_end(&condition, &date);
    }
    bson_append_document_end(any_of, &condition);
  };
  const bool expires = expired_before != 0;
  if (status == RequestStatus::kPending) {
    append(RequestStatus::kPending, expires ? "$gte" : nullptr);
    return;
  }
  append(status, nullptr);
  if (status == RequestStatus::kExpired && expires) append(RequestStatus::kPending, "$lt");
}

}  // namespace

BsonPtr requestSearchFilter(const RequestSearch& search, const char* status_field,
                            const char* creation_date_field, const char* response_date_field) {
  BsonPtr filter(bson_new());
  if (!search.ids.empty()) appendAnyOf(filter.get(), "_id", search.ids);
  if (!search.statuses.empty()) {
    bson_t any_of;
    BSON_APPEND_ARRAY_BEGIN(filter.get(), "$or", &any_of);
    uint32_t i = 0;
    for (const RequestStatus status : search.statuses) {
      appendStatusCondition(&any_of, i, status, search.expired_before, status_field,
                            creation_date_field);
    }
    bson_append_array_end(filter.get(), &any_of);
  }
  appendDateRange(filter.get(), creation_date_field, search.creation_date);
  appendDateRange(filter.get(), response_date_field, search.response_date);
  return filter;
}

}  // namespace parley::mongo
