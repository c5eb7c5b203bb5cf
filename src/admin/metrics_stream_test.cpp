#include "admin/metrics_stream.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <string>
#include <vector>

#include "core/metrics.h"

namespace parley {
namespace {

namespace json = boost::json;

MetricsSnapshot someSnapshot() {
  MetricsSnapshot snapshot;
  snapshot.sessions = 3;
  snapshot.connections = {{"ws", 2}, {"tcp", 1}};
  snapshot.requests_by_kind = {{"create_message_request", 40}};
  snapshot.latency_bounds = {0.001, std::numeric_limits<double>::infinity()};
  snapshot.latency_counts = {5, 7};
  snapshot.resident_memory_bytes = 4096;
  return snapshot;
}

// The event's JSON, without its SSE framing.
json::value eventJson(const std::string& event) {
  EXPECT_TRUE(event.starts_with("data: ")) << event;
  EXPECT_TRUE(event.ends_with("\n\n")) << event;
  EXPECT_EQ(event.find('\n'), event.size() - 2) << "a newline inside the data line";
  return json::parse(event.substr(6, event.size() - 8));
}

TEST(MetricsStreamTest, FiguresCarryTheNodesCountersAndAnInfiniteBoundAsNull) {
  const json::value figures = json::parse(nodeFiguresJson(someSnapshot(), 1234, "node-a"));
  EXPECT_EQ(figures.at("node"), "node-a");
  EXPECT_EQ(figures.at("time"), 1234);
  EXPECT_EQ(figures.at("sessions"), 3);
  EXPECT_EQ(figures.at("connections").at("ws").to_number<double>(), 2);
  EXPECT_EQ(figures.at("requestsByKind").at("create_message_request").to_number<double>(), 40);
  EXPECT_EQ(figures.at("latency").at("bounds").at(0), 0.001);
  EXPECT_TRUE(figures.at("latency").at("bounds").at(1).is_null());
  EXPECT_EQ(figures.at("residentMemoryBytes").to_number<double>(), 4096);
  // The machine's load: a number wherever getloadavg works (Linux), else null.
  EXPECT_TRUE(figures.at("loadAverage").is_number() || figures.at("loadAverage").is_null());
}

TEST(MetricsStreamTest, AnEventAddsOnlineUsersAndTheOtherNodesThatParse) {
  const std::vector<std::string> others = {nodeFiguresJson(someSnapshot(), 1000, "node-b"),
                                           "{not json", "[1, 2]"};
  const json::value event =
      eventJson(metricsStreamEvent(someSnapshot(), 2000, "node-a", 17, others));
  EXPECT_EQ(event.at("node"), "node-a");
  EXPECT_EQ(event.at("onlineUsers"), 17);
  const json::array& cluster = event.at("cluster").as_array();
  ASSERT_EQ(cluster.size(), 1u);
  EXPECT_EQ(cluster[0].at("node"), "node-b");
  EXPECT_EQ(cluster[0].at("sessions"), 3);

  const json::value alone = eventJson(metricsStreamEvent(someSnapshot(), 2000, "node-a", {}));
  EXPECT_TRUE(alone.at("onlineUsers").is_null());
  EXPECT_TRUE(alone.at("cluster").as_array().empty());
}

}  // namespace
}  // namespace parley
