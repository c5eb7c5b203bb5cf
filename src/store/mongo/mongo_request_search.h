#pragma once
// The admin search that friend requests, group invitations and group join requests share on
// MongoDB: every filter optional, the status compared as effectiveStatus reads it, newest first.
// Each kind names its collection, the fields the shared filters read and the fields of whom it
// names. Standard query operators only ($in, $or, ranges), so it runs on MongoDB and FerretDB.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_client.h"
#include "store/request_record.h"

namespace parley::mongo {

// One of a kind's list filters: the field and the search's ids it must be among.
template <typename Search>
struct IdField {
  const char* field;
  std::vector<int64_t> Search::*ids;
};

// {_id, status, creation date, response date} filtered as RequestSearch says, fields named so.
BsonPtr requestSearchFilter(const RequestSearch& search, const char* status_field,
                            const char* creation_date_field, const char* response_date_field);

template <typename Search, size_t N>
struct RequestSearchQuery {
  const char* collection;
  const char* what;  // the records, in errors and logs: "friend requests"
  const char* status_field;
  const char* creation_date_field;
  const char* response_date_field;
  std::array<IdField<Search>, N> id_fields;

  BsonPtr filter(const Search& search) const {
    BsonPtr built =
        requestSearchFilter(search, status_field, creation_date_field, response_date_field);
    for (const IdField<Search>& id_field : id_fields) {
      const std::vector<int64_t>& ids = search.*(id_field.ids);
      if (!ids.empty()) appendAnyOf(built.get(), id_field.field, ids);
    }
    return built;
  }

  template <typename Record>
  Result<std::vector<Record>> search(const Connection& connection, const Search& search,
                                     int64_t skip, int64_t limit,
                                     Result<Record> (*read)(const bson_t*)) const {
    BsonPtr query = filter(search);
    BsonPtr opts(BCON_NEW("sort", "{", creation_date_field, BCON_INT32(-1), "_id", BCON_INT32(-1),
                          "}", "skip", BCON_INT64(skip), "limit", BCON_INT64(limit)));
    auto client = connection.client();
    CollectionPtr records = client.collection(collection);
    CursorPtr cursor(
        mongoc_collection_find_with_opts(records.get(), query.get(), opts.get(), nullptr));
    const std::string action = "search " + std::string(what);
    return readAll<Record>(cursor.get(), action.c_str(), read);
  }

  Result<int64_t> count(const Connection& connection, const Search& search) const {
    BsonPtr query = filter(search);
    auto client = connection.client();
    CollectionPtr records = client.collection(collection);
    const std::string action = "count " + std::string(what);
    return countDocuments(records.get(), query.get(), action.c_str());
  }
};

}  // namespace parley::mongo
