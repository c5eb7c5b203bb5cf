// /admins: the accounts of the admin API and the console, upstream's AdminController (login name,
// password, display name; one role of admin_permissions.h instead of upstream's role ids). Only
// owners reach these routes. The bootstrap owner "admin" (admin.password) is not stored: it
// cannot be listed, changed or deleted here, and no stored account may take its name.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "admin/admin_credentials.h"
#include "admin/admin_permissions.h"
#include "admin/admin_route_util.h"
#include "core/clock.h"
#include "core/password_hasher.h"
#include "store/store.h"

namespace parley::admin {
namespace {

constexpr size_t kMaxLoginNameLength = 64;
constexpr size_t kMinPasswordLength = 8;
constexpr size_t kMaxPasswordLength = 256;
constexpr size_t kMaxDisplayNameLength = 128;
// Attempts at a free id, as for users created without one.
constexpr int kIdAttempts = 3;

json::object accountJson(const AdminAccount& account) {
  return {{"id", account.id},
          {"loginName", account.login_name},
          {"displayName", account.display_name},
          {"role", adminRoleName(account.role)},
          {"registrationDate", account.registration_date_millis}};
}

// A login name goes into Basic credentials before the first colon, and into logs.
std::optional<Status> loginNameProblem(std::string_view login_name) {
  if (login_name.empty() || login_name.size() > kMaxLoginNameLength) {
    return badArgument("loginName", "must have 1 to 64 characters");
  }
  const bool plain = std::all_of(login_name.begin(), login_name.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte > 0x20 && byte != 0x7F && c != ':';
  });
  if (!plain) return badArgument("loginName", "must not contain spaces, control characters or ':'");
  if (login_name == kBootstrapLoginName) {
    return badArgument("loginName", "\"admin\" is the owner of admin.password");
  }
  return std::nullopt;
}

struct AccountFields {
  std::optional<std::string> login_name;
  std::optional<std::string> password;
  std::optional<std::string> display_name;
  std::optional<AdminRole> role;
};

// Upstream's AddAdminDTO and UpdateAdminDTO; loginName only when adding.
Result<AccountFields> parseFields(std::string_view text, bool adding) {
  auto body = JsonBody::parse(text);
  if (!body) return body.status();
  AccountFields fields;
  if (adding) fields.login_name = body->string("loginName");
  fields.password = body->string("password");
  fields.display_name = body->string("displayName");
  if (const auto role = body->enumeration("role", kAdminRoleNames)) {
    fields.role = static_cast<AdminRole>(*role);
  }
  if (const VoidResult parsed = body->status(); !parsed) return parsed.status();
  if (fields.login_name) {
    if (auto problem = loginNameProblem(*fields.login_name)) return *problem;
  }
  if (fields.password && (fields.password->size() < kMinPasswordLength ||
                          fields.password->size() > kMaxPasswordLength)) {
    return badArgument("password", "must have 8 to 256 characters");
  }
  if (fields.display_name && fields.display_name->size() > kMaxDisplayNameLength) {
    return badArgument("displayName", "must have at most 128 characters");
  }
  return fields;
}

AdminResponse addAccount(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto fields = parseFields(request.body, true);
  if (!fields) return fail(fields.status());
  if (!fields->login_name) return fail(badArgument("loginName", "required"));
  if (!fields->password) return fail(badArgument("password", "required"));
  if (!fields->role) return fail(badArgument("role", "required"));
  AdminAccount account{.id = 0,
                       .login_name = *fields->login_name,
                       .password_hash = routes.deps().hasher.hash(*fields->password),
                       .display_name = fields->display_name.value_or(*fields->login_name),
                       .role = *fields->role,
                       .registration_date_millis = routes.deps().clock.nowMillis()};
  AdminAccountRepository& accounts = (*store)->adminAccounts();
  VoidResult inserted;
  for (int attempt = 0; attempt < kIdAttempts; ++attempt) {
    account.id = routes.nextId();
    inserted = accounts.insert(account);
    if (inserted || inserted.status().code != StatusCode::kRecordContainsDuplicateKey) break;
    // A taken login name stays taken whatever the id: only a taken id is worth another try.
    const auto existing = accounts.findByLoginName(account.login_name);
    if (!existing) return fail(existing.status());
    if (*existing) {
      return fail(error(StatusCode::kRecordContainsDuplicateKey,
                        "admin account " + account.login_name + " exists"));
    }
  }
  if (!inserted) return fail(inserted.status());
  spdlog::info("admin: created admin account {} ({})", account.login_name,
               adminRoleName(account.role));
  return ok(accountJson(account));
}

AdminResponse listAccounts(AdminRoutes& routes, const AdminRequest& request, bool paged) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  AdminAccountRepository& accounts = (*store)->adminAccounts();
  const std::vector<std::string> login_names = parseStrings(request, "loginNames");
  if (!login_names.empty()) {
    std::vector<AdminAccount> found;
    for (const std::string& login_name : login_names) {
      auto account = accounts.findByLoginName(login_name);
      if (!account) return fail(account.status());
      if (*account) found.push_back(std::move(**account));
    }
    return listingAnswer(found, accountJson, paged,
                         [&] { return Result<int64_t>(static_cast<int64_t>(found.size())); });
  }
  auto page = parsePageRequest(request, paged);
  if (!page) return fail(page.status());
  auto found = accounts.findAll(page->skip, page->limit);
  if (!found) return fail(found.status());
  return listingAnswer(*found, accountJson, paged, [&] { return accounts.count(); });
}

