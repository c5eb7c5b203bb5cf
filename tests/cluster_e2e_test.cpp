// Several parley nodes sharing one FerretDB and one Redis (issue 6): the same suite on a single
// Redis, three standalone shards and a three-primary Redis Cluster; a login on another node
// kicking the same device; self-healing after Redis lost its data; a node killed with SIGKILL;
// Redis down and back; a change of the shard count.
//
// No timing assertions: every wait is a bounded poll, generous for a loaded two-core machine.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "online/redis_keys.h"
#include "redis/key_slot.h"
#include "redis/redis_cluster_process.h"
#include "redis/sharding_algorithm.h"
#include "support/backend.h"
#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/redis_topology.h"
#include "support/test_helpers.h"
#include "testing/eventually.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;
using SteadyClock = std::chrono::steady_clock;

// Demo users 1..30, all members of demo group 1; nobody sends to group 1 here.
constexpr int kDemoUsers = 30;
// Generous: presence and healing take a few 200 ms ticks, but the machine may be loaded.
constexpr auto kPollTimeout = 15s;
constexpr auto kPollStep = 100ms;

// ---- Client helpers beyond support/client_requests.h ----

using requests::createGroupWith;
using requests::isMessagePush;
using requests::loggedIn;
using requests::queryMessages;
using requests::sendPrivate;
using requests::sendToGroup;

// The push of one particular message.
std::optional<Frame> waitForMessage(TurmsClient& client, int64_t message_id,
                                    std::chrono::milliseconds timeout = kPollTimeout) {
  return client.waitFor(
      [message_id](const Frame& f) {
        return isMessagePush(f) &&
               f.notification.relayed_request().create_message_request().message_id() == message_id;
      },
      timeout);
}

// Pushes carry the message's sequence id as their first custom attribute; -1 when missing.
int64_t sequenceIdOf(const Frame& push) {
  if (push.notification.custom_attributes_size() < 1) return -1;
  return push.notification.custom_attributes(0).int64_value();
}

// Sends a private message, expects it acknowledged and pushed to `recipient` (a session of `to`,
// possibly on another node); returns its sequence id, or -1 after recording a failure.
int64_t exchange(TurmsClient& sender, TurmsClient& recipient, int64_t to, const std::string& text) {
  auto sent = sendPrivate(sender, to, text);
  if (sent.code() != 1000) {
    ADD_FAILURE() << "sending '" << text << "' to " << to << " answered " << sent.code();
    return -1;
  }
  auto push = waitForMessage(recipient, sent.data().long_());
  if (!push) {
    ADD_FAILURE() << "no push of '" << text << "' to " << to;
    return -1;
  }
  EXPECT_EQ(push->notification.relayed_request().create_message_request().text(), text);
  return sequenceIdOf(*push);
}

// The status of each user as `asker` sees it (OFFLINE when the answer has no entry), with the
// device types the user is online on.
struct Presence {
  int status = pb::OFFLINE;
  std::set<int> devices;
};

std::optional<Presence> presenceOf(TurmsClient& asker, int64_t user) {
  pb::TurmsRequest query;
  query.mutable_query_user_online_statuses_request()->add_user_ids(user);
  auto response = asker.request(query, 10s);
  if (response.code() != 1000) return std::nullopt;
  Presence presence;
  for (const auto& status : response.data().user_online_statuses().statuses()) {
    if (status.user_id() != user) continue;
    presence.status = status.user_status();
    presence.devices.insert(status.device_types().begin(), status.device_types().end());
  }
  return presence;
}

// Polls until `user` shows as online on exactly `devices` (empty: offline) to `asker`.
bool waitForPresence(TurmsClient& asker, int64_t user, std::set<int> devices) {
  const auto deadline = SteadyClock::now() + kPollTimeout;
  for (;;) {
    auto presence = presenceOf(asker, user);
    if (presence) {
      const bool online = presence->status != pb::OFFLINE;
      if (devices.empty() ? !online : (online && presence->devices == devices)) return true;
    }
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollStep);
  }
}

// The session is still open: no close signal or closed socket so far, and it answers a request.
::testing::AssertionResult stillConnected(TurmsClient& client) {
  if (auto closed = client.waitFor(
          [](const Frame& f) { return isCloseSignal(f) || f.kind == Frame::Kind::kClosed; }, 0ms)) {
    if (closed->kind == Frame::Kind::kClosed) {
      return ::testing::AssertionFailure() << "the connection was closed";
    }
    return ::testing::AssertionFailure()
           << "close signal " << closed->notification.close_status() << " received";
  }
  pb::TurmsRequest query;
  query.mutable_query_user_profiles_request()->add_user_ids(1);
  try {
    const int code = client.request(query, 10s).code();
    if (code != 1000) return ::testing::AssertionFailure() << "a query answered " << code;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "a query failed: " << e.what();
  }
  return ::testing::AssertionSuccess();
}

