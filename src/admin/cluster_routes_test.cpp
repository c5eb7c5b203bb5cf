#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "admin/admin_store_test_fixture.h"

namespace parley::testing {
namespace {

namespace json = boost::json;

class ClusterRoutesTest : public AdminStoreTest {
 protected:
  // The fixture's routes with a configuration and, when `nodes`, a membership.
  AdminResponse get(const std::string& target, bool nodes,
                    std::vector<std::pair<std::string, std::string>> config,
                    std::vector<std::string> other_nodes_figures = {}) {
    AdminDeps deps = routes_.deps();
    deps.config_values = std::move(config);
    deps.other_nodes_figures = [other_nodes_figures] { return other_nodes_figures; };
    if (nodes) {
      deps.redis_servers = [] {
        return std::vector<AdminRedisServer>{{"sessions", "r1:6379/0", true, "aof"},
                                             {"sessions", "r2:6379/0", false, "unknown"},
                                             {"locations", "c1:7000/0", true, "rdb"}};
      };
      deps.live_nodes = [] {
        return std::vector<AdminNode>{{"node-a", "10.0.0.1:7510", 1, 2},
                                      {"node-b", "10.0.0.2:7510", 3, 4}};
      };
    }
    AdminRoutes routes(std::move(deps));
    AdminRequest request;
    EXPECT_TRUE(parseRequestTarget(target, request));
    request.method = "GET";
    request.headers["authorization"] = std::string("Bearer ") + kPassword;
    return routes.handle(request);
  }
};

TEST_F(ClusterRoutesTest, ConfigShowsEveryValueWithSecretsMasked) {
  const AdminResponse response = get("/config", false,
                                     {{"gateway.ws-port", "10510"},
                                      {"admin.password", "hunter2"},
                                      {"cluster.secret", "0123456789abcdef0123"},
                                      {"mongo.uri", "mongodb://parley:dbpass@db1/"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body.find("hunter2"), std::string::npos);
  EXPECT_EQ(response.body.find("0123456789abcdef0123"), std::string::npos);
  EXPECT_EQ(response.body.find("dbpass"), std::string::npos);
  const json::value data = dataOf(response);
  EXPECT_EQ(data.at("gateway.ws-port"), "10510");
  EXPECT_EQ(data.at("admin.password"), "********");
  EXPECT_EQ(data.at("mongo.uri"), "mongodb://parley:****@db1/");
}

// Each node's sessions, connections, memory and load come from the figures it published; a node
// that published none (or something unreadable) shows nulls.
TEST_F(ClusterRoutesTest, NodesShowTheFiguresTheyPublished) {
  const AdminResponse response =
      get("/cluster", true, {},
          {R"({"node": "node-b", "sessions": 12, "connections": {"ws": 3, "tcp": 4},
           "residentMemoryBytes": 1000, "loadAverage": 0.5})",
           "not json", R"({"node": "node-gone", "sessions": 99})"});
  const json::value data = dataOf(response);
  const json::array& nodes = data.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].at("nodeId"), "node-a");
  EXPECT_EQ(nodes[0].at("sessions"), 0);  // this node's own, read now
  EXPECT_EQ(nodes[0].at("connections"), 0);
  EXPECT_EQ(nodes[1].at("sessions"), 12);
  EXPECT_EQ(nodes[1].at("connections"), 7);
  EXPECT_EQ(nodes[1].at("residentMemoryBytes"), 1000);
  EXPECT_EQ(nodes[1].at("loadAverage"), 0.5);

  const AdminResponse unpublished = get("/cluster", true, {});
  const json::value bare_data = dataOf(unpublished);
  const json::array& bare = bare_data.at("nodes").as_array();
  EXPECT_TRUE(bare[1].at("sessions").is_null());
  EXPECT_TRUE(bare[1].at("loadAverage").is_null());
}

TEST_F(ClusterRoutesTest, ConfigNeedsThePassword) {
  AdminRequest request;
  ASSERT_TRUE(parseRequestTarget("/config", request));
  request.method = "GET";
  EXPECT_EQ(routes_.handle(request).status, 401);
}

TEST_F(ClusterRoutesTest, ASingleNodeShowsItselfAndItsEmbeddedState) {
  const AdminResponse response = get("/cluster", false, {{"mongo.uri", ""}});
  ASSERT_EQ(response.status, 200) << response.body;
  const json::value data = dataOf(response);
  ASSERT_EQ(data.at("nodes").as_array().size(), 1u);
  EXPECT_EQ(data.at("nodes").at(0).at("nodeId"), "node-a");
  EXPECT_EQ(data.at("nodes").at(0).at("local"), true);
  EXPECT_EQ(data.at("nodes").at(0).at("sessions"), 0);
  EXPECT_TRUE(data.at("redis").as_array().empty());
  EXPECT_EQ(data.at("store").at("kind"), "SQLite (embedded)");
  EXPECT_EQ(data.at("store").at("healthy"), true);
}

TEST_F(ClusterRoutesTest, AClusterShowsItsLiveNodesAndRedisDeployments) {
  const AdminResponse response =
      get("/cluster", true,
          {{"mongo.uri", "mongodb://db/"},
           {"redis.session.uris", "redis://:pw@r1:6379,redis://:pw@r2:6379"},
           {"redis.sequence.uris", ""},
           {"redis.location.uris", "redis+cluster://c1:7000"}});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.body.find(":pw@"), std::string::npos);
  const json::value data = dataOf(response);
  const json::array& nodes = data.at("nodes").as_array();
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].at("rpcAddress"), "10.0.0.1:7510");
  EXPECT_EQ(nodes[0].at("local"), true);
  EXPECT_EQ(nodes[1].at("local"), false);
  EXPECT_TRUE(nodes[1].at("sessions").is_null());
  const json::array& redis = data.at("redis").as_array();
  ASSERT_EQ(redis.size(), 3u);
  EXPECT_EQ(redis[0].at("topology"), "shards");
  EXPECT_EQ(redis[0].at("uris").at(0), "redis://:****@r1:6379");
  EXPECT_EQ(redis[1].at("purpose"), "sequence ids");  // on the session shards
  EXPECT_EQ(redis[1].at("topology"), "shards");
  EXPECT_EQ(redis[2].at("topology"), "cluster");
  // One session shard is down: the sessions, and the sequence ids on them, are not healthy.
  EXPECT_EQ(redis[0].at("healthy"), false);
  EXPECT_EQ(redis[0].at("servers").as_array().size(), 2u);
  EXPECT_EQ(redis[0].at("servers").at(0).at("persistence"), "aof");
  EXPECT_EQ(redis[1].at("healthy"), false);
  EXPECT_EQ(redis[2].at("healthy"), true);
  ASSERT_EQ(redis[2].at("servers").as_array().size(), 1u);
  EXPECT_EQ(redis[2].at("servers").at(0).at("persistence"), "rdb");
  EXPECT_EQ(data.at("store").at("kind"), "MongoDB");
}

}  // namespace
}  // namespace parley::testing
