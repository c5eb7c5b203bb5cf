#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace parley {
namespace {

// Series (name plus labels, exactly as exposed) to value; comment lines are skipped.
std::map<std::string, double> parseExposition(const std::string& text) {
  std::map<std::string, double> series;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) {
      ADD_FAILURE() << "malformed line: " << line;
      continue;
    }
    series[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return series;
}

double valueOf(const std::map<std::string, double>& series, const std::string& key) {
  auto it = series.find(key);
  if (it == series.end()) {
    ADD_FAILURE() << "missing series " << key;
    return -1;
  }
  return it->second;
}

TEST(MetricsTest, FreshRegistryListsBothTransportsAndBuildInfo) {
  Metrics metrics("1.2.3");
  const auto series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, R"(parley_connections{transport="ws"})"), 0);
  EXPECT_EQ(valueOf(series, R"(parley_connections{transport="tcp"})"), 0);
  EXPECT_EQ(valueOf(series, R"(parley_build_info{version="1.2.3"})"), 1);
  EXPECT_EQ(valueOf(series, "parley_sessions"), 0);
  EXPECT_EQ(valueOf(series, "parley_heartbeats_total"), 0);
}

TEST(MetricsTest, EveryMethodShowsUpInTheExposition) {
  Metrics metrics;
  metrics.connectionOpened("ws");
  metrics.connectionOpened("ws");
  metrics.connectionOpened("tcp");
  metrics.connectionClosed("ws");
  metrics.sessionOpened();
  metrics.sessionOpened();
  metrics.sessionClosed(110);
  metrics.requestHandled("create_session_request", 1000, 0.0002);
  metrics.requestHandled("create_session_request", 1000, 0.003);
  metrics.requestHandled("create_session_request", 2011, 0.02);
  metrics.requestHandled("create_message_request", 1000, 7.0);
  metrics.frameRejected("too_large");
  metrics.loginResult(1000);
  metrics.loginResult(2011);
  metrics.loginResult(2011);
  metrics.heartbeat();
  metrics.heartbeat();
  metrics.heartbeat();

  const auto series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, R"(parley_connections{transport="ws"})"), 1);
  EXPECT_EQ(valueOf(series, R"(parley_connections{transport="tcp"})"), 1);
  EXPECT_EQ(valueOf(series, R"(parley_connections_opened_total{transport="ws"})"), 2);
  EXPECT_EQ(valueOf(series, R"(parley_connections_opened_total{transport="tcp"})"), 1);
  EXPECT_EQ(valueOf(series, "parley_sessions"), 1);
  EXPECT_EQ(valueOf(series, R"(parley_sessions_closed_total{close_status="110"})"), 1);
  EXPECT_EQ(valueOf(series, R"(parley_requests_total{code="1000",kind="create_session_request"})"),
            2);
  EXPECT_EQ(valueOf(series, R"(parley_requests_total{code="2011",kind="create_session_request"})"),
            1);
  EXPECT_EQ(valueOf(series, R"(parley_requests_total{code="1000",kind="create_message_request"})"),
            1);
  EXPECT_EQ(
      valueOf(series, R"(parley_request_duration_seconds_count{kind="create_session_request"})"),
      3);
  EXPECT_NEAR(
      valueOf(series, R"(parley_request_duration_seconds_sum{kind="create_session_request"})"),
      0.0232, 1e-9);
  EXPECT_EQ(
      valueOf(
          series,
          R"(parley_request_duration_seconds_bucket{kind="create_session_request",le="0.0001"})"),
      0);
  EXPECT_EQ(
      valueOf(
          series,
          R"(parley_request_duration_seconds_bucket{kind="create_session_request",le="0.00025"})"),
      1);
  EXPECT_EQ(
      valueOf(
          series,
          R"(parley_request_duration_seconds_bucket{kind="create_session_request",le="0.025"})"),
      3);
  // 7 s is past the last bucket: only +Inf holds it.
  EXPECT_EQ(
      valueOf(series,
              R"(parley_request_duration_seconds_bucket{kind="create_message_request",le="5"})"),
      0);
  EXPECT_EQ(
      valueOf(series,
              R"(parley_request_duration_seconds_bucket{kind="create_message_request",le="+Inf"})"),
      1);
  EXPECT_EQ(valueOf(series, R"(parley_frames_rejected_total{reason="too_large"})"), 1);
  EXPECT_EQ(valueOf(series, R"(parley_logins_total{code="1000"})"), 1);
  EXPECT_EQ(valueOf(series, R"(parley_logins_total{code="2011"})"), 2);
  EXPECT_EQ(valueOf(series, "parley_heartbeats_total"), 3);
  EXPECT_GT(valueOf(series, "parley_process_resident_memory_bytes"), 0);
}