// Not exited (a zombie counts as exited); reads /proc so the process is not reaped here.
bool isRunning(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

// ---- Nodes ----

struct NodeTiming {
  int heartbeat_millis = 200;
  int stale_after_millis = 1500;
};

ParleyOptions nodeOptions(const std::string& node_id, const std::string& session_uris,
                          const std::string& database, NodeTiming timing = {}) {
  ParleyOptions options{
      .extra_args = {"--node-id=" + node_id, "--redis-session-uris=" + session_uris, "--rpc-port=0",
                     "--rpc-bind=127.0.0.1",
                     "--cluster-heartbeat-interval-millis=" +
                         std::to_string(timing.heartbeat_millis),
                     "--node-stale-after-millis=" + std::to_string(timing.stale_after_millis),
                     // Failures show within a second while Redis is down.
                     "--redis-timeout-ms=1000"},
      .demo_user_count = kDemoUsers};
  return onBackend(Backend::kMongo, options, database);
}

// The node's parley_cluster_live_nodes gauge (its cached membership view), -1 when unreadable.
int liveNodesSeenBy(const ParleyProcess& node) {
  return static_cast<int>(metricValue(node.adminPort(), "parley_cluster_live_nodes"));
}

// Polls until every node's membership view holds all of them.
bool waitUntilNodesSeeEachOther(std::initializer_list<const ParleyProcess*> nodes) {
  const auto deadline = SteadyClock::now() + kPollTimeout;
  for (;;) {
    const bool all = std::all_of(nodes.begin(), nodes.end(), [&](const ParleyProcess* node) {
      return liveNodesSeenBy(*node) == static_cast<int>(nodes.size());
    });
    if (all) return true;
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(kPollStep);
  }
}

// A Redis topology and two nodes, A and B, sharing it and one database on the shared FerretDB.
struct TwoNodes {
  // servers_used > 0: the nodes use only the first servers_used standalone servers.
  explicit TwoNodes(RedisTopologyKind kind, size_t servers_used = 0, NodeTiming node_timing = {})
      : redis(kind), database(uniqueDatabaseName("cluster")), timing(node_timing) {
    startNodes(servers_used > 0 ? redis.sessionUris(servers_used) : redis.sessionUris());
  }

  // Returns once each node's membership view holds the other: a node learns of another at its
  // next heartbeat tick (ClusterNodeJoin below shows what happens before).
  void startNodes(const std::string& session_uris) {
    a = std::make_unique<ParleyProcess>(nodeOptions("node-a", session_uris, database, timing));
    b = std::make_unique<ParleyProcess>(nodeOptions("node-b", session_uris, database, timing));
    if (!waitUntilNodesSeeEachOther({a.get(), b.get()})) {
      throw std::runtime_error("the nodes do not see each other; logs:\n" + a->log() + b->log());
    }
  }

  void stopNodes() {
    EXPECT_EQ(a->terminate(), 0) << a->log();
    EXPECT_EQ(b->terminate(), 0) << b->log();
  }

  RedisTopology redis;
  std::string database;
  NodeTiming timing;
  std::unique_ptr<ParleyProcess> a;
  std::unique_ptr<ParleyProcess> b;
};

std::string topologyTestName(const ::testing::TestParamInfo<RedisTopologyKind>& info) {
  return topologyName(info.param);
}

// ---- The suite on every topology; its tests share one TwoNodes per topology ----

class ClusterTest : public ::testing::TestWithParam<RedisTopologyKind> {
 protected:
  // Instantiated once per topology with the topology as prefix, each instantiation is a test
  // suite of its own: one topology's processes are stopped before the next one's start.
  static void TearDownTestSuite() { shared_.reset(); }
  void SetUp() override {
    if (!shared_) shared_ = std::make_unique<TwoNodes>(GetParam());
    nodes_ = shared_.get();
  }
  void TearDown() override {
    if (HasFailure()) {
      std::cerr << "---- node A log ----\n"
                << nodes_->a->log() << "---- node B log ----\n"
                << nodes_->b->log();
    }
  }

  const ParleyProcess& a() const { return *nodes_->a; }
  const ParleyProcess& b() const { return *nodes_->b; }

  TwoNodes* nodes_ = nullptr;

 private:
  static inline std::unique_ptr<TwoNodes> shared_;
};

INSTANTIATE_TEST_SUITE_P(Single, ClusterTest, ::testing::Values(RedisTopologyKind::kSingle),
                         topologyTestName);
INSTANTIATE_TEST_SUITE_P(Sharded, ClusterTest, ::testing::Values(RedisTopologyKind::kSharded),
                         topologyTestName);
INSTANTIATE_TEST_SUITE_P(Cluster, ClusterTest, ::testing::Values(RedisTopologyKind::kCluster),
                         topologyTestName);

TEST_P(ClusterTest, PrivateMessagesCrossNodesWithIncreasingSequenceIds) {
  auto alice = loggedIn(a(), 11);
  auto bob = loggedIn(b(), 12, pb::ANDROID, Transport::kWebSocket);
  // One conversation, both directions, one counter: 1, 2, 3.
  EXPECT_EQ(exchange(*alice, *bob, 12, "hello from A"), 1);
  EXPECT_EQ(exchange(*bob, *alice, 11, "hello from B"), 2);
  EXPECT_EQ(exchange(*alice, *bob, 12, "again from A"), 3);
  auto history = queryMessages(*bob, false, {11});
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].sequence_id(), 1);
  EXPECT_EQ(history[1].sequence_id(), 3);
}

