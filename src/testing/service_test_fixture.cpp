#include "testing/service_test_fixture.h"

#include <string>

#include "testing/fast_password_hasher.h"

namespace parley::testing {

ServiceTestFixture::ServiceTestFixture(int64_t start_millis)
    : clock_(start_millis),
      store_(store_env_.open()),
      sessions_(makeInProcessSessionRegistry()),
      locations_(makeInProcessUserLocations("n1", false)),
      ids_(1, clock_),
      hasher_(fastPasswordHasherOptions(), clock_) {
  group_types_ = std::make_unique<GroupTypes>(store_->groupTypes(), clock_);
}

ServiceDeps ServiceTestFixture::deps(Store& store) {
  return ServiceDeps{.store = store,
                     .sessions = *sessions_,
                     .session_control = control_,
                     .locations = *locations_,
                     .sequence_ids = store.sequenceIds(),
                     .ids = ids_,
                     .hasher = hasher_,
                     .clock = clock_,
                     .message = message_config_,
                     .group = group_config_,
                     .group_types = *group_types_,
                     .friend_request = friend_request_config_,
                     .user = user_config_,
                     .location = location_config_};
}

void ServiceTestFixture::reopenStore() {
  store_.reset();
  store_ = store_env_.open();
  group_types_ = std::make_unique<GroupTypes>(store_->groupTypes(), clock_);
}

RequestContext ServiceTestFixture::context(int64_t user_id, int64_t request_id) const {
  RequestContext ctx;
  ctx.user_id = user_id;
  ctx.device_type = 1;
  ctx.login_date = kLoginDate;
  ctx.request_id = request_id;
  ctx.now_millis = clock_.nowMillis();
  return ctx;
}

HandlerResult ServiceTestFixture::dispatch(int64_t user_id, const TurmsRequest& request) {
  return dispatcher_.dispatch(context(user_id, request.request_id()), request);
}

UserRecord ServiceTestFixture::userRecord(int64_t id) const {
  UserRecord user;
  user.id = id;
  user.name = "user-" + std::to_string(id);
  user.registration_date = clock_.nowMillis();
  user.last_updated_date = clock_.nowMillis();
  return user;
}

void ServiceTestFixture::addUser(const UserRecord& user) {
  const VoidResult inserted = store_->users().insert(user);
  ASSERT_TRUE(inserted.ok()) << user.id << ": " << inserted.status().reason;
}

void ServiceTestFixture::addGroup(int64_t group_id, int64_t owner,
                                  const std::vector<std::pair<int64_t, int32_t>>& members) {
  GroupRecord group;
  group.id = group_id;
  group.creator_id = owner;
  group.owner_id = owner;
  group.name = "group-" + std::to_string(group_id);
  group.creation_date = clock_.nowMillis();
  group.last_updated_date = clock_.nowMillis();
  ASSERT_TRUE(store_->groups().insert(group).ok());
  std::vector<GroupMemberRecord> records;
  for (const auto& [user_id, role] : members) {
    GroupMemberRecord member;
    member.group_id = group_id;
    member.user_id = user_id;
    member.role = role;
    member.join_date = clock_.nowMillis();
    records.push_back(member);
  }
  const Result<int64_t> inserted = store_->groupMembers().insertMany(records);
  ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  ASSERT_EQ(inserted.value(), static_cast<int64_t>(records.size()));
}

void ServiceTestFixture::updateGroupType(int64_t type_id, const GroupTypeUpdate& update) {
  const int64_t ids[] = {type_id};
  const Result<int64_t> updated = store_->groupTypes().update(ids, update);
  ASSERT_TRUE(updated.ok()) << updated.status().reason;
  ASSERT_EQ(updated.value(), 1) << "no group type " << type_id;
  group_types_->invalidate();
}

void ServiceTestFixture::expectSelfPushOnly(const HandlerResult& result) {
  ASSERT_EQ(result.pushes.size(), 1u);
  EXPECT_TRUE(result.pushes[0].user_ids.empty());
  EXPECT_TRUE(result.pushes[0].include_requester_other_sessions);
}

}  // namespace parley::testing
