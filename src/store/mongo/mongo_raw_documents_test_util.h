#pragma once
// For Mongo store tests that look past the repositories at the documents themselves, which
// upstream Turms (and anyone reading the database) sees: commands, documents and ids are written
// as canonical extended JSON, so every BSON type is explicit.
#include <gtest/gtest.h>
#include <mongoc/mongoc.h>

#include <cstdint>
#include <map>
#include <string>

#include "core/config.h"

namespace parley::testing {

class RawDocuments {
 public:
  // config: the store's; must outlive this.
  explicit RawDocuments(const MongoConfig& config) : config_(config) {}

  // Runs a command on the store's database. *reply is initialized either way; the caller
  // destroys it.
  void command(const std::string& json, bson_t* reply) const {
    bson_error_t error;
    bson_t* request = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                         static_cast<ssize_t>(json.size()), &error);
    if (request == nullptr) {
      bson_init(reply);
      ADD_FAILURE() << error.message << " in " << json;
      return;
    }
    mongoc_client_t* client = mongoc_client_new(config_.uri.c_str());
    const bool ok = mongoc_client_command_simple(client, config_.database.c_str(), request, nullptr,
                                                 reply, &error);
    mongoc_client_destroy(client);
    bson_destroy(request);
    EXPECT_TRUE(ok) << error.message << " in " << json;
  }

  void insert(const char* collection, const std::string& doc_json) const {
    bson_t reply;
    command(std::string(R"({"insert": ")") + collection + R"(", "documents": [)" + doc_json + "]}",
            &reply);
    bson_iter_t written;
    EXPECT_TRUE(bson_iter_init_find(&written, &reply, "n") && bson_iter_as_int64(&written) == 1);
    bson_destroy(&reply);
  }

  // Each field of the stored document (dotted inside _id) and its BSON type; empty when none.
  std::map<std::string, bson_type_t> storedTypes(const char* collection,
                                                 const std::string& id_json) const {
    bson_t reply;
    command(std::string(R"({"find": ")") + collection + R"(", "filter": {"_id": )" + id_json + "}}",
            &reply);
    std::map<std::string, bson_type_t> types;
    bson_iter_t found;
    bson_iter_t iter;
    bson_iter_t inner;
    bson_iter_init(&iter, &reply);
    if (bson_iter_find_descendant(&iter, "cursor.firstBatch.0", &found) &&
        bson_iter_recurse(&found, &iter)) {
      while (bson_iter_next(&iter)) {
        const std::string key = bson_iter_key(&iter);
        types[key] = bson_iter_type(&iter);
        if (key == "_id" && BSON_ITER_HOLDS_DOCUMENT(&iter) && bson_iter_recurse(&iter, &inner)) {
          while (bson_iter_next(&inner)) {
            types["_id." + std::string(bson_iter_key(&inner))] = bson_iter_type(&inner);
          }
        }
      }
    }
    bson_destroy(&reply);
    return types;
  }

  static std::string date(int64_t millis) {
    return R"({"$date": {"$numberLong": ")" + std::to_string(millis) + R"("}})";
  }
  static std::string int64(int64_t value) {
    return R"({"$numberLong": ")" + std::to_string(value) + R"("})";
  }
  static std::string int32(int32_t value) {
    return R"({"$numberInt": ")" + std::to_string(value) + R"("})";
  }

 private:
  const MongoConfig& config_;
};

}  // namespace parley::testing
