#include "service/demo_data.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/clock.h"
#include "core/password_hasher.h"
#include "store/group_lifecycle.h"
#include "store/store.h"

namespace parley {
namespace {

constexpr int64_t kDemoGroupId = 1;
constexpr int64_t kDemoGroupTypeId = 1;
constexpr int64_t kJoinRequestGroupTypeId = 2;
constexpr int64_t kQuestionGroupTypeId = 3;
constexpr int64_t kYear2000Millis = 946684800000;  // 2000-01-01T00:00:00Z
constexpr int64_t kHourMillis = 3600 * 1000;
constexpr int64_t kMutedForever = 9999999999999;
constexpr int kDemoMessageRounds = 100;

template <typename T>
T orThrow(Result<T> result, const char* what) {
  if (!result) {
    throw std::runtime_error(std::string("demo data: cannot ") + what + ": " +
                             result.status().reason);
  }
  return std::move(result).value();
}

void orThrow(VoidResult result, const char* what) {
  if (!result) {
    throw std::runtime_error(std::string("demo data: cannot ") + what + ": " +
                             result.status().reason);
  }
}

// One hash of "123" per user, computed on every core (the hasher runs at most one Argon2id per
// core anyway).
std::vector<std::string> distinctHashes(const PasswordHasher& hasher, int user_count) {
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
  spdlog::info("demo data: hashing {} passwords one by one on {} threads", user_count, threads);
  std::vector<std::string> hashes(static_cast<size_t>(user_count));
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < hashes.size(); i = next++) hashes[i] = hasher.hash("123");
    });
  }
  for (std::thread& worker : workers) worker.join();
  return hashes;
}

void seedUsers(Store& store, const PasswordHasher& hasher, int64_t now, int user_count,
               bool distinct_password_hashes) {
  // Every demo user shares one password; unless asked otherwise it is hashed once (seeding stays
  // fast), which also means one verification cache entry serves every demo user.
  const std::vector<std::string> hashes = distinct_password_hashes
                                              ? distinctHashes(hasher, user_count)
                                              : std::vector<std::string>{hasher.hash("123")};
  std::vector<UserRecord> users;
  users.reserve(user_count);
  for (int id = 1; id <= user_count; ++id) {
    UserRecord user;
    user.id = id;
    user.password_hash = hashes[distinct_password_hashes ? id - 1 : 0];
    user.name = "my-name";
    user.intro = "my-intro";
    user.registration_date = now;
    user.last_updated_date = now;
    users.push_back(std::move(user));
  }
  orThrow(store.users().insertMany(users), "insert users");
}

// User 1 is friends with users 2..100: one record in each direction, all in relationship group
// 0. User 1 also keeps two groups of its own: "Family" (2..4) and "Work" (5..7).
constexpr int32_t kDemoFamilyGroup = 1;
constexpr int32_t kDemoWorkGroup = 2;

void seedFriendships(Store& store, int64_t now, int user_count) {
  std::vector<RelationshipRecord> records;
  for (int64_t friend_id = 2; friend_id <= std::min(100, user_count); ++friend_id) {
    std::vector<int32_t> groups{kDefaultRelationshipGroupIndex};
    if (friend_id <= 4) groups.push_back(kDemoFamilyGroup);
    if (friend_id >= 5 && friend_id <= 7) groups.push_back(kDemoWorkGroup);
    records.push_back({1, friend_id, std::nullopt, now, "", std::move(groups)});
    records.push_back({friend_id, 1, std::nullopt, now, "", {kDefaultRelationshipGroupIndex}});
  }
  orThrow(store.relationships().insertMany(records, now), "insert relationships");
  const std::vector<RelationshipGroupRecord> groups{{1, kDemoFamilyGroup, "Family", now},
                                                    {1, kDemoWorkGroup, "Work", now}};
  orThrow(store.relationshipGroups().insertMany(groups, now), "insert relationship groups");
}

// Pending friend requests (upstream's fake data has user 1 asking the next users after its
// friends; here they are recent, so they have not expired): user 1 asks 101..110, and 111..115
// ask user 1.
void seedFriendRequests(Store& store, int64_t now, int user_count) {
  int64_t id = 1;
  const auto request = [&](int64_t requester, int64_t recipient) {
    if (requester > user_count || recipient > user_count) return;
    FriendRequestRecord pending;
    pending.id = id++;
    pending.requester_id = requester;
    pending.recipient_id = recipient;
    pending.content = "test-request";
    pending.creation_date = now;
    orThrow(store.friendRequests().insert(pending, now), "insert friend requests");
  };
  for (int64_t recipient = 101; recipient <= 110; ++recipient) request(1, recipient);
  for (int64_t requester = 111; requester <= 115; ++requester) request(requester, 1);
}

