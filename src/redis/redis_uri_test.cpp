// Hermetic parts of the client: URI parsing and script hashing. The client itself is tested
// against a real redis-server in redis_client_redistest.cpp.
#include <gtest/gtest.h>

#include "redis/redis_client.h"

namespace parley::redis {
namespace {

TEST(RedisUriTest, HostPortDb) {
  auto uri = parseRedisUri("redis://10.0.0.7:6380/3");
  ASSERT_TRUE(uri.ok()) << uri.status().reason;
  EXPECT_EQ(uri->host, "10.0.0.7");
  EXPECT_EQ(uri->port, 6380);
  EXPECT_EQ(uri->db, 3);
  EXPECT_TRUE(uri->password.empty());
  EXPECT_EQ(uri->display(), "10.0.0.7:6380/3");
}

TEST(RedisUriTest, Defaults) {
  auto uri = parseRedisUri("redis://cache");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->host, "cache");
  EXPECT_EQ(uri->port, 6379);
  EXPECT_EQ(uri->db, 0);
  EXPECT_TRUE(parseRedisUri("redis://cache/").ok());
}

TEST(RedisUriTest, Passwords) {
  auto plain = parseRedisUri("redis://:s3cret@h:1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->password, "s3cret");
  EXPECT_TRUE(plain->username.empty());
  auto bare = parseRedisUri("redis://s3cret@h");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->password, "s3cret");
  auto acl = parseRedisUri("redis://alice:p%40ss%3Aw@h");
  ASSERT_TRUE(acl.ok());
  EXPECT_EQ(acl->username, "alice");
  EXPECT_EQ(acl->password, "p@ss:w");
  // An unencoded '@' in the password: the last '@' ends the user info.
  auto at = parseRedisUri("redis://:a@b@h:2");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->password, "a@b");
  EXPECT_EQ(at->host, "h");
  EXPECT_EQ(at->display(), "h:2/0");  // never the password
}

TEST(RedisUriTest, Ipv6) {
  auto uri = parseRedisUri("redis://[::1]:7000/1");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->host, "::1");
  EXPECT_EQ(uri->port, 7000);
  EXPECT_EQ(uri->display(), "[::1]:7000/1");
}

TEST(RedisUriTest, RedissIsTheSameOverTls) {
  auto uri = parseRedisUri("rediss://:pw@cache.internal:6380/2");
  ASSERT_TRUE(uri.ok()) << uri.status().reason;
  EXPECT_TRUE(uri->tls);
  EXPECT_EQ(uri->host, "cache.internal");
  EXPECT_EQ(uri->port, 6380);
  EXPECT_EQ(uri->password, "pw");
  EXPECT_EQ(uri->db, 2);
  EXPECT_FALSE(parseRedisUri("redis://cache")->tls);
}

TEST(RedisUriTest, Rejected) {
  for (const char* bad :
       {"http://h", "redisss://h", "rediss:/h", "redis://", "redis://:pw@", "redis://h:0",
        "redis://h:65536", "redis://h:x", "redis://h:", "redis://h/x", "redis://h/-1",
        "redis://h?db=1", "redis://[::1", "redis://[::1]x", "redis://:%zz@h", "redis://:%4@h"}) {
    auto uri = parseRedisUri(bad);
    EXPECT_FALSE(uri.ok()) << bad;
    if (!uri.ok()) {
      EXPECT_EQ(uri.status().code, StatusCode::kIllegalArgument);
    }
  }
  auto secret = parseRedisUri("redis://:hunter2@h:99999");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(secret.status().reason.find("hunter2"), std::string::npos);
}

TEST(RedisScriptTest, Sha1AsRedisComputesIt) {
  // Values from `redis-cli SCRIPT LOAD`.
  EXPECT_EQ(RedisScript("return 1").sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  EXPECT_EQ(RedisScript("").sha1(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

}  // namespace
}  // namespace parley::redis
