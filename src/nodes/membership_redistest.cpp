// Membership against real redis-server processes (ctest label `redis`), on a single server and on
// standalone shards: nodes see each other, a live duplicate id is refused, a silent node drops
// out, a FLUSHALL is healed by the next heartbeat, and an outage keeps the last view.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "nodes/membership.h"
#include "online/redis_keys.h"
#include "online/redis_test_deployment.h"
#include "testing/eventually.h"
#include "testing/manual_clock.h"

namespace parley::nodes {
namespace {

using namespace std::chrono_literals;
using parley::testing::RedisTestDeployment;
using parley::testing::TestTopology;

constexpr int64_t kStart = 1'700'000'000'000;

class MembershipTest : public ::testing::TestWithParam<TestTopology> {
 protected:
  MembershipTest() : redis_(GetParam()), clock_(kStart) {}
  void SetUp() override { ASSERT_TRUE(redis_.ok()); }

  std::unique_ptr<Membership> node(const std::string& id, uint16_t port) {
    return std::make_unique<Membership>(redis_.redis(), NodeInfo{id, "127.0.0.1", port, kStart, 0},
                                        options_, clock_);
  }
  // Joining right after the servers start may race the clients' first connect.
  static void joinEventually(Membership& membership) {
    VoidResult joined;
    ASSERT_TRUE(parley::testing::eventually([&] {
      joined = membership.join();
      return joined.ok() || joined.status().code == StatusCode::kIllegalArgument;
    }));
    ASSERT_TRUE(joined.ok()) << joined.status().reason;
  }
  // Nodes a (port 7001) and b (port 7002), both joined; call through ASSERT_NO_FATAL_FAILURE.
  void joinAAndB() {
    a_ = node("a", 7001);
    b_ = node("b", 7002);
    joinEventually(*a_);
    joinEventually(*b_);
  }

  RedisTestDeployment redis_;
  parley::testing::ManualClock clock_;
  MembershipOptions options_{1000ms, 3000ms};
  std::unique_ptr<Membership> a_;
  std::unique_ptr<Membership> b_;
};

TEST_P(MembershipTest, TwoNodesSeeEachOther) {
  auto a = node("a", 7001);
  auto b = node("b", 7002);
  joinEventually(*a);
  EXPECT_TRUE(a->alone());
  joinEventually(*b);
  EXPECT_FALSE(b->alone());
  ASSERT_TRUE(a->heartbeat().ok());
  EXPECT_FALSE(a->alone());
  EXPECT_TRUE(a->isAlive("b"));
  auto found = a->find("b");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->rpc_host, "127.0.0.1");
  EXPECT_EQ(found->rpc_port, 7002);
  EXPECT_EQ(found->started_at_millis, kStart);
  EXPECT_EQ(found->heartbeat_millis, kStart);
  auto live = a->liveNodes();
  ASSERT_EQ(live.size(), 2u);
  EXPECT_EQ(live[0].id, "a");
  EXPECT_EQ(live[1].id, "b");
  EXPECT_FALSE(a->isAlive("c"));
}

TEST_P(MembershipTest, JoinWithTheIdOfALiveNodeFails) {
  auto a = node("a", 7001);
  joinEventually(*a);
  auto impostor = node("a", 7009);
  auto joined = impostor->join();
  ASSERT_FALSE(joined.ok());
  EXPECT_EQ(joined.status().code, StatusCode::kIllegalArgument);
  EXPECT_NE(joined.status().reason.find("node id a is in use"), std::string::npos)
      << joined.status().reason;
  EXPECT_NE(joined.status().reason.find("127.0.0.1:7001"), std::string::npos);
  // The holder's own retry is not a duplicate.
  EXPECT_TRUE(a->join().ok());
  // Once the holder has gone silent past stale_after, the id is free again.
  clock_.advance(options_.stale_after.count() + 1);
  EXPECT_TRUE(impostor->join().ok());
}

TEST_P(MembershipTest, ANodeThatStopsHeartbeatingDropsOut) {
  ASSERT_NO_FATAL_FAILURE(joinAAndB());
  ASSERT_TRUE(a_->heartbeat().ok());
  ASSERT_TRUE(a_->isAlive("b"));
  // a keeps beating every interval; b has stopped.
  for (int64_t waited = 0; waited <= options_.stale_after.count();
       waited += options_.heartbeat_interval.count()) {
    clock_.advance(options_.heartbeat_interval.count());
    ASSERT_TRUE(a_->heartbeat().ok());
  }
  EXPECT_FALSE(a_->isAlive("b"));
  EXPECT_TRUE(a_->alone());
  EXPECT_FALSE(a_->find("b").has_value());  // pruned from Redis, so gone from the view
  auto score =
      redis_.redis().commandSync(redis_keys::nodes(), {"ZSCORE", redis_keys::nodes(), "b"});
  ASSERT_TRUE(score.ok());
  EXPECT_TRUE(score->isNull());
}

// This node's heartbeat is late (its call still waits for a slow Redis): the peers are judged as
// of when it was due, not aged out by the wait, until a heartbeat reads Redis again.
TEST_P(MembershipTest, ALateHeartbeatDoesNotAgeThePeersOut) {
  ASSERT_NO_FATAL_FAILURE(joinAAndB());
  ASSERT_TRUE(a_->heartbeat().ok());
  clock_.advance(options_.stale_after.count() + 1);
  EXPECT_TRUE(a_->isAlive("b"));
  EXPECT_FALSE(a_->alone());
  EXPECT_EQ(a_->liveNodes().size(), 2u);
  // b has written no sessions since it started: a loss after that is not healed while b counts.
  a_->noteSessionsWritten(clock_.nowMillis());
  EXPECT_FALSE(a_->allSessionsWrittenSince(kStart + 1));
  // The heartbeat that reads Redis again finds b silent all along.
  ASSERT_TRUE(a_->heartbeat().ok());
  EXPECT_FALSE(a_->isAlive("b"));
  EXPECT_TRUE(a_->alone());
}

TEST_P(MembershipTest, LeaveRemovesTheNodeAtOnce) {
  ASSERT_NO_FATAL_FAILURE(joinAAndB());
  b_->leave();
  ASSERT_TRUE(a_->heartbeat().ok());
  EXPECT_FALSE(a_->isAlive("b"));
  auto details =
      redis_.redis().commandSync(redis_keys::node("b"), {"EXISTS", redis_keys::node("b")});
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->integer, 0);
}