// A request on node A reaches the recipient on node B, the answer on B reaches the requester's
// sessions on both nodes, and both sides are friends whichever node asks.
TEST_P(ClusterTest, FriendRequestsAndTheirAnswersCrossNodes) {
  auto asker_on_a = loggedIn(a(), 24);
  auto asker_on_b = loggedIn(b(), 24, pb::ANDROID);
  auto recipient_on_b = loggedIn(b(), 25, pb::IOS, Transport::kWebSocket);
  pb::TurmsRequest ask;
  ask.mutable_create_friend_request_request()->set_recipient_id(25);
  ask.mutable_create_friend_request_request()->set_content("across nodes");
  auto asked = asker_on_a->request(ask, 10s);
  ASSERT_EQ(asked.code(), 1000);
  const auto relayed = [](pb::TurmsRequest::KindCase kind) {
    return [kind](const Frame& frame) { return isRelayed(frame, kind); };
  };
  ASSERT_TRUE(recipient_on_b->waitFor(relayed(pb::TurmsRequest::kCreateFriendRequestRequest),
                                      kPollTimeout));
  ASSERT_TRUE(
      asker_on_b->waitFor(relayed(pb::TurmsRequest::kCreateFriendRequestRequest), kPollTimeout));

  pb::TurmsRequest accept;
  accept.mutable_update_friend_request_request()->set_request_id(asked.data().long_());
  accept.mutable_update_friend_request_request()->set_response_action(pb::ACCEPT);
  ASSERT_EQ(recipient_on_b->request(accept, 10s).code(), 1000);
  for (auto* client : {asker_on_a.get(), asker_on_b.get()}) {
    EXPECT_TRUE(
        client->waitFor(relayed(pb::TurmsRequest::kUpdateFriendRequestRequest), kPollTimeout));
  }
  pb::TurmsRequest related;
  related.mutable_query_relationships_request()->add_user_ids(25);
  auto friends = asker_on_a->request(related, 10s);
  ASSERT_EQ(friends.code(), 1000);
  EXPECT_EQ(friends.data().user_relationships_with_version().user_relationships_size(), 1);
}

// Under the DEFAULT type users join a group by accepting an invitation: the invitation made on A
// reaches the invitee on B, and the acceptance made on B adds the member once and is announced on
// both nodes at once (the owner on A, the new member's other session on A).
TEST_P(ClusterTest, GroupInvitationsAndTheirAcceptanceCrossNodes) {
  auto owner_on_a = loggedIn(a(), 26);
  auto invitee_on_b = loggedIn(b(), 27);
  auto invitee_on_a = loggedIn(a(), 27, pb::IOS, Transport::kWebSocket);
  pb::TurmsRequest create;
  create.mutable_create_group_request()->set_name("invitations across nodes");
  auto created = owner_on_a->request(create, 10s);
  ASSERT_EQ(created.code(), 1000);
  const int64_t group = created.data().long_();
  const auto relayed = [](pb::TurmsRequest::KindCase kind) {
    return [kind](const Frame& frame) { return isRelayed(frame, kind); };
  };

  pb::TurmsRequest invite;
  invite.mutable_create_group_invitation_request()->set_group_id(group);
  invite.mutable_create_group_invitation_request()->set_invitee_id(27);
  invite.mutable_create_group_invitation_request()->set_content("join us");
  auto invited = owner_on_a->request(invite, 10s);
  ASSERT_EQ(invited.code(), 1000);
  for (auto* invitee : {invitee_on_b.get(), invitee_on_a.get()}) {
    ASSERT_TRUE(
        invitee->waitFor(relayed(pb::TurmsRequest::kCreateGroupInvitationRequest), kPollTimeout));
  }

  pb::TurmsRequest accept;
  accept.mutable_update_group_invitation_request()->set_invitation_id(invited.data().long_());
  accept.mutable_update_group_invitation_request()->set_response_action(pb::ACCEPT);
  ASSERT_EQ(invitee_on_b->request(accept, 10s).code(), 1000);
  EXPECT_TRUE(
      owner_on_a->waitFor(relayed(pb::TurmsRequest::kUpdateGroupInvitationRequest), kPollTimeout));
  for (auto* told : {owner_on_a.get(), invitee_on_a.get()}) {
    const auto added =
        told->waitFor(relayed(pb::TurmsRequest::kCreateGroupMembersRequest), kPollTimeout);
    ASSERT_TRUE(added.has_value());
    EXPECT_EQ(added->notification.relayed_request().create_group_members_request().user_ids(0), 27);
  }
  // Accepted once: a second answer finds it no longer pending, and the member is there once.
  EXPECT_EQ(invitee_on_a->request(accept, 10s).code(), 3710);
  pb::TurmsRequest members;
  members.mutable_query_group_members_request()->set_group_id(group);
  auto listed = owner_on_a->request(members, 10s);
  ASSERT_EQ(listed.code(), 1000);
  EXPECT_EQ(listed.data().group_members_with_version().group_members_size(), 2);
}

TEST_P(ClusterTest, GroupMessagesReachEveryMemberOnEveryNodeOnce) {
  auto owner = loggedIn(a(), 13);
  auto on_b = loggedIn(b(), 14);
  auto on_a = loggedIn(a(), 15);
  // One member on both nodes: one push per node, each reaching that node's session.
  auto both_b = loggedIn(b(), 16, pb::DESKTOP);
  auto both_a = loggedIn(a(), 16, pb::IOS, Transport::kWebSocket);
  const int64_t group = createGroupWith(*owner, {14, 15, 16});

  struct Send {
    TurmsClient* sender;
    std::vector<TurmsClient*> receivers;
  };
  const std::vector<Send> sends = {
      {owner.get(), {on_b.get(), on_a.get(), both_b.get(), both_a.get()}},
      {on_b.get(), {owner.get(), on_a.get(), both_b.get(), both_a.get()}},
  };
  int64_t last_sequence_id = 0;
  for (size_t i = 0; i < sends.size(); ++i) {
    const std::string text = "group message " + std::to_string(i);
    auto sent = sendToGroup(*sends[i].sender, group, text);
    ASSERT_EQ(sent.code(), 1000) << text;
    const int64_t message_id = sent.data().long_();
    std::optional<int64_t> sequence_id;
    for (auto* receiver : sends[i].receivers) {
      auto push = waitForMessage(*receiver, message_id);
      ASSERT_TRUE(push.has_value()) << text;
      EXPECT_EQ(push->notification.relayed_request().create_message_request().group_id(), group);
      if (!sequence_id) sequence_id = sequenceIdOf(*push);
      EXPECT_EQ(sequenceIdOf(*push), *sequence_id);
    }
    EXPECT_GT(*sequence_id, last_sequence_id);
    last_sequence_id = *sequence_id;
    for (auto* receiver : sends[i].receivers) {
      EXPECT_FALSE(waitForMessage(*receiver, message_id, 300ms).has_value()) << "pushed twice";
    }
    EXPECT_FALSE(waitForMessage(*sends[i].sender, message_id, 300ms).has_value())
        << "the sending session got a copy";
  }
  auto history = queryMessages(*both_a, true, {group});
  ASSERT_EQ(history.size(), 2u);
  EXPECT_LT(history[0].sequence_id(), history[1].sequence_id());
}

