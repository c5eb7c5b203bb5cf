// Relationship groups through real sockets, on SQLite and on MongoDB (FerretDB): the group's life
// (create, rename, delete moving its members), moving a contact between groups, the pushes each
// change makes, and versioned queries.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "support/backend.h"
#include "support/client_requests.h"
#include "support/test_helpers.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;

using requests::kRequestTimeout;
using requests::loggedIn;

class RelationshipGroupTest : public SharedParleyOnBackend<RelationshipGroupTest> {
 public:
  // Demo user 1 is friends with everyone and has two groups of its own; users 2..n are each
  // other's strangers.
  static ParleyOptions parleyOptions() { return {.demo_user_count = 20}; }
};

INSTANTIATE_TEST_SUITE_P(Sqlite, RelationshipGroupTest, ::testing::Values(Backend::kSqlite));
INSTANTIATE_TEST_SUITE_P(Mongo, RelationshipGroupTest, ::testing::Values(Backend::kMongo));

pb::TurmsNotification createGroup(TurmsClient& client, const std::string& name) {
  pb::TurmsRequest request;
  request.mutable_create_relationship_group_request()->set_name(name);
  return client.request(request, kRequestTimeout);
}

pb::TurmsNotification queryGroups(TurmsClient& client, std::optional<int64_t> since = {}) {
  pb::TurmsRequest request;
  auto* query = request.mutable_query_relationship_groups_request();
  if (since) query->set_last_updated_date(*since);
  return client.request(request, kRequestTimeout);
}

std::vector<std::pair<int32_t, std::string>> groupsIn(const pb::TurmsNotification& response) {
  std::vector<std::pair<int32_t, std::string>> groups;
  for (const auto& group :
       response.data().user_relationship_groups_with_version().user_relationship_groups()) {
    groups.emplace_back(group.index(), group.name());
  }
  return groups;
}

pb::TurmsNotification moveContact(TurmsClient& client, int64_t user_id,
                                  std::optional<int32_t> new_group,
                                  std::optional<int32_t> delete_group) {
  pb::TurmsRequest request;
  auto* update = request.mutable_update_relationship_request();
  update->set_user_id(user_id);
  if (new_group) update->set_new_group_index(*new_group);
  if (delete_group) update->set_delete_group_index(*delete_group);
  return client.request(request, kRequestTimeout);
}

