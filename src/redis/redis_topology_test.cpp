// RedisDeployment without servers: which topology a URI list means, what validate() rejects, and
// which standalone shard each kind of key lands on.
#include <gtest/gtest.h>

#include <set>

#include "online/redis_keys.h"
#include "redis/redis_deployment.h"
#include "redis/redis_topology.h"
#include "redis/sharding_algorithm.h"

namespace parley::redis {
namespace {

Result<DeploymentPlan> plan(std::vector<std::string> uris) { return planDeployment(uris); }

std::string rejection(std::vector<std::string> uris) {
  auto result = RedisDeployment::validate(uris);
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code, StatusCode::kIllegalArgument);
  return result.status().reason;
}

TEST(RedisTopologyTest, OneUriIsSingle) {
  auto single = plan({"redis://:pw@10.0.0.1:6380/2"});
  ASSERT_TRUE(single.ok()) << single.status().reason;
  EXPECT_EQ(single->topology, RedisTopology::kSingle);
  ASSERT_EQ(single->servers.size(), 1u);
  EXPECT_EQ(single->servers[0].password, "pw");
  EXPECT_EQ(single->servers[0].db, 2);
}

TEST(RedisTopologyTest, SeveralUrisAreShardsInOrder) {
  auto sharded = plan({"redis://b:1", "redis://a:2", "redis://c:3/1"});
  ASSERT_TRUE(sharded.ok()) << sharded.status().reason;
  EXPECT_EQ(sharded->topology, RedisTopology::kSharded);
  ASSERT_EQ(sharded->servers.size(), 3u);
  EXPECT_EQ(sharded->servers[0].host, "b");
  EXPECT_EQ(sharded->servers[1].host, "a");
  EXPECT_EQ(sharded->servers[2].db, 1);
  // The same server with another db is another shard.
  EXPECT_TRUE(plan({"redis://a:1/0", "redis://a:1/1"}).ok());
}

TEST(RedisTopologyTest, ClusterSeeds) {
  auto one = plan({"redis+cluster://user:pw@seed:7000"});
  ASSERT_TRUE(one.ok()) << one.status().reason;
  EXPECT_EQ(one->topology, RedisTopology::kCluster);
  EXPECT_EQ(one->servers[0].host, "seed");
  EXPECT_EQ(one->servers[0].port, 7000);
  EXPECT_EQ(one->servers[0].username, "user");
  EXPECT_EQ(one->servers[0].password, "pw");
  auto tls = plan({"rediss+cluster://seed:7000"});
  ASSERT_TRUE(tls.ok()) << tls.status().reason;
  EXPECT_EQ(tls->topology, RedisTopology::kCluster);
  EXPECT_TRUE(tls->servers[0].tls);
  EXPECT_FALSE(one->servers[0].tls);
  auto two = plan({"redis+cluster://a:7000", "redis+cluster://b"});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->topology, RedisTopology::kCluster);
  EXPECT_EQ(two->servers[1].port, 6379);
}

TEST(RedisTopologyTest, ValidateRejectsBadListsClearly) {
  EXPECT_NE(rejection({}).find("none configured"), std::string::npos);
  EXPECT_NE(rejection({"redis://a:1", "redis+cluster://b:2"}).find("cannot be mixed"),
            std::string::npos);
  EXPECT_NE(rejection({"redis+cluster://b:2", "redis://a:1"}).find("cannot be mixed"),
            std::string::npos);
  EXPECT_NE(rejection({"redis+cluster://b:2/1"}).find("no database"), std::string::npos);
  EXPECT_NE(rejection({"redis://a:1", "redis://a:1/0"}).find("listed twice"), std::string::npos);
  EXPECT_NE(rejection({"http://a:1"}).find("URI #1"), std::string::npos);
  const std::string bad_port = rejection({"redis://a:1", "redis://:hunter2@b:99999"});
  EXPECT_NE(bad_port.find("URI #2"), std::string::npos) << bad_port;
  EXPECT_NE(bad_port.find("port"), std::string::npos) << bad_port;
  // Never the password.
  EXPECT_EQ(bad_port.find("hunter2"), std::string::npos) << bad_port;
  EXPECT_NE(bad_port.find("redis://***@b:99999"), std::string::npos) << bad_port;
  EXPECT_NE(rejection({"rediss://a:1", "rediss+cluster://b:2"}).find("cannot be mixed"),
            std::string::npos);
  EXPECT_TRUE(RedisDeployment::validate(std::vector<std::string>{"rediss://a:1"}).ok());
  EXPECT_TRUE(RedisDeployment::validate(std::vector<std::string>{"redis://a:1"}).ok());
}