TEST(MetricsTest, ClusterFiguresAreReadAtEachScrape) {
  Metrics metrics;
  EXPECT_EQ(parseExposition(metrics.serialize()).count("parley_cluster_live_nodes"), 0u)
      << "a single node without Redis shows no cluster series";
  ClusterMetrics current;
  metrics.setClusterSource([&current] { return current; });
  current.live_nodes = 3;
  current.sessions_reregistered = 10;
  current.rpc_pushes_dropped = 2;
  current.rpc_auth_failures = 4;
  auto series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, "parley_cluster_live_nodes"), 3);
  EXPECT_EQ(valueOf(series, "parley_sessions_reregistered_total"), 10);
  EXPECT_EQ(valueOf(series, "parley_rpc_pushes_dropped_total"), 2);
  EXPECT_EQ(valueOf(series, "parley_rpc_auth_failures_total"), 4);
  current.live_nodes = 2;
  current.sessions_reregistered = 25;
  series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, "parley_cluster_live_nodes"), 2);
  EXPECT_EQ(valueOf(series, "parley_sessions_reregistered_total"), 25);
}

TEST(MetricsTest, StoreFiguresAreReadAtEachScrape) {
  Metrics metrics;
  EXPECT_EQ(parseExposition(metrics.serialize()).count("parley_sqlite_commits_total"), 0u)
      << "a node on MongoDB shows no SQLite series";
  StoreMetrics current;
  metrics.setStoreSource([&current] { return current; });
  current.commits = 4;
  current.writes = 100;
  current.commit_micros = 2'500'000;
  current.queued_writes = 7;
  current.reads = 300;
  current.read_waits = 2;
  current.conversations_in_memory = 42;
  auto series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, "parley_sqlite_conversations_in_memory"), 42);
  EXPECT_EQ(valueOf(series, "parley_sqlite_reads_total"), 300);
  EXPECT_EQ(valueOf(series, "parley_sqlite_read_waits_total"), 2);
  EXPECT_EQ(valueOf(series, "parley_sqlite_commits_total"), 4);
  EXPECT_EQ(valueOf(series, "parley_sqlite_writes_total"), 100);
  EXPECT_DOUBLE_EQ(valueOf(series, "parley_sqlite_commit_seconds_total"), 2.5);
  EXPECT_EQ(valueOf(series, "parley_sqlite_queued_writes"), 7);
  EXPECT_EQ(valueOf(series, "parley_sqlite_commit_failures_total"), 0);
  current.commits = 5;
  current.queued_writes = 0;
  series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, "parley_sqlite_commits_total"), 5);
  EXPECT_EQ(valueOf(series, "parley_sqlite_queued_writes"), 0);
}

TEST(MetricsTest, PasswordFiguresAreReadAtEachScrape) {
  Metrics metrics;
  PasswordMetrics current;
  metrics.setPasswordSource([&current] { return current; });
  current.cache_hits = 10;
  current.full_verifications = 3;
  current.shared_hits = 7;
  current.shared_misses = 2;
  current.shared_unavailable = 1;
  current.shared_write_failures = 4;
  auto series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, "parley_password_cache_hits_total"), 10);
  EXPECT_EQ(valueOf(series, "parley_password_full_verifications_total"), 3);
  EXPECT_EQ(valueOf(series, "parley_password_shared_cache_hits_total"), 7);
  EXPECT_EQ(valueOf(series, "parley_password_shared_cache_misses_total"), 2);
  EXPECT_EQ(valueOf(series, "parley_password_shared_cache_unavailable_total"), 1);
  EXPECT_EQ(valueOf(series, "parley_password_shared_cache_write_failures_total"), 4);
  current.full_verifications = 5;
  series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, "parley_password_full_verifications_total"), 5);
}