TEST_P(ClusterTest, PresenceIsTheSameFromEveryNode) {
  auto on_a = loggedIn(a(), 17);
  auto on_b = loggedIn(b(), 18, pb::ANDROID);
  EXPECT_TRUE(waitForPresence(*on_a, 18, {pb::ANDROID}));
  EXPECT_TRUE(waitForPresence(*on_b, 17, {pb::DESKTOP}));
  EXPECT_TRUE(waitForPresence(*on_a, 17, {pb::DESKTOP}));
  // A second device on the other node joins the first.
  auto second = loggedIn(a(), 18, pb::IOS);
  EXPECT_TRUE(waitForPresence(*on_a, 18, {pb::ANDROID, pb::IOS}));
  EXPECT_TRUE(waitForPresence(*on_b, 18, {pb::ANDROID, pb::IOS}));
  second->close();
  on_b->close();
  EXPECT_TRUE(waitForPresence(*on_a, 18, {})) << "user 18 still online after logging out";
}

// Each node publishes its figures through Redis, and every node's /cluster shows them: the
// console's Nodes page and cluster charts, without a call to each node.
TEST_P(ClusterTest, EveryNodeShowsTheOthersSessionsAndLoad) {
  auto on_b = loggedIn(b(), 28, pb::ANDROID);
  const int64_t b_sessions = metricValue(b().adminPort(), "parley_sessions");
  ASSERT_GE(b_sessions, 1);
  // Node B as A's /cluster shows it; null figures when it has none for B (yet).
  auto nodeBOnA = [&]() -> boost::json::value {
    const HttpResponse response =
        httpRequest(a().adminPort(), "GET", "/cluster", "",
                    {{"Authorization", basicAuth("admin", ParleyProcess::kAdminPassword)}});
    if (response.status != 200) return nullptr;
    const boost::json::value body = boost::json::parse(response.body);
    for (const auto& node : body.at("data").at("nodes").as_array()) {
      if (node.at("nodeId") == "node-b") return node;
    }
    return nullptr;
  };
  // The first question starts A reading the others' figures; they arrive within a second or two.
  EXPECT_TRUE(eventually([&] {
    const boost::json::value node = nodeBOnA();
    return node.is_object() && node.at("sessions").is_number() &&
           node.at("sessions").to_number<int64_t>() == b_sessions;
  })) << boost::json::serialize(nodeBOnA());
  const boost::json::value node = nodeBOnA();
  ASSERT_TRUE(node.is_object());
  EXPECT_GE(node.at("connections").to_number<double>(), 1);
  EXPECT_GT(node.at("residentMemoryBytes").to_number<double>(), 0);
  EXPECT_EQ(node.at("local"), false);
}

TEST_P(ClusterTest, SameDeviceTypeOnAnotherNodeKicksTheFirstSession) {
  auto first = loggedIn(a(), 19, pb::ANDROID);
  auto sender = loggedIn(a(), 20);
  EXPECT_TRUE(waitForPresence(*sender, 19, {pb::ANDROID}));
  auto second = loggedIn(b(), 19, pb::ANDROID, Transport::kWebSocket);
  EXPECT_EQ(waitForCloseStatus(*first, kPollTimeout), 501);
  EXPECT_TRUE(waitForSocketClose(*first));
  // The new session is the one that stays: it answers and gets messages.
  EXPECT_TRUE(stillConnected(*second));
  EXPECT_EQ(exchange(*sender, *second, 19, "to the new session"), 1);
  EXPECT_TRUE(waitForPresence(*sender, 19, {pb::ANDROID}));
}

TEST_P(ClusterTest, FlushAllHealsEverySessionWithoutDisconnectingAnyone) {
  auto alice = loggedIn(a(), 21);
  auto bob = loggedIn(b(), 22);
  auto carol_a = loggedIn(a(), 23, pb::IOS);
  auto carol_b = loggedIn(b(), 23, pb::ANDROID, Transport::kWebSocket);
  exchange(*alice, *bob, 22, "before 1");
  const int64_t before = exchange(*bob, *alice, 21, "before 2");
  ASSERT_GT(before, 0);

  nodes_->redis.flushAll();

  // From both nodes, everyone is back online on every device.
  for (auto* asker : {alice.get(), bob.get()}) {
    EXPECT_TRUE(waitForPresence(*asker, 21, {pb::DESKTOP}));
    EXPECT_TRUE(waitForPresence(*asker, 22, {pb::DESKTOP}));
    EXPECT_TRUE(waitForPresence(*asker, 23, {pb::IOS, pb::ANDROID}));
  }
  for (auto* client : {alice.get(), bob.get(), carol_a.get(), carol_b.get()}) {
    EXPECT_TRUE(stillConnected(*client));
  }
  // The lost counter continues from durable storage: never repeats, never goes back.
  const int64_t after = exchange(*alice, *bob, 22, "after");
  EXPECT_GT(after, before);
  EXPECT_GT(exchange(*bob, *alice, 21, "after 2"), after);
  // Pushes reach every node again.
  auto to_carol = sendPrivate(*alice, 23, "to both of carol's devices");
  ASSERT_EQ(to_carol.code(), 1000);
  EXPECT_TRUE(waitForMessage(*carol_a, to_carol.data().long_()).has_value());
  EXPECT_TRUE(waitForMessage(*carol_b, to_carol.data().long_()).has_value());
}