TEST_P(MembershipTest, FlushAllIsHealedByTheNextHeartbeat) {
  ASSERT_NO_FATAL_FAILURE(joinAAndB());
  redis_.flushAll();
  ASSERT_TRUE(b_->heartbeat().ok());
  ASSERT_TRUE(a_->heartbeat().ok());
  EXPECT_TRUE(a_->isAlive("b"));
  ASSERT_TRUE(b_->heartbeat().ok());
  EXPECT_TRUE(b_->isAlive("a"));
  auto details =
      redis_.redis().commandSync(redis_keys::node("a"), {"HGET", redis_keys::node("a"), "port"});
  ASSERT_TRUE(details.ok());
  EXPECT_EQ(details->str, "7001");
}

// After a FLUSHALL the first node to beat finds its own entry gone: that is Redis losing data,
// not every other node leaving. Pushes to the others' users must go on until they beat again.
TEST_P(MembershipTest, AFlushDoesNotMakeTheOtherNodesLookDead) {
  ASSERT_NO_FATAL_FAILURE(joinAAndB());
  ASSERT_TRUE(a_->heartbeat().ok());
  ASSERT_TRUE(a_->isAlive("b"));
  redis_.flushAll();
  clock_.advance(options_.heartbeat_interval.count());
  ASSERT_TRUE(a_->heartbeat().ok());  // before b's next beat
  EXPECT_TRUE(a_->isAlive("b")) << "b declared dead because Redis lost its entry";
  EXPECT_FALSE(a_->alone());
  // b really is gone (it never beats again): it ages out all the same.
  for (int64_t waited = 0; waited <= options_.stale_after.count();
       waited += options_.heartbeat_interval.count()) {
    clock_.advance(options_.heartbeat_interval.count());
    ASSERT_TRUE(a_->heartbeat().ok());
  }
  EXPECT_FALSE(a_->isAlive("b"));
}

TEST_P(MembershipTest, APeerMissingFromRedisButReachableStaysLive) {
  ASSERT_NO_FATAL_FAILURE(joinAAndB());
  bool reachable = true;
  a_->setReachability([&](std::string_view node) { return node == "b" && reachable; });
  ASSERT_TRUE(a_->heartbeat().ok());
  // b's entry alone is lost (a shard or slot of its own lost data).
  ASSERT_TRUE(
      redis_.redis().commandSync(redis_keys::nodes(), {"ZREM", redis_keys::nodes(), "b"}).ok());
  ASSERT_TRUE(a_->heartbeat().ok());
  EXPECT_TRUE(a_->isAlive("b"));
  reachable = false;
  ASSERT_TRUE(a_->heartbeat().ok());
  EXPECT_FALSE(a_->isAlive("b"));
}

TEST_P(MembershipTest, ConfirmAliveLooksUpANodeTheViewDoesNotHold) {
  auto a = node("a", 7001);
  joinEventually(*a);
  auto b = node("b", 7002);
  joinEventually(*b);  // a has not beaten since: its view does not hold b
  ASSERT_FALSE(a->isAlive("b"));
  EXPECT_TRUE(a->confirmAlive("b"));
  EXPECT_TRUE(a->isAlive("b"));
  ASSERT_TRUE(a->find("b").has_value());
  EXPECT_EQ(a->find("b")->rpc_port, 7002);
  EXPECT_FALSE(a->confirmAlive("ghost"));
  EXPECT_FALSE(a->isAlive("ghost"));
}

TEST_P(MembershipTest, AnOutageKeepsTheViewOfTheLastHeartbeatThatWorked) {
  ASSERT_NO_FATAL_FAILURE(joinAAndB());
  ASSERT_TRUE(a_->heartbeat().ok());
  redis_.stopAll();
  auto failed = a_->heartbeat();
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(a_->isAlive("b"));
  // Longer than stale_after: b could not heartbeat either, so it is not judged by that.
  clock_.advance(options_.stale_after.count() + 1);
  EXPECT_TRUE(a_->isAlive("b"));
  EXPECT_FALSE(a_->alone());
  redis_.startAll();
  // The restarted servers are empty. a beats first: b is not in Redis, yet stays live.
  ASSERT_TRUE(parley::testing::eventually([&] { return a_->heartbeat().ok(); }));
  EXPECT_TRUE(a_->isAlive("b"));
  ASSERT_TRUE(parley::testing::eventually([&] { return b_->heartbeat().ok(); }));
  EXPECT_TRUE(b_->isAlive("a"));
  ASSERT_TRUE(a_->heartbeat().ok());
  EXPECT_TRUE(a_->isAlive("b"));
  // b gone for good (no heartbeat, no leave): a drops it once stale by its own clock.
  clock_.advance(options_.stale_after.count() + 1);
  ASSERT_TRUE(a_->heartbeat().ok());
  EXPECT_FALSE(a_->isAlive("b"));
}

INSTANTIATE_TEST_SUITE_P(Topologies, MembershipTest,
                         ::testing::ValuesIn(parley::testing::testTopologies()),
                         parley::testing::topologyName);

}  // namespace
}  // namespace parley::nodes