TEST(RedisTopologyTest, RedactUri) {
  EXPECT_EQ(redactUri("redis://u:p@h:1/2"), "redis://***@h:1/2");
  EXPECT_EQ(redactUri("redis://h:1"), "redis://h:1");
  EXPECT_EQ(redactUri("redis+cluster://:p@h"), "redis+cluster://***@h");
}

TEST(RedisTopologyTest, KeysRouteByTheirTag) {
  const ShardingAlgorithm sharding(5);
  std::set<int32_t> used;
  for (int64_t id : {int64_t{1}, int64_t{42}, int64_t{-7}, int64_t{1} << 40, INT64_MAX}) {
    EXPECT_EQ(shardOfKey(redis_keys::session(id), sharding), sharding.shardOfUser(id));
    EXPECT_EQ(shardOfKey(redis_keys::groupSequence(id), sharding), sharding.shardOfGroup(id));
    EXPECT_EQ(shardOfKey(redis_keys::privateSequence(id, 99), sharding),
              sharding.shardOfPrivateConversation(id, 99));
    EXPECT_EQ(shardOfKey("anything:{u:" + std::to_string(id) + "}:suffix", sharding),
              sharding.shardOfUser(id));
    used.insert(sharding.shardOfUser(id));
  }
  EXPECT_GT(used.size(), 1u);
  for (int64_t id = 0; id < 200; ++id) {
    EXPECT_EQ(shardOfKey(redis_keys::session(id), sharding), sharding.shardOfUser(id));
  }
}

TEST(RedisTopologyTest, VerificationEntriesSpreadByTheirDigest) {
  const ShardingAlgorithm sharding(5);
  std::set<int32_t> used;
  for (int i = 0; i < 64; ++i) {
    VerificationDigest digest{};
    digest[0] = static_cast<unsigned char>(i * 37);
    digest[7] = static_cast<unsigned char>(i);
    const std::string key = redis_keys::verifiedPassword(digest);
    uint64_t prefix = 0;
    for (int b = 0; b < 8; ++b) prefix = (prefix << 8) | digest[b];
    EXPECT_EQ(shardOfKey(key, sharding), sharding.shardOfVerification(prefix)) << key;
    used.insert(shardOfKey(key, sharding));
  }
  EXPECT_EQ(used.size(), 5u);
  EXPECT_EQ(shardOfKey("{v:0123456789ABCDEF}", sharding), 0);  // upper case is not the format
  EXPECT_EQ(shardOfKey("{v:0123456789abcde}", sharding), 0);   // too short
  EXPECT_EQ(shardOfKey("{v:0123456789abcdef0}", sharding), 0);
}

TEST(RedisTopologyTest, LocationBucketsNameTheirShard) {
  const ShardingAlgorithm sharding(3);
  for (int32_t bucket = 0; bucket < 3; ++bucket) {
    EXPECT_EQ(shardOfKey(redis_keys::locations(bucket), sharding), bucket);
    EXPECT_EQ(shardOfKey(redis_keys::locationWriters(bucket), sharding), bucket);
    EXPECT_EQ(shardOfKey(redis_keys::locationMarks(bucket), sharding), bucket);
  }
  EXPECT_EQ(shardOfKey(redis_keys::locations(7), sharding), 1);  // modulo the shard count
  EXPECT_EQ(shardOfKey("{l:-2}", sharding), 0);
}

TEST(RedisTopologyTest, OtherKeysLiveOnShardZero) {
  const ShardingAlgorithm sharding(7);
  // Chosen so that the id's own shard is not 0: the fallback is visible.
  int64_t user = 0;
  while (sharding.shardOfUser(user) == 0) ++user;
  const std::string id = std::to_string(user);
  EXPECT_EQ(shardOfKey(redis_keys::nodes(), sharding), 0);
  EXPECT_EQ(shardOfKey(redis_keys::node("node-1"), sharding), 0);
  EXPECT_EQ(shardOfKey("u:" + id, sharding), 0);           // no tag
  EXPECT_EQ(shardOfKey("{}{u:" + id + "}", sharding), 0);  // the empty first tag counts
  EXPECT_EQ(shardOfKey("{x:" + id + "}", sharding), 0);    // unknown kind
  EXPECT_EQ(shardOfKey("{u:" + id + "x}", sharding), 0);   // not a number
  EXPECT_EQ(shardOfKey("{u:}", sharding), 0);
  EXPECT_EQ(shardOfKey("{u:99999999999999999999}", sharding), 0);  // out of range
  EXPECT_EQ(shardOfKey("{p:" + id + "}", sharding), 0);            // one id only
  EXPECT_EQ(shardOfKey("{p:1:x}", sharding), 0);
  EXPECT_EQ(shardOfKey("", sharding), 0);
  EXPECT_EQ(shardOfKey("{u:" + id + "}", sharding), sharding.shardOfUser(user));
}

}  // namespace
}  // namespace parley::redis