// Upstream's fake data adds group type 1, "test", beside DEFAULT: anyone adds members directly
// (no invitation to accept) and users join by asking. Parley adds types 2, "join-request", and 3,
// "question", alike but for the way in, so that the demo has a group of every join strategy.
// Tests and benchmarks build their groups with them (a config that lists them in
// group.creatable-type-ids).
void seedGroupTypes(Store& store) {
  GroupTypeRecord type;
  type.id = kDemoGroupTypeId;
  type.name = "test";
  type.group_size_limit = 1000;
  type.invitation_strategy = GroupInvitationStrategy::kAll;
  type.join_strategy = GroupJoinStrategy::kMembershipRequest;
  type.group_info_update_strategy = GroupUpdateStrategy::kOwnerManager;
  type.member_info_update_strategy = GroupUpdateStrategy::kOwnerManagerMember;
  type.guest_speakable = true;
  type.self_info_updatable = true;
  type.enable_read_receipt = true;
  type.message_editable = true;
  orThrow(store.groupTypes().insert(type), "insert the demo group type");
  for (const auto& [id, name, strategy] :
       {std::tuple{kJoinRequestGroupTypeId, "join-request", GroupJoinStrategy::kJoinRequest},
        std::tuple{kQuestionGroupTypeId, "question", GroupJoinStrategy::kQuestion}}) {
    type.id = id;
    type.name = name;
    type.join_strategy = strategy;
    orThrow(store.groupTypes().insert(type), "insert the demo group types");
  }
}

// Group 1, owned by user 1, with members 1..100; 51..100 are muted.
void seedGroup(Store& store, int64_t now, int user_count) {
  GroupRecord group;
  group.id = kDemoGroupId;
  group.creator_id = 1;
  group.owner_id = 1;
  group.name = "Turms Developers Group";
  group.creation_date = now;
  group.last_updated_date = now;
  orThrow(store.groups().insert(group), "insert the demo group");
  std::vector<GroupMemberRecord> members;
  for (int64_t user = 1; user <= std::min(100, user_count); ++user) {
    GroupMemberRecord member;
    member.group_id = kDemoGroupId;
    member.user_id = user;
    member.role = user == 1 ? kGroupRoleOwner : kGroupRoleMember;
    member.join_date = now;
    if (user > 50) member.mute_end_date = kMutedForever;
    members.push_back(member);
  }
  orThrow(store.groupMembers().insertMany(members), "insert group members");
}

// The rest of upstream's fake data around group 1, at its default 1000 users (a step of 100): users
// 701..800 ask to join, 801..900 are invited by user 1, 901..1000 are blocked by user 1, and the
// group has one join question. Requests are dated now, as the demo friend requests, so they read
// as PENDING (upstream dates them in 2000, long expired). Returns the first id it left unused.
int64_t seedGroupEnrollment(Store& store, int64_t now, int user_count) {
  int64_t next_id = 1;
  for (int64_t user = 701; user <= std::min<int64_t>(800, user_count); ++user) {
    GroupJoinRequestRecord request;
    request.id = next_id++;
    request.group_id = kDemoGroupId;
    request.requester_id = user;
    request.content = "test-content";
    request.creation_date = now;
    orThrow(store.groupJoinRequests().insert(request, now), "insert group join requests");
  }
  for (int64_t user = 801; user <= std::min<int64_t>(900, user_count); ++user) {
    GroupInvitationRecord invitation;
    invitation.id = next_id++;
    invitation.group_id = kDemoGroupId;
    invitation.inviter_id = 1;
    invitation.invitee_id = user;
    invitation.content = "test-content";
    invitation.creation_date = now;
    orThrow(store.groupInvitations().insert(invitation, now), "insert group invitations");
  }
  for (int64_t user = 901; user <= std::min<int64_t>(1000, user_count); ++user) {
    orThrow(store.groupBlocklist().block({kDemoGroupId, user, kYear2000Millis, 1}, now),
            "block users in the demo group");
  }
  const GroupJoinQuestionRecord question{.id = next_id++,
                                         .group_id = kDemoGroupId,
                                         .question = "test-question",
                                         .answers = {"a", "b", "c"},
                                         .score = 20};
  orThrow(store.groupJoinQuestions().insertMany(std::span(&question, 1), now),
          "insert the demo join question");
  return next_id;
}

