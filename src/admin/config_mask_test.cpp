#include "admin/config_mask.h"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(MaskConfigValue, HidesPasswordsAndSecrets) {
  EXPECT_EQ(maskConfigValue("admin.password", "hunter2"), "********");
  EXPECT_EQ(maskConfigValue("cluster.secret", "0123456789abcdef"), "********");
  EXPECT_EQ(maskConfigValue("password.verification-cache-secret", "x"), "********");
  // Where a secret is kept is not the secret; an unset one reads as unset.
  EXPECT_EQ(maskConfigValue("cluster.secret-file", "/etc/parley/secret"), "/etc/parley/secret");
  EXPECT_EQ(maskConfigValue("admin.password", ""), "");
}

TEST(MaskConfigValue, HidesThePasswordsOfUris) {
  EXPECT_EQ(maskConfigValue("mongo.uri", "mongodb://parley:s3cret@db1,db2/?replicaSet=rs0"),
            "mongodb://parley:****@db1,db2/?replicaSet=rs0");
  EXPECT_EQ(maskConfigValue("redis.session.uris", "redis://:pw@r1:6379,redis://r2:6379"),
            "redis://:****@r1:6379,redis://r2:6379");
  EXPECT_EQ(maskConfigValue("redis.sequence.uris", "redis://token@r1:6379"),
            "redis://****@r1:6379");
  EXPECT_EQ(maskConfigValue("redis.session.uris", "redis+cluster://u:p@a@r1:7000/0"),
            "redis+cluster://u:****@r1:7000/0");
  EXPECT_EQ(maskConfigValue("mongo.uri", "mongodb://db/?authSource=admin&password=x&w=1"),
            "mongodb://db/?authSource=admin&password=****&w=1");
}

TEST(MaskConfigValue, LeavesEverythingElse) {
  EXPECT_EQ(maskConfigValue("gateway.ws-port", "10510"), "10510");
  EXPECT_EQ(maskConfigValue("redis.session.uris", "redis://r1:6379"), "redis://r1:6379");
  EXPECT_EQ(maskConfigValue("password.algorithm", "argon2id"), "argon2id");
}

}  // namespace
}  // namespace parley