// ---- Pushes in the moments after Redis lost its data ----

// Default timing: after a FLUSHALL the nodes write their sessions back only at their next tick,
// up to 5 s later. A message sent in between is stored and acknowledged; its push must reach the
// recipient on the other node all the same (a Turms client does not pull on its own while
// connected). Then the same after the sender's node has had its tick and the recipient's not.
class PushAfterDataLossTest : public ::testing::TestWithParam<RedisTopologyKind> {};

INSTANTIATE_TEST_SUITE_P(Topologies, PushAfterDataLossTest,
                         ::testing::Values(RedisTopologyKind::kSingle, RedisTopologyKind::kSharded,
                                           RedisTopologyKind::kCluster),
                         topologyTestName);

TEST_P(PushAfterDataLossTest, ACrossNodePushRightAfterFlushAllIsDelivered) {
  const NodeTiming defaults{.heartbeat_millis = 5000, .stale_after_millis = 15000};
  TwoNodes nodes(GetParam(), 0, defaults);
  auto alice = loggedIn(*nodes.a, 11);
  auto bob = loggedIn(*nodes.b, 12);
  ASSERT_GT(exchange(*alice, *bob, 12, "before the flush"), 0);

  nodes.redis.flushAll();
  // At once: neither node has had its tick yet.
  auto sent = sendPrivate(*alice, 12, "right after the flush");
  ASSERT_EQ(sent.code(), 1000);
  EXPECT_TRUE(waitForMessage(*bob, sent.data().long_()).has_value())
      << "the push to a user of the other node was lost";
  // And the other way round.
  auto back = sendPrivate(*bob, 11, "right after the flush, from b");
  ASSERT_EQ(back.code(), 1000);
  EXPECT_TRUE(waitForMessage(*alice, back.data().long_()).has_value());

  // A few seconds on, a tick of one node has passed (it re-registered itself and found the
  // other's entries gone) while the other's may not have: still delivered.
  std::this_thread::sleep_for(2500ms);
  auto later = sendPrivate(*alice, 12, "a little later");
  ASSERT_EQ(later.code(), 1000);
  EXPECT_TRUE(waitForMessage(*bob, later.data().long_()).has_value());
  EXPECT_TRUE(stillConnected(*alice));
  EXPECT_TRUE(stillConnected(*bob));
  if (HasFailure()) std::cerr << nodes.a->log() << nodes.b->log();
}

// ---- A standalone Redis restarting without persistence ----

class RedisRestartTest : public ::testing::TestWithParam<RedisTopologyKind> {};

INSTANTIATE_TEST_SUITE_P(Standalone, RedisRestartTest,
                         ::testing::Values(RedisTopologyKind::kSingle, RedisTopologyKind::kSharded),
                         topologyTestName);

TEST_P(RedisRestartTest, RestartWithoutPersistenceHealsEverySessionWithoutDisconnecting) {
  TwoNodes nodes(GetParam());
  auto alice = loggedIn(*nodes.a, 11);
  auto bob = loggedIn(*nodes.b, 12);
  auto carol_a = loggedIn(*nodes.a, 13, pb::IOS);
  auto carol_b = loggedIn(*nodes.b, 13, pb::ANDROID);
  exchange(*alice, *bob, 12, "before 1");
  const int64_t before = exchange(*bob, *alice, 11, "before 2");
  ASSERT_GT(before, 0);

  nodes.redis.restartWithoutPersistence();

  for (auto* asker : {alice.get(), bob.get()}) {
    EXPECT_TRUE(waitForPresence(*asker, 11, {pb::DESKTOP}));
    EXPECT_TRUE(waitForPresence(*asker, 12, {pb::DESKTOP}));
    EXPECT_TRUE(waitForPresence(*asker, 13, {pb::IOS, pb::ANDROID}));
  }
  for (auto* client : {alice.get(), bob.get(), carol_a.get(), carol_b.get()}) {
    EXPECT_TRUE(stillConnected(*client));
  }
  const int64_t after = exchange(*alice, *bob, 12, "after");
  EXPECT_GT(after, before);
  auto to_carol = sendPrivate(*alice, 13, "to both of carol's devices");
  ASSERT_EQ(to_carol.code(), 1000);
  EXPECT_TRUE(waitForMessage(*carol_a, to_carol.data().long_()).has_value());
  EXPECT_TRUE(waitForMessage(*carol_b, to_carol.data().long_()).has_value());
  if (HasFailure()) std::cerr << nodes.a->log() << nodes.b->log();
}

// ---- A Redis Cluster primary replaced by its replica ----

// A sender and a recipient whose session entry and conversation counter are served by the same
// primary, so that one failover takes both: the entry is read from the promoted replica (or
// unreadable while the election runs) and the counter there was written by another server
// process.
struct FailoverPair {
  int64_t sender = 0;
  int64_t recipient = 0;
  uint16_t primary_port = 0;
};

FailoverPair findPairOnOnePrimary(const redis::testing::RedisClusterProcess& cluster) {
  for (int64_t recipient = 11; recipient <= kDemoUsers; ++recipient) {
    const uint16_t port = cluster.ownerOf(keySlot(redis_keys::session(recipient)));
    for (int64_t sender = 11; sender <= kDemoUsers; ++sender) {
      if (sender == recipient) continue;
      const auto conversation = ConversationKey::privateOf(sender, recipient);
      if (cluster.ownerOf(keySlot(redis_keys::sequence(conversation))) == port) {
        return {sender, recipient, port};
      }
    }
  }
  throw std::runtime_error("no demo users whose session and conversation share a primary");
}