// One group of each join strategy, owned by user 1 with no other member, so a demo shows every
// way in: 2 by invitation (DEFAULT), 3 by asking to be a member (type 1), 4 by join request
// (type 2), 5 by answering its question ("1 + 1?", answer "2", enough for its minimum score).
void seedGroupsOfEveryJoinStrategy(Store& store, int64_t now, int64_t first_question_id) {
  const std::tuple<int64_t, int64_t, const char*> groups[] = {
      {2, kDefaultGroupTypeId, "Join by invitation"},
      {3, kDemoGroupTypeId, "Join by asking"},
      {4, kJoinRequestGroupTypeId, "Join by request"},
      {5, kQuestionGroupTypeId, "Join by answering"}};
  for (const auto& [id, type_id, name] : groups) {
    GroupRecord group;
    group.id = id;
    group.type_id = type_id;
    group.creator_id = 1;
    group.owner_id = 1;
    group.name = name;
    group.creation_date = now;
    group.last_updated_date = now;
    if (type_id == kQuestionGroupTypeId) group.minimum_score = 10;
    orThrow(createGroupWithOwner(store.groups(), store.groupMembers(), group),
            "insert the demo groups");
  }
  const GroupJoinQuestionRecord question{
      .id = first_question_id, .group_id = 5, .question = "1 + 1?", .answers = {"2"}, .score = 10};
  orThrow(store.groupJoinQuestions().insertMany(std::span(&question, 1), now),
          "insert the demo join question");
}

// 100 rounds of 1 -> t and t -> 1 (t = 2..10) plus one group message from user 1, one hour
// apart from 2000-01-01. Sequence ids come from the store's counters so new messages continue
// after the demo ones.
void seedMessages(Store& store, int user_count) {
  std::vector<MessageRecord> messages;
  int64_t next_id = 1;
  auto add = [&](bool is_group, int64_t sender, int64_t target, int64_t date) {
    MessageRecord message;
    message.id = next_id++;
    message.is_group_message = is_group;
    message.sender_id = sender;
    message.target_id = target;
    message.delivery_date = date;
    message.text = "demo message " + std::to_string(message.id);
    auto key =
        is_group ? ConversationKey::groupOf(target) : ConversationKey::privateOf(sender, target);
    message.sequence_id = orThrow(store.sequenceIds().next(key), "number demo messages");
    messages.push_back(std::move(message));
  };
  for (int i = 0; i < kDemoMessageRounds; ++i) {
    const int64_t peer = 2 + (i % 9);
    const int64_t date = kYear2000Millis + i * kHourMillis;
    if (peer <= user_count) {
      add(false, 1, peer, date);
      add(false, peer, 1, date);
    }
    add(true, 1, kDemoGroupId, date);
  }
  orThrow(store.messages().insertMany(messages), "insert demo messages");
}

void seedConversations(Store& store, int user_count) {
  for (int64_t target = 2; target <= std::min(10, user_count); ++target) {
    orThrow(store.conversations().upsertPrivateReadDate(1, target, kYear2000Millis),
            "insert private conversations");
  }
  orThrow(store.conversations().upsertGroupReadDate(kDemoGroupId, 1, kYear2000Millis),
          "insert the group conversation");
}

}  // namespace

int64_t seedDemoData(Store& store, const PasswordHasher& hasher, const Clock& clock, int user_count,
                     bool distinct_password_hashes) {
  if (!orThrow(store.claimDemoSeeding(), "read the store")) {
    spdlog::info("demo data: the store already has data (or another node is seeding it)");
    return 0;
  }
  const int64_t now = clock.nowMillis();
  seedUsers(store, hasher, now, user_count, distinct_password_hashes);
  seedFriendships(store, now, user_count);
  seedFriendRequests(store, now, user_count);
  seedGroupTypes(store);
  seedGroup(store, now, user_count);
  seedGroupsOfEveryJoinStrategy(store, now, seedGroupEnrollment(store, now, user_count));
  seedMessages(store, user_count);
  seedConversations(store, user_count);
  spdlog::info(
      "demo data: seeded {} users (ids 1..{}, password \"123\"), friendships and friend requests "
      "of user 1, group 1 with its messages, join requests, invitations, blocked users and join "
      "question, groups 2..5 (one of each join strategy) and group types 1..3",
      user_count, user_count);
  return user_count;
}

}  // namespace parley