TEST(MetricsTest, ExpositionHasTypeLines) {
  Metrics metrics;
  // A family without any series is left out of the exposition, so give it one.
  metrics.requestHandled("create_session_request", 1000, 0.001);
  const std::string text = metrics.serialize();
  EXPECT_NE(text.find("# TYPE parley_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE parley_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE parley_connections gauge"), std::string::npos);
}

TEST(MetricsTest, TooManyLabelValuesAreCountedAsOther) {
  Metrics metrics;
  constexpr int kDistinct = 600;  // above the per-metric limit
  for (int i = 0; i < kDistinct; ++i) {
    metrics.frameRejected("reason_" + std::to_string(i));
  }
  metrics.frameRejected("reason_0");  // already known: keeps its own series
  const auto series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series, R"(parley_frames_rejected_total{reason="reason_0"})"), 2);
  const double other = valueOf(series, R"(parley_frames_rejected_total{reason="other"})");
  EXPECT_GT(other, 0);
  double total = 0;
  for (const auto& [key, value] : series) {
    if (key.starts_with("parley_frames_rejected_total{")) {
      total += value;
    }
  }
  EXPECT_EQ(total, kDistinct + 1);
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Metrics metrics;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Distinct codes per iteration make the threads race on inserting the same label sets.
        metrics.requestHandled("query_user_profiles_request", 1000 + i % 7, 0.001);
        metrics.loginResult(1000 + (i + t) % 3);
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  const auto series = parseExposition(metrics.serialize());
  EXPECT_EQ(valueOf(series,
                    R"(parley_request_duration_seconds_count{kind="query_user_profiles_request"})"),
            kThreads * kPerThread);
  double logins = 0;
  for (int code = 1000; code < 1003; ++code) {
    logins += valueOf(series, R"(parley_logins_total{code=")" + std::to_string(code) + "\"}");
  }
  EXPECT_EQ(logins, kThreads * kPerThread);
}

}  // namespace
}  // namespace parley

namespace parley {
namespace {

TEST(MetricsSnapshot, ReadsTheCountersThatMetricsExposes) {
  Metrics metrics;
  MetricsSnapshot empty = metrics.snapshot();
  EXPECT_EQ(empty.sessions, 0);
  EXPECT_EQ(empty.connections.at("ws"), 0);  // listed from the start
  ASSERT_EQ(empty.latency_bounds.size(), empty.latency_counts.size());
  EXPECT_TRUE(std::isinf(empty.latency_bounds.back()));

  metrics.connectionOpened("ws");
  metrics.connectionOpened("tcp");
  metrics.connectionOpened("tcp");
  metrics.connectionClosed("tcp");
  metrics.sessionOpened();
  metrics.loginResult(1000);
  metrics.loginResult(1000);
  metrics.loginResult(2000);
  metrics.requestHandled("create_message_request", 1000, 0.0002);
  metrics.requestHandled("create_message_request", 1000, 0.003);
  metrics.requestHandled("query_user_profiles_request", 1100, 7.0);

  const MetricsSnapshot s = metrics.snapshot();
  EXPECT_EQ(s.sessions, 1);
  EXPECT_EQ(s.connections.at("ws"), 1);
  EXPECT_EQ(s.connections.at("tcp"), 1);
  EXPECT_EQ(s.connections_opened.at("tcp"), 2);
  EXPECT_EQ(s.logins_by_code.at("1000"), 2);
  EXPECT_EQ(s.logins_by_code.at("2000"), 1);
  EXPECT_EQ(s.requests_by_kind.at("create_message_request"), 2);
  EXPECT_EQ(s.requests_by_code.at("1000"), 2);
  EXPECT_EQ(s.requests_by_code.at("1100"), 1);
  // Cumulative over both kinds: 0.0002 s falls in the 0.00025 bucket, 7 s only in +Inf.
  ASSERT_EQ(s.latency_bounds[1], 0.00025);
  EXPECT_EQ(s.latency_counts[0], 0);
  EXPECT_EQ(s.latency_counts[1], 1);
  EXPECT_EQ(s.latency_counts[s.latency_counts.size() - 2], 2);
  EXPECT_EQ(s.latency_counts.back(), 3);
  EXPECT_EQ(s.live_nodes, 1);  // no cluster source: a single node

  metrics.setClusterSource([] {
    ClusterMetrics cluster;
    cluster.live_nodes = 3;
    return cluster;
  });
  EXPECT_EQ(metrics.snapshot().live_nodes, 3);
}

}  // namespace
}  // namespace parley