// Messages sent while the primary dies, its slots go unserved and its replica takes over may be
// refused (1201: the client retries); every one acknowledged reaches the recipient on the other
// node, sequence ids stay above those handed out before, and nobody is disconnected.
TEST(ClusterFailover, APromotedReplicaLosesNoPushAndRepeatsNoSequenceId) {
  using redis::testing::RedisClusterOptions;
  using redis::testing::RedisClusterProcess;
  using redis::testing::RedisPersistence;
  RedisClusterProcess cluster(RedisClusterOptions{.primaries = 3,
                                                  .replicas_per_primary = 1,
                                                  .node_timeout_millis = 2000,
                                                  .persistence = RedisPersistence::kAppendOnly});
  std::string uris;
  for (const auto& uri : cluster.seedUris()) uris += (uris.empty() ? "" : ",") + uri;
  const FailoverPair pair = findPairOnOnePrimary(cluster);
  const std::string database = uniqueDatabaseName("failover");
  ParleyProcess a(nodeOptions("node-a", uris, database));
  ParleyProcess b(nodeOptions("node-b", uris, database));
  ASSERT_TRUE(waitUntilNodesSeeEachOther({&a, &b}));
  auto sender = loggedIn(a, pair.sender);
  auto recipient = loggedIn(b, pair.recipient);
  ASSERT_TRUE(waitForPresence(*sender, pair.recipient, {pb::DESKTOP}));
  int64_t before = 0;
  for (int i = 0; i < 3; ++i) before = exchange(*sender, *recipient, pair.recipient, "before");
  ASSERT_GT(before, 0);

  // The sender keeps sending through the failover, one message per 100 ms (bounded by `stop`).
  std::atomic<bool> stop{false};
  std::mutex acked_mutex;
  std::vector<int64_t> acked;
  int refused = 0;
  std::thread sending([&] {
    for (int i = 0; !stop && i < 600; ++i) {
      auto sent =
          sendPrivate(*sender, pair.recipient, "during the failover " + std::to_string(i), 10s);
      std::lock_guard lock(acked_mutex);
      if (sent.code() == 1000) {
        acked.push_back(sent.data().long_());
      } else {
        ++refused;
      }
      std::this_thread::sleep_for(100ms);
    }
  });
  size_t victim = cluster.size();
  for (const size_t index : cluster.primaryIndexes()) {
    if (cluster.node(index).port() == pair.primary_port) victim = index;
  }
  ASSERT_LT(victim, cluster.size());
  try {
    cluster.killPrimaryAndAwaitFailover(victim);
  } catch (...) {
    stop = true;
    sending.join();
    throw;
  }
  // Past the heal window: the sessions are back in the promoted replica.
  std::this_thread::sleep_for(3s);
  stop = true;
  sending.join();

  std::lock_guard lock(acked_mutex);
  EXPECT_FALSE(acked.empty()) << refused << " refused, none acknowledged";
  int64_t last = before;
  for (const int64_t id : acked) {
    auto push = waitForMessage(*recipient, id);
    if (!push) {
      ADD_FAILURE() << "message " << id << " was acknowledged but never pushed";
      continue;
    }
    const int64_t sequence_id = sequenceIdOf(*push);
    EXPECT_GT(sequence_id, last) << "message " << id;
    last = std::max(last, sequence_id);
  }
  EXPECT_TRUE(waitForPresence(*sender, pair.recipient, {pb::DESKTOP}));
  EXPECT_TRUE(waitForPresence(*recipient, pair.sender, {pb::DESKTOP}));
  EXPECT_GT(exchange(*sender, *recipient, pair.recipient, "after the failover"), last);
  EXPECT_TRUE(stillConnected(*sender));
  EXPECT_TRUE(stillConnected(*recipient));
  if (HasFailure()) std::cerr << a.log() << b.log();
}

// ---- A node that just joined ----

// Another node learns of a new one only at its next heartbeat tick (every 5 s by default). A user
// may log in on the new node and be written to at once: pushes to that user must not be
// lost meanwhile, and the user must not look offline. Default timing, so the window is wide.
TEST(ClusterNodeJoin, UsersOfANodeThatJustJoinedGetPushesAndShowOnlineAtOnce) {
  RedisTopology redis(RedisTopologyKind::kSingle);
  const std::string database = uniqueDatabaseName("join");
  const NodeTiming defaults{.heartbeat_millis = 5000, .stale_after_millis = 15000};
  ParleyProcess a(nodeOptions("node-a", redis.sessionUris(), database, defaults));
  auto alice = loggedIn(a, 11);
  ParleyProcess b(nodeOptions("node-b", redis.sessionUris(), database, defaults));
  auto bob = loggedIn(b, 12);
  // Bob's login has completed: he is online, whichever node asks.
  auto presence = presenceOf(*alice, 12);
  ASSERT_TRUE(presence.has_value());
  EXPECT_NE(presence->status, pb::OFFLINE) << "a user of the new node shows offline";
  auto sent = sendPrivate(*alice, 12, "welcome to the new node");
  ASSERT_EQ(sent.code(), 1000);
  EXPECT_TRUE(waitForMessage(*bob, sent.data().long_()).has_value())
      << "the push to a user of the new node was lost";
  if (HasFailure()) std::cerr << a.log() << b.log();
}

// ---- RPC authentication ----