// Related user ids in `group`, sorted; empty on NO_CONTENT.
std::vector<int64_t> contactsIn(TurmsClient& client, int32_t group) {
  pb::TurmsRequest request;
  request.mutable_query_related_user_ids_request()->add_group_indexes(group);
  auto response = client.request(request, kRequestTimeout);
  if (response.code() == 1001) return {};
  EXPECT_EQ(response.code(), 1000);
  const auto& ids = response.data().longs_with_version().longs();
  std::vector<int64_t> sorted(ids.begin(), ids.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

std::optional<Frame> relayed(TurmsClient& client, pb::TurmsRequest::KindCase kind) {
  return client.waitFor([kind](const Frame& frame) { return isRelayed(frame, kind); }, 5s);
}

TEST_P(RelationshipGroupTest, AGroupsLifeReachesTheOwnersOtherSessions) {
  auto desktop = loggedIn(*parley_, 2, pb::DESKTOP);
  auto phone = loggedIn(*parley_, 2, pb::ANDROID, Transport::kWebSocket);
  auto friend_one = loggedIn(*parley_, 1);

  auto created = createGroup(*desktop, "work");
  ASSERT_EQ(created.code(), 1000);
  const auto work = static_cast<int32_t>(created.data().long_());
  EXPECT_GT(work, 0);

  auto groups = queryGroups(*phone);
  ASSERT_EQ(groups.code(), 1000);
  EXPECT_EQ(groupsIn(groups),
            (std::vector<std::pair<int32_t, std::string>>{{0, ""}, {work, "work"}}));
  const int64_t version = groups.data().user_relationship_groups_with_version().last_updated_date();
  EXPECT_EQ(queryGroups(*phone, version).code(), 1002);

  // Demo friends sit in the default group; moving one tells the owner's other session only.
  ASSERT_EQ(moveContact(*desktop, 1, work, 0).code(), 1000);
  auto moved = relayed(*phone, pb::TurmsRequest::kUpdateRelationshipRequest);
  ASSERT_TRUE(moved.has_value());
  EXPECT_EQ(moved->notification.relayed_request().update_relationship_request().new_group_index(),
            work);
  EXPECT_EQ(contactsIn(*phone, work), std::vector<int64_t>{1});
  EXPECT_TRUE(contactsIn(*phone, 0).empty());

  pb::TurmsRequest rename;
  rename.mutable_update_relationship_group_request()->set_group_index(work);
  rename.mutable_update_relationship_group_request()->set_new_name("colleagues");
  ASSERT_EQ(desktop->request(rename, kRequestTimeout).code(), 1000);
  ASSERT_TRUE(relayed(*phone, pb::TurmsRequest::kUpdateRelationshipGroupRequest).has_value());
  auto renamed = queryGroups(*phone, version);
  ASSERT_EQ(renamed.code(), 1000);
  EXPECT_EQ(groupsIn(renamed).back(), (std::pair<int32_t, std::string>{work, "colleagues"}));

  pb::TurmsRequest remove;
  remove.mutable_delete_relationship_group_request()->set_group_index(work);
  ASSERT_EQ(desktop->request(remove, kRequestTimeout).code(), 1000);
  auto deleted = relayed(*phone, pb::TurmsRequest::kDeleteRelationshipGroupRequest);
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(deleted->notification.relayed_request()
                .delete_relationship_group_request()
                .target_group_index(),
            0);
  auto after = queryGroups(*phone);
  EXPECT_EQ(groupsIn(after), (std::vector<std::pair<int32_t, std::string>>{{0, ""}}));
  EXPECT_EQ(contactsIn(*phone, 0), std::vector<int64_t>{1});

  // The related user is never told (upstream's defaults).
  EXPECT_FALSE(
      friend_one
          ->waitFor([](const Frame& frame) { return frame.notification.has_relayed_request(); },
                    500ms)
          .has_value());
}

TEST_P(RelationshipGroupTest, TheDemoDataHasUserOnesGroups) {
  auto owner = loggedIn(*parley_, 1);
  auto groups = queryGroups(*owner);
  ASSERT_EQ(groups.code(), 1000);
  EXPECT_EQ(groupsIn(groups),
            (std::vector<std::pair<int32_t, std::string>>{{0, ""}, {1, "Family"}, {2, "Work"}}));
  EXPECT_EQ(contactsIn(*owner, 1), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(contactsIn(*owner, 2), (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(contactsIn(*owner, 0).size(), 19u);  // everyone stays in the default group too
}

TEST_P(RelationshipGroupTest, RefusalsCarryUpstreamsCodes) {
  auto owner = loggedIn(*parley_, 4);
  pb::TurmsRequest delete_default;
  delete_default.mutable_delete_relationship_group_request()->set_group_index(0);
  EXPECT_EQ(owner->request(delete_default, kRequestTimeout).code(), 1102);  // ILLEGAL_ARGUMENT

  auto created = createGroup(*owner, "close");
  ASSERT_EQ(created.code(), 1000);
  const auto close = static_cast<int32_t>(created.data().long_());
  // Demo user 4 is friends with user 1, in the default group.
  EXPECT_EQ(moveContact(*owner, 1, close, close).code(), 1102);
  ASSERT_EQ(moveContact(*owner, 1, close, std::nullopt).code(), 1000);
  EXPECT_EQ(moveContact(*owner, 1, close, 0).code(), 1103);  // already in the target
  EXPECT_EQ(contactsIn(*owner, close), std::vector<int64_t>{1});
  EXPECT_EQ(contactsIn(*owner, 0), std::vector<int64_t>{1});
}

}  // namespace
}  // namespace parley::testing
