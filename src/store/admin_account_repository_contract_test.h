#pragma once
// The behaviour every AdminAccountRepository must have, as one value-parameterized GoogleTest
// suite; an implementation's test file instantiates it with its store environment
// (store/store_test_env.h).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "store/admin_account_repository.h"
#include "store/store_test_env.h"

namespace parley::contract {

class AdminAccountRepositoryContractTest : public StoreContractTest {
 protected:
  AdminAccountRepository& accounts() { return store_->adminAccounts(); }

  static AdminAccount makeAccount(int64_t id, const std::string& login_name) {
    return {.id = id,
            .login_name = login_name,
            .password_hash = "$sha256$00$" + login_name,
            .display_name = "Name of " + login_name,
            .role = AdminRole::kOperator,
            .registration_date_millis = 1'700'000'000'000 + id};
  }

  void insert(const AdminAccount& account) {
    const VoidResult inserted = accounts().insert(account);
    ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  }

  std::optional<AdminAccount> find(const std::string& login_name) {
    auto found = accounts().findByLoginName(login_name);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  std::vector<std::string> listed(int64_t skip, int64_t limit) {
    auto found = accounts().findAll(skip, limit);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<std::string> names;
    if (found.ok()) {
      for (const AdminAccount& account : *found) names.push_back(account.login_name);
    }
    return names;
  }
};

TEST_P(AdminAccountRepositoryContractTest, AFreshStoreHasNoAccounts) {
  EXPECT_EQ(accounts().count().value(), 0);
  EXPECT_EQ(listed(0, 10), std::vector<std::string>{});
  EXPECT_EQ(find("anyone"), std::nullopt);
}

TEST_P(AdminAccountRepositoryContractTest, AnInsertedAccountReadsBackWholeAfterAReopen) {
  for (int32_t role = 0; role < kAdminRoleCount; ++role) {
    AdminAccount account = makeAccount(10 + role, "acct" + std::to_string(role));
    account.role = static_cast<AdminRole>(role);
    insert(account);
  }
  reopen();
  for (int32_t role = 0; role < kAdminRoleCount; ++role) {
    AdminAccount expected = makeAccount(10 + role, "acct" + std::to_string(role));
    expected.role = static_cast<AdminRole>(role);
    EXPECT_EQ(find(expected.login_name), expected);
  }
}

TEST_P(AdminAccountRepositoryContractTest, ATakenLoginNameOrIdIsADuplicateKey) {
  insert(makeAccount(1, "ops"));
  const VoidResult same_name = accounts().insert(makeAccount(2, "ops"));
  ASSERT_FALSE(same_name.ok());
  EXPECT_EQ(same_name.status().code, StatusCode::kRecordContainsDuplicateKey);
  const VoidResult same_id = accounts().insert(makeAccount(1, "other"));
  ASSERT_FALSE(same_id.ok());
  EXPECT_EQ(same_id.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(find("ops"), makeAccount(1, "ops"));
  EXPECT_EQ(accounts().count().value(), 1);
}

TEST_P(AdminAccountRepositoryContractTest, LoginNamesAreExactAndCaseSensitive) {
  insert(makeAccount(1, "Ops"));
  EXPECT_EQ(find("ops"), std::nullopt);
  EXPECT_EQ(find("Ops "), std::nullopt);
  EXPECT_TRUE(find("Ops").has_value());
}

TEST_P(AdminAccountRepositoryContractTest, FindAllPagesInLoginNameOrder) {
  int64_t id = 1;
  for (const char* name : {"carol", "alice", "dave", "bob"}) insert(makeAccount(id++, name));
  EXPECT_EQ(accounts().count().value(), 4);
  EXPECT_EQ(listed(0, 10), (std::vector<std::string>{"alice", "bob", "carol", "dave"}));
  EXPECT_EQ(listed(1, 2), (std::vector<std::string>{"bob", "carol"}));
  EXPECT_EQ(listed(4, 2), std::vector<std::string>{});
}

TEST_P(AdminAccountRepositoryContractTest, UpdateSetsOnlyTheGivenFieldsOfTheGivenAccounts) {
  insert(makeAccount(1, "a"));
  insert(makeAccount(2, "b"));
  insert(makeAccount(3, "c"));
  AdminAccountUpdate update;
  update.role = AdminRole::kReadOnly;
  update.password_hash = "$sha256$11$new";
  const std::string names[] = {"a", "c", "missing"};
  auto updated = accounts().update(names, update);
  ASSERT_TRUE(updated.ok()) << updated.status().reason;
  EXPECT_EQ(*updated, 2);
  for (const std::string name : {"a", "c"}) {
    const std::optional<AdminAccount> stored = find(name);
    ASSERT_TRUE(stored.has_value()) << name;
    EXPECT_EQ(stored->role, AdminRole::kReadOnly);
    EXPECT_EQ(stored->password_hash, "$sha256$11$new");
    EXPECT_EQ(stored->display_name, "Name of " + name);
  }
  EXPECT_EQ(find("b"), makeAccount(2, "b"));

  const std::string just_b[] = {"b"};
  auto unchanged = accounts().update(just_b, AdminAccountUpdate{});
  ASSERT_TRUE(unchanged.ok()) << unchanged.status().reason;
  EXPECT_EQ(*unchanged, 1);
  EXPECT_EQ(find("b"), makeAccount(2, "b"));
}

TEST_P(AdminAccountRepositoryContractTest, RemoveDeletesTheGivenAccountsAndCountsThem) {
  insert(makeAccount(1, "a"));
  insert(makeAccount(2, "b"));
  const std::string names[] = {"a", "missing"};
  auto removed = accounts().remove(names);
  ASSERT_TRUE(removed.ok()) << removed.status().reason;
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(listed(0, 10), std::vector<std::string>{"b"});
  auto none = accounts().remove({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);
}

}  // namespace parley::contract