// A process that shares the Redis but not the cluster.secret is no member: the nodes refuse each
// other's RPC connections (its "node joined" announcement at start included), on both ends, each
// with a log line and a count.
TEST(ClusterRpcAuth, ANodeWithAnotherSecretIsRefusedBothWays) {
  RedisTopology redis(RedisTopologyKind::kSingle);
  const std::string database = uniqueDatabaseName("rpcauth");
  ParleyProcess a(nodeOptions("node-a", redis.sessionUris(), database));
  auto outsider_options = nodeOptions("node-x", redis.sessionUris(), database);
  outsider_options.extra_args.push_back("--cluster-secret=another-secret-of-the-right-size");
  ParleyProcess outsider(outsider_options);
  EXPECT_TRUE(eventually(
      [&] { return metricValue(a.adminPort(), "parley_rpc_auth_failures_total") >= 1; }));
  EXPECT_TRUE(eventually(
      [&] { return metricValue(outsider.adminPort(), "parley_rpc_auth_failures_total") >= 1; }));
  EXPECT_NE(a.log().find("refusing the connection from"), std::string::npos);
  EXPECT_NE(outsider.log().find("handshake failed"), std::string::npos);
  // The secret itself is never logged.
  EXPECT_EQ(a.log().find(ParleyProcess::kClusterSecret), std::string::npos);
  if (HasFailure()) std::cerr << a.log() << outsider.log();
}

// ---- A node killed with SIGKILL ----

// A node stopped with SIGTERM removes every session it held from Redis before it exits, so other
// nodes show those users offline at once (not after the session TTL). (With thousands of sessions
// the removals used to outlast the shutdown wait and then time out one by one once the io threads
// had stopped — minutes, entries left behind; bench/cluster_idle.sh showed it. This small case
// checks the outcome, not that load.)
TEST(ClusterGracefulStop, EverySessionIsUnregisteredBeforeTheNodeExits) {
  TwoNodes nodes(RedisTopologyKind::kSingle);
  std::vector<std::unique_ptr<TurmsClient>> clients;
  for (int64_t user = 1; user <= 20; ++user) clients.push_back(loggedIn(*nodes.b, user));
  auto sessionKeys = [&] {
    auto keys = redis::testing::syncCommand(nodes.redis.ports().front(), {"KEYS", "im:sess:*"});
    return keys.elements.size();
  };
  ASSERT_EQ(sessionKeys(), 20u);
  EXPECT_EQ(nodes.b->terminate(), 0) << nodes.b->log();
  EXPECT_EQ(sessionKeys(), 0u) << nodes.b->log();
  EXPECT_EQ(nodes.b->log().find("could not unregister"), std::string::npos) << nodes.b->log();
  EXPECT_EQ(nodes.a->terminate(), 0) << nodes.a->log();
}

TEST(ClusterNodeDeath, UsersOfADeadNodeLogInElsewhereAndPullWhatTheyMissed) {
  TwoNodes nodes(RedisTopologyKind::kSingle);
  auto alice = loggedIn(*nodes.a, 11);
  auto bob = loggedIn(*nodes.b, 12);
  std::vector<int64_t> acknowledged;
  auto send = [&](const std::string& text) {
    auto sent = sendPrivate(*alice, 12, text);
    ASSERT_EQ(sent.code(), 1000) << text;
    acknowledged.push_back(sent.data().long_());
  };
  send("before the crash");
  ASSERT_TRUE(waitForMessage(*bob, acknowledged.back()).has_value());

  nodes.b->kill9();
  // Bob's entry still points at the dead node: sends must not fail because of it.
  send("while bob's node is dead 1");
  send("while bob's node is dead 2");

  // Bob reconnects to A with the same device type, as a client does after losing its node.
  auto bob_again = loggedIn(*nodes.a, 12);
  send("after bob moved");
  ASSERT_TRUE(waitForMessage(*bob_again, acknowledged.back()).has_value())
      << "no push to bob's new session";
  EXPECT_TRUE(waitForPresence(*alice, 12, {pb::DESKTOP}));

  auto pulled = queryMessages(*bob_again, false, {11});
  std::vector<int64_t> pulled_ids;
  int64_t last_sequence_id = 0;
  for (const auto& message : pulled) {
    pulled_ids.push_back(message.id());
    EXPECT_GT(message.sequence_id(), last_sequence_id);
    last_sequence_id = message.sequence_id();
  }
  EXPECT_EQ(pulled_ids, acknowledged) << "an acknowledged message is missing or out of order";
  if (HasFailure()) std::cerr << nodes.a->log();
}

// ---- Redis down and back ----

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