// The login names a change names, which must not include the bootstrap owner.
Result<std::vector<std::string>> targetLoginNames(const AdminRequest& request) {
  std::vector<std::string> login_names = parseStrings(request, "loginNames");
  if (login_names.empty()) return badArgument("loginNames", "required");
  if (login_names.size() > kMaxIdsPerRequest) return badArgument("loginNames", "too many");
  if (std::find(login_names.begin(), login_names.end(), kBootstrapLoginName) != login_names.end()) {
    return badArgument("loginNames", "\"admin\" is set by admin.password, not here");
  }
  return login_names;
}

AdminResponse updateAccounts(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto login_names = targetLoginNames(request);
  if (!login_names) return fail(login_names.status());
  auto fields = parseFields(request.body, false);
  if (!fields) return fail(fields.status());
  AdminAccountUpdate update;
  if (fields->password) update.password_hash = routes.deps().hasher.hash(*fields->password);
  update.display_name = fields->display_name;
  update.role = fields->role;
  if (update.empty()) return fail(badArgument("body", "no field to update"));
  auto updated = (*store)->adminAccounts().update(*login_names, update);
  if (!updated) return fail(updated.status());
  if (*updated > 0) spdlog::info("admin: updated {} admin accounts", *updated);
  return ok(json::object{{"updatedCount", *updated}});
}

AdminResponse deleteAccounts(AdminRoutes& routes, const AdminRequest& request) {
  auto store = requireStore(routes);
  if (!store) return fail(store.status());
  auto login_names = targetLoginNames(request);
  if (!login_names) return fail(login_names.status());
  auto deleted = (*store)->adminAccounts().remove(*login_names);
  if (!deleted) return fail(deleted.status());
  return deletedAnswer(*deleted, "admin accounts");
}

AdminResponse listRoles(AdminRoutes&, const AdminRequest&) {
  constexpr std::array<std::string_view, kAdminRoleCount> kMeanings = {
      "every route, admin accounts included", "every route except admin accounts",
      "GET and HEAD of every route except admin accounts"};
  json::array roles;
  for (size_t i = 0; i < kAdminRoleNames.size(); ++i) {
    roles.push_back(json::object{{"id", static_cast<int64_t>(i)},
                                 {"name", kAdminRoleNames[i]},
                                 {"permissions", kMeanings[i]}});
  }
  return ok(std::move(roles));
}

constexpr Route kAdminAccountRoutes[] = {
    {"POST", "/admins", true, addAccount},
    {"GET", "/admins", true, unpaged<listAccounts>},
    {"GET", "/admins/page", true, paged<listAccounts>},
    {"PUT", "/admins", true, updateAccounts},
    {"DELETE", "/admins", true, deleteAccounts},
    {"GET", "/admins/roles", true, listRoles},
};

}  // namespace

std::span<const Route> adminAccountRoutes() { return kAdminAccountRoutes; }

}  // namespace parley::admin
