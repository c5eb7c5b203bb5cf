#include "store/mongo/mongo_admin_account_repository.h"

#include <string>

#include "store/mongo/bson_util.h"

namespace parley::mongo {
namespace {

constexpr const char* kAdmins = "admin";
// Upstream's names (turms-server-common's domain/admin/po/Admin.java).
constexpr const char* kLoginName = "ln";
constexpr const char* kPassword = "pw";
constexpr const char* kDisplayName = "n";
constexpr const char* kRoleIds = "rid";
constexpr const char* kRegistrationDate = "rd";

void appendRole(bson_t* doc, AdminRole role) {
  bson_t roles;
  BSON_APPEND_ARRAY_BEGIN(doc, kRoleIds, &roles);
  BSON_APPEND_INT64(&roles, "0", static_cast<int64_t>(role));
  bson_append_array_end(doc, &roles);
}

// The first role id of rid; an account without a known one may only read.
AdminRole roleOf(const bson_t* doc) {
  bson_iter_t iter;
  bson_iter_t roles;
  if (bson_iter_init_find(&iter, doc, kRoleIds) && BSON_ITER_HOLDS_ARRAY(&iter) &&
      bson_iter_recurse(&iter, &roles) && bson_iter_next(&roles)) {
    if (const std::optional<int64_t> id = int64OfIter(&roles)) return adminRoleFromStored(*id);
  }
  return AdminRole::kReadOnly;
}

BsonPtr accountDocument(const AdminAccount& account) {
  BsonPtr doc(bson_new());
  BSON_APPEND_INT64(doc.get(), "_id", account.id);
  appendString(doc.get(), kLoginName, account.login_name);
  appendBinary(doc.get(), kPassword, account.password_hash);
  appendString(doc.get(), kDisplayName, account.display_name);
  appendRole(doc.get(), account.role);
  appendDate(doc.get(), kRegistrationDate, account.registration_date_millis);
  return doc;
}

Result<AdminAccount> readAccount(const bson_t* doc) {
  DocReader reader(doc, "admin account");
  AdminAccount account;
  account.id = reader.int64("_id");
  account.login_name = reader.string(kLoginName);
  account.password_hash = binaryAt(doc, kPassword);
  account.display_name = reader.string(kDisplayName);
  account.role = roleOf(doc);
  account.registration_date_millis = reader.date(kRegistrationDate);
  if (const VoidResult status = reader.status(); !status.ok()) return status.status();
  return account;
}

BsonPtr loginNamesFilter(std::span<const std::string> login_names) {
  BsonPtr filter(bson_new());
  appendAnyOf(filter.get(), kLoginName, login_names);
  return filter;
}

}  // namespace

// A handful of documents; looked up by login name at every admin request.
const std::vector<CollectionSpec>& MongoAdminAccountRepository::collections() {
  static const std::vector<CollectionSpec> specs{
      {kAdmins, {{"login_name", R"({"ln": 1})", true}}, ""}};
  return specs;
}

VoidResult MongoAdminAccountRepository::insert(const AdminAccount& account) {
  BsonPtr doc = accountDocument(account);
  BsonPtr opts = writeOptions(connection_);
  auto client = connection_.client();
  CollectionPtr admins = client.collection(kAdmins);
  bson_error_t error;
  if (mongoc_collection_insert_one(admins.get(), doc.get(), opts.get(), nullptr, &error)) return {};
  if (isDuplicateKeyError(error)) {
    return parley::error(StatusCode::kRecordContainsDuplicateKey,
                         "admin account " + account.login_name + " exists");
  }
  return toStatus(error, "insert admin account");
}

Result<std::optional<AdminAccount>> MongoAdminAccountRepository::findByLoginName(
    std::string_view login_name) {
  BsonPtr filter(bson_new());
  appendString(filter.get(), kLoginName, login_name);
  auto client = connection_.client();
  CollectionPtr admins = client.collection(kAdmins);
  Result<std::optional<BsonPtr>> found = findOne(admins.get(), filter.get(), "find admin account");
  if (!found.ok()) return found.status();
  if (!found.value()) return std::optional<AdminAccount>();
  Result<AdminAccount> account = readAccount(found.value()->get());
  if (!account.ok()) return account.status();
  return std::optional<AdminAccount>(std::move(account).value());
}

Result<std::vector<AdminAccount>> MongoAdminAccountRepository::findAll(int64_t skip,
                                                                       int64_t limit) {
  BsonPtr filter(bson_new());
  BsonPtr opts(BCON_NEW("sort", "{", kLoginName, BCON_INT32(1), "}", "skip", BCON_INT64(skip),
                        "limit", BCON_INT64(limit)));
  auto client = connection_.client();
  CollectionPtr admins = client.collection(kAdmins);
  CursorPtr cursor(
      mongoc_collection_find_with_opts(admins.get(), filter.get(), opts.get(), nullptr));
  return readAll(cursor.get(), "find admin accounts", &readAccount);
}

Result<int64_t> MongoAdminAccountRepository::count() {
  BsonPtr filter(bson_new());
  auto client = connection_.client();
  CollectionPtr admins = client.collection(kAdmins);
  return countDocuments(admins.get(), filter.get(), "count admin accounts");
}

Result<int64_t> MongoAdminAccountRepository::update(std::span<const std::string> login_names,
                                                    const AdminAccountUpdate& update) {
  if (login_names.empty()) return int64_t{0};
  BsonPtr filter = loginNamesFilter(login_names);
  if (update.empty()) {
    // $set must not be empty; nothing changes, but the answer counts the accounts that exist.
    auto client = connection_.client();
    CollectionPtr admins = client.collection(kAdmins);
    return countDocuments(admins.get(), filter.get(), "count admin accounts");
  }
  BsonPtr change(bson_new());
  bson_t set;
  BSON_APPEND_DOCUMENT_BEGIN(change.get(), "$set", &set);
  if (update.password_hash) appendBinary(&set, kPassword, *update.password_hash);
  if (update.display_name) appendString(&set, kDisplayName, *update.display_name);
  if (update.role) appendRole(&set, *update.role);
  bson_append_document_end(change.get(), &set);
  Result<UpdateOutcome> updated =
      updateMany(connection_, kAdmins, filter.get(), change.get(), "update admin accounts");
  if (!updated.ok()) return updated.status();
  return updated->matched;
}

Result<int64_t> MongoAdminAccountRepository::remove(std::span<const std::string> login_names) {
  if (login_names.empty()) return int64_t{0};
  BsonPtr filter = loginNamesFilter(login_names);
  return deleteMany(connection_, kAdmins, filter.get(), "delete admin accounts");
}

}  // namespace parley::mongo