TEST(ClusterRedisOutage, LoginsAndSendsFailClearlyNodesStayUpServiceReturns) {
  TwoNodes nodes(RedisTopologyKind::kSingle);
  auto alice = loggedIn(*nodes.a, 11);
  auto bob = loggedIn(*nodes.b, 12);
  const int64_t before = exchange(*alice, *bob, 12, "before the outage");
  ASSERT_GT(before, 0);

  nodes.redis.stop();

  auto newcomer = connectTo(*nodes.a, Transport::kTcp);
  EXPECT_EQ(newcomer->login(13, "123", pb::DESKTOP, 15s).code(), 1201);
  const int sent_code = sendPrivate(*alice, 12, "during the outage", 15s).code();
  EXPECT_TRUE(sent_code >= 1200 && sent_code < 1300)
      << "a send while Redis is down answered " << sent_code;
  // The operator reads about the outage once, not once per failed request.
  EXPECT_EQ(newcomer->login(13, "123", pb::DESKTOP, 15s).code(), 1201);
  EXPECT_EQ(occurrences(nodes.a->log(), "requests fail with SERVER_UNAVAILABLE"), 1)
      << nodes.a->log();
  EXPECT_TRUE(isRunning(nodes.a->pid())) << nodes.a->log();
  EXPECT_TRUE(isRunning(nodes.b->pid())) << nodes.b->log();
  // Logged-in sessions outlive the outage.
  EXPECT_TRUE(stillConnected(*alice));
  EXPECT_TRUE(stillConnected(*bob));

  nodes.redis.start();

  // Logins work again (each attempt on a fresh connection: a failed login may leave the
  // connection to the login timeout).
  std::unique_ptr<TurmsClient> dave;
  const auto deadline = SteadyClock::now() + 20s;
  while (!dave && SteadyClock::now() < deadline) {
    auto client = connectTo(*nodes.b, Transport::kTcp);
    if (client->login(14, "123", pb::DESKTOP, 10s).code() == 1000) {
      dave = std::move(client);
    } else {
      std::this_thread::sleep_for(200ms);
    }
  }
  ASSERT_TRUE(dave) << "no login succeeded after Redis came back\n" << nodes.b->log();
  // Sends are acknowledged again. One acknowledged before the sessions are back in Redis may
  // find no recipient session to push to; it is pulled below.
  int sent = 0;
  int64_t first_after = 0;
  while (SteadyClock::now() < deadline) {
    auto response = sendPrivate(*alice, 12, "after the outage");
    sent = response.code();
    if (sent == 1000) {
      first_after = response.data().long_();
      break;
    }
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_EQ(sent, 1000) << nodes.a->log();
  // Within a few ticks every session is back: presence from both nodes, pushes across nodes.
  EXPECT_TRUE(waitForPresence(*alice, 12, {pb::DESKTOP}));
  EXPECT_TRUE(waitForPresence(*dave, 11, {pb::DESKTOP}));
  EXPECT_TRUE(stillConnected(*alice));
  EXPECT_TRUE(stillConnected(*bob));
  EXPECT_GT(exchange(*alice, *bob, 12, "after the sessions are back"), before);
  EXPECT_GT(exchange(*alice, *dave, 14, "to the newcomer"), 0);
  bool pulled = false;
  for (const auto& message : queryMessages(*bob, false, {11})) {
    pulled = pulled || message.id() == first_after;
  }
  EXPECT_TRUE(pulled) << "the first message acknowledged after the outage is missing";
  if (HasFailure()) std::cerr << nodes.a->log() << nodes.b->log();
}

// ---- Growing from two shards to three ----

// Two users whose private conversation and one of whose sessions move to the new third shard,
// so that the test really exercises data that is not where it used to be.
struct MovingPair {
  int64_t mover = 0;  // the session moves from shard 0 or 1 to shard 2
  int64_t other = 0;  // the conversation {mover, other} moves to shard 2 too
};

MovingPair findMovingPair() {
  const ShardingAlgorithm two(2);
  const ShardingAlgorithm three(3);
  for (int64_t mover = 11; mover <= kDemoUsers; ++mover) {
    if (three.shardOfUser(mover) != 2) continue;
    for (int64_t other = 11; other <= kDemoUsers; ++other) {
      if (other != mover && three.shardOfPrivateConversation(mover, other) == 2 &&
          two.shardOfPrivateConversation(mover, other) != 2) {
        return {mover, other};
      }
    }
  }
  throw std::runtime_error("no demo users whose data moves to the third shard");
}

TEST(ClusterShardChange, AddingAShardKeepsPresenceAndSequenceIds) {
  const MovingPair pair = findMovingPair();
  // Another pair, whatever its shards: moved or not, its counter must keep increasing too.
  std::vector<int64_t> rest;
  for (int64_t user = 11; user <= kDemoUsers && rest.size() < 2; ++user) {
    if (user != pair.mover && user != pair.other) rest.push_back(user);
  }
  const int64_t x = rest[0];
  const int64_t y = rest[1];
  TwoNodes nodes(RedisTopologyKind::kSharded, /*servers_used=*/2);
  int64_t last_moved = 0;
  int64_t last_other = 0;
  {
    auto mover = loggedIn(*nodes.a, pair.mover);
    auto other = loggedIn(*nodes.b, pair.other);
    auto cx = loggedIn(*nodes.a, x);
    auto cy = loggedIn(*nodes.b, y);
    EXPECT_TRUE(waitForPresence(*other, pair.mover, {pb::DESKTOP}));
    exchange(*mover, *other, pair.other, "two shards 1");
    last_moved = exchange(*other, *mover, pair.mover, "two shards 2");
    last_other = exchange(*cx, *cy, y, "two shards 3");
    ASSERT_GT(last_moved, 0);
    ASSERT_GT(last_other, 0);
  }
  nodes.stopNodes();
  nodes.startNodes(nodes.redis.sessionUris());

  auto mover = loggedIn(*nodes.b, pair.mover);  // and on the other node this time
  auto other = loggedIn(*nodes.a, pair.other);
  auto cx = loggedIn(*nodes.b, x);
  auto cy = loggedIn(*nodes.a, y);
  EXPECT_TRUE(waitForPresence(*other, pair.mover, {pb::DESKTOP}));
  EXPECT_TRUE(waitForPresence(*mover, pair.other, {pb::DESKTOP}));
  EXPECT_TRUE(waitForPresence(*cy, x, {pb::DESKTOP}));
  EXPECT_GT(exchange(*mover, *other, pair.other, "three shards 1"), last_moved);
  EXPECT_GT(exchange(*cx, *cy, y, "three shards 2"), last_other);
  mover->close();
  EXPECT_TRUE(waitForPresence(*other, pair.mover, {}));
  if (HasFailure()) std::cerr << nodes.a->log() << nodes.b->log();
}

}  // namespace
}  // namespace parley::testing
