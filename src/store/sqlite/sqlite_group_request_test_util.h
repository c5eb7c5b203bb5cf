#pragma once
// A check that the SQLite tests of group invitations and group join requests share: an accept is
// one transaction (sqlite_group_request.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>

#include "store/sqlite/sqlite_store.h"
#include "testing/sqlite_store_test_env.h"

namespace parley::testing {

// Stores `request` (of group 7, created at 1000, to be joined by joiner_id) and fails the
// membership's last write (the members version) inside `accept`, after the answer and the
// member's row are written: neither stays. Once the failure is gone, the retry does it all.
// joinerVersion(repository) reads the joiner's version of this kind of request.
template <typename Repository, typename Record, typename Reply, typename JoinerVersion>
void expectAFailedAcceptLeavesNeitherTheMemberNorTheAnswer(Repository& (Store::*repository)(),
                                                           const Record& request,
                                                           const Reply& accept, int64_t joiner_id,
                                                           JoinerVersion joinerVersion) {
  SqliteStoreTestEnv env;
  auto store = env.open();
  auto* sqlite_store = dynamic_cast<sqlite::SqliteStore*>(store.get());
  ASSERT_NE(sqlite_store, nullptr);
  Repository& requests = (store.get()->*repository)();
  GroupRecord group;
  group.id = 7;
  group.creator_id = group.owner_id = 1;
  group.creation_date = group.last_updated_date = group.members_last_updated_date = 1000;
  ASSERT_TRUE(store->groups().insert(group).ok());
  ASSERT_TRUE(requests.insert(request, 1000).ok());
  ASSERT_TRUE(sqlite_store->db()
                  .exec("CREATE TRIGGER fail_members_version BEFORE UPDATE OF "
                        "members_last_updated_date ON group_info "
                        "BEGIN SELECT RAISE(ABORT, 'injected'); END")
                  .ok());
  EXPECT_FALSE(requests.acceptIfPending(accept).ok());
  EXPECT_EQ(requests.findById(request.id).value(), request);
  EXPECT_FALSE(store->groupMembers().find(7, joiner_id).value().has_value());
  EXPECT_EQ(store->groupMembers().findJoinedGroupsVersion(joiner_id).value(), std::nullopt);
  EXPECT_EQ(requests.findGroupVersion(7).value(), 1000);
  EXPECT_EQ(joinerVersion(requests), std::optional<int64_t>(1000));

  ASSERT_TRUE(sqlite_store->db().exec("DROP TRIGGER fail_members_version").ok());
  EXPECT_TRUE(requests.acceptIfPending(accept).value());
  EXPECT_TRUE(store->groupMembers().find(7, joiner_id).value().has_value());
  const std::optional<Record> accepted = requests.findById(request.id).value();
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->status, RequestStatus::kAccepted);
}

}  // namespace parley::testing
