// The admin HTTP API of a real parley process: users created there can log in; /metrics is
// Prometheus text; nothing is writable anonymously.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <vector>

#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/test_helpers.h"
#include "testing/eventually.h"

namespace parley::testing {
namespace {

// An open GET /metrics/stream: the response header, then one event per read.
class MetricsStream {
 public:
  MetricsStream(uint16_t port, const std::string& authorization) : fd_(connectToLoopback(port)) {
    const std::string request =
        "GET /metrics/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Authorization: " +
        authorization + "\r\n\r\n";
    send(fd_, request.data(), request.size(), MSG_NOSIGNAL);
  }
  ~MetricsStream() { close(fd_); }

  // The response header; empty when the server closed first.
  std::string header() {
    readUntil("\r\n\r\n");
    const size_t end = buffer_.find("\r\n\r\n");
    if (end == std::string::npos) return "";
    std::string header = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    return header;
  }

  // The next event's JSON; null when the stream ended or a read timed out.
  boost::json::value nextEvent() {
    readUntil("\n\n");
    const size_t end = buffer_.find("\n\n");
    if (end == std::string::npos || !buffer_.starts_with("data: ")) return nullptr;
    std::string data = buffer_.substr(6, end - 6);
    buffer_.erase(0, end + 2);
    return boost::json::parse(data);
  }

 private:
  void readUntil(const std::string& delimiter) {
    char chunk[4096];
    while (buffer_.find(delimiter) == std::string::npos) {
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  int fd_ = -1;
  std::string buffer_;
};

double successfulLogins(const boost::json::value& event) {
  const auto* logins = event.at("loginsByCode").as_object().if_contains("1000");
  return logins ? logins->to_number<double>() : 0;
}

class AdminTest : public SharedParleySuite<AdminTest> {
 protected:
  static std::map<std::string, std::string> auth() {
    return {{"Authorization", basicAuth("admin", ParleyProcess::kAdminPassword)},
            {"Content-Type", "application/json"}};
  }
};

TEST_F(AdminTest, CreatedUserCanLogIn) {
  auto created = httpRequest(parley_->adminPort(), "POST", "/users",
                             R"({"id": 5001, "password": "s3cret", "name": "Ada"})", auth());
  ASSERT_EQ(created.status, 200) << created.body;
  auto client = connectTo(*parley_, Transport::kWebSocket);
  EXPECT_EQ(client->login(5001, "wrong").code(), 2011);
  EXPECT_EQ(client->login(5001, "s3cret").code(), 1000);
  im::turms::proto::TurmsRequest query;
  query.mutable_query_user_profiles_request()->add_user_ids(5001);
  auto response = client->request(query);
  ASSERT_EQ(response.code(), 1000);
  EXPECT_EQ(response.data().user_infos_with_version().user_infos(0).name(), "Ada");
}

TEST_F(AdminTest, DuplicateIdIsAConflict) {
  auto body = R"({"id": 5002, "password": "x"})";
  ASSERT_EQ(httpRequest(parley_->adminPort(), "POST", "/users", body, auth()).status, 200);
  auto again = httpRequest(parley_->adminPort(), "POST", "/users", body, auth());
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("1103"), std::string::npos);
  // Both changes are in the audit trail, with who asked, from where, and what came of it; a
  // read is not.
  ASSERT_EQ(httpRequest(parley_->adminPort(), "GET", "/users?ids=5002", "", auth()).status, 200);
  EXPECT_TRUE(eventually([&] {
    const std::string log = parley_->log();
    return log.find("admin audit: account admin from 127.0.0.1: POST /users -> 200") !=
               std::string::npos &&
           log.find("admin audit: account admin from 127.0.0.1: POST /users -> 409") !=
               std::string::npos;
  })) << parley_->log();
  EXPECT_EQ(parley_->log().find("admin audit: account admin from 127.0.0.1: GET"),
            std::string::npos);
}

TEST_F(AdminTest, WritesNeedTheAdminPassword) {
  auto anonymous =
      httpRequest(parley_->adminPort(), "POST", "/users", R"({"id": 5003, "password": "x"})");
  EXPECT_EQ(anonymous.status, 401);
  auto wrong =
      httpRequest(parley_->adminPort(), "POST", "/users", R"({"id": 5003, "password": "x"})",
                  {{"Authorization", basicAuth("admin", "guess")}});
  EXPECT_EQ(wrong.status, 401);
  auto client = connectTo(*parley_, Transport::kTcp);
  EXPECT_EQ(client->login(5003, "x").code(), 2012);  // never created
}

TEST_F(AdminTest, DeactivatingAUserDisconnectsTheirSessions) {
  ASSERT_EQ(httpRequest(parley_->adminPort(), "POST", "/users", R"({"id": 5004, "password": "p"})",
                        auth())
                .status,
            200);
  auto client = connectTo(*parley_, Transport::kTcp);
  ASSERT_EQ(client->login(5004, "p").code(), 1000);
  auto updated =
      httpRequest(parley_->adminPort(), "PUT", "/users?ids=5004", R"({"isActive": false})", auth());
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(waitForCloseStatus(*client), 700);
  auto again = connectTo(*parley_, Transport::kTcp);
  EXPECT_EQ(again->login(5004, "p").code(), 2012);
}

TEST_F(AdminTest, OnlineUsersAreListed) {
  auto client = connectTo(*parley_, Transport::kWebSocket);
  ASSERT_EQ(client->login(17, "123").code(), 1000);
  auto online =
      httpRequest(parley_->adminPort(), "GET", "/users/online-statuses?ids=17,18", "", auth());
  ASSERT_EQ(online.status, 200) << online.body;
  EXPECT_NE(online.body.find("\"AVAILABLE\""), std::string::npos) << online.body;
  EXPECT_NE(online.body.find("\"OFFLINE\""), std::string::npos) << online.body;
}

TEST_F(AdminTest, RelationshipCreatedByAdminIsSeenByItsOwner) {
  for (const char* user : {R"({"id": 5011, "password": "p"})", R"({"id": 5012})"}) {
    ASSERT_EQ(httpRequest(parley_->adminPort(), "POST", "/users", user, auth()).status, 200);
  }
  auto client = connectTo(*parley_, Transport::kWebSocket);
  ASSERT_EQ(client->login(5011, "p").code(), 1000);
  im::turms::proto::TurmsRequest query;
  query.mutable_query_relationships_request();
  ASSERT_EQ(client->request(query).code(), 1001);  // NO_CONTENT: none yet

  auto created =
      httpRequest(parley_->adminPort(), "POST", "/users/relationships",
                  R"({"ownerId": 5011, "relatedUserId": 5012, "name": "from admin"})", auth());
  ASSERT_EQ(created.status, 200) << created.body;
  auto response = client->request(query);
  ASSERT_EQ(response.code(), 1000);
  const auto& found = response.data().user_relationships_with_version();
  ASSERT_EQ(found.user_relationships_size(), 1);
  EXPECT_EQ(found.user_relationships(0).related_user_id(), 5012);
  EXPECT_EQ(found.user_relationships(0).name(), "from admin");

  // A client holding that version is told it changed once the admin renames the relationship.
  query.mutable_query_relationships_request()->set_last_updated_date(found.last_updated_date());
  ASSERT_EQ(client->request(query).code(), 1002);  // ALREADY_UP_TO_DATE
  auto renamed = httpRequest(parley_->adminPort(), "PUT",
                             "/users/relationships?keys[0].ownerId=5011&keys[0].relatedUserId=5012",
                             R"({"name": "renamed"})", auth());
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  auto after = client->request(query);
  ASSERT_EQ(after.code(), 1000);
  EXPECT_EQ(after.data().user_relationships_with_version().user_relationships(0).name(), "renamed");

  auto listed = httpRequest(parley_->adminPort(), "GET", "/users/relationships/page?ownerIds=5011",
                            "", auth());
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_NE(listed.body.find(R"("total":1)"), std::string::npos) << listed.body;
}

TEST_F(AdminTest, HealthIsUp) {
  auto health = httpRequest(parley_->adminPort(), "GET", "/health");
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.body.find("UP"), std::string::npos);
}

// Checks the text exposition format line by line: comments, then `name{labels} value`.
TEST_F(AdminTest, MetricsParseAsPrometheusText) {
  auto client = connectTo(*parley_, Transport::kTcp);
  ASSERT_EQ(client->login(19, "123").code(), 1000);
  client->login(19, "123");  // a second login on the connection: counted as 2103
  auto metrics = httpRequest(parley_->adminPort(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.headers["content-type"].find("text/plain"), std::string::npos);
  static const std::regex kSample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? )"
      R"(([-+]?[0-9.eE+-]+|NaN|[+-]Inf)( [0-9]+)?$)");
  static const std::regex kComment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*$)");
  std::istringstream lines(metrics.body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      EXPECT_TRUE(std::regex_match(line, kComment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, kSample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 5);
  for (const char* series : {"parley_connections", "parley_sessions", "parley_requests_total",
                             "parley_request_duration_seconds_bucket", "parley_logins_total",
                             // the embedded store's writer (this node runs on SQLite)
                             "parley_sqlite_commits_total", "parley_sqlite_queued_writes",
                             "parley_sqlite_conversations_in_memory"}) {
    EXPECT_NE(metrics.body.find(series), std::string::npos) << series;
  }
}

// packaging/grafana-dashboard.json charts only series a node serves: after a login and a message,
// every metric name in its queries is in /metrics (a histogram's _bucket by its family's name).
TEST_F(AdminTest, TheGrafanaDashboardNamesOnlyMetricsANodeServes) {
  auto client = connectTo(*parley_, Transport::kWebSocket);
  ASSERT_EQ(client->login(2, "123").code(), 1000);
  ASSERT_EQ(requests::sendPrivate(*client, 1, "for the dashboard").code(), 1000);
  auto metrics = httpRequest(parley_->adminPort(), "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);

  std::ifstream file(std::string(PARLEY_SOURCE_DIR) + "/packaging/grafana-dashboard.json");
  ASSERT_TRUE(file) << "packaging/grafana-dashboard.json";
  std::stringstream text;
  text << file.rdbuf();
  std::error_code ec;
  const boost::json::value dashboard = boost::json::parse(text.str(), ec);
  ASSERT_FALSE(ec) << ec.message();
  static const std::regex kMetricName("parley_[a-z_]+");
  int queries = 0;
  for (const boost::json::value& panel : dashboard.at("panels").as_array()) {
    for (const boost::json::value& target : panel.at("targets").as_array()) {
      const std::string expr(target.at("expr").as_string());
      ++queries;
      for (auto it = std::sregex_iterator(expr.begin(), expr.end(), kMetricName);
           it != std::sregex_iterator(); ++it) {
        // The exposition names every series on a line of its own, after "# TYPE <family>".
        const std::string name = it->str();
        EXPECT_TRUE(metrics.body.find("\n" + name + " ") != std::string::npos ||
                    metrics.body.find("\n" + name + "{") != std::string::npos)
            << panel.at("title").as_string() << ": " << name << " is not served";
      }
    }
  }
  EXPECT_GE(queries, 6);
}

TEST_F(AdminTest, MetricsStreamSendsSnapshotsThatFollowLogins) {
  MetricsStream stream(parley_->adminPort(), basicAuth("admin", ParleyProcess::kAdminPassword));
  const std::string header = stream.header();
  EXPECT_NE(header.find("HTTP/1.1 200"), std::string::npos) << header;
  EXPECT_NE(header.find("text/event-stream"), std::string::npos) << header;
  const boost::json::value first = stream.nextEvent();
  ASSERT_TRUE(first.is_object());
  EXPECT_TRUE(first.at("connections").as_object().contains("ws"));
  EXPECT_TRUE(first.at("latency").at("bounds").as_array().back().is_null());
  EXPECT_EQ(first.at("liveNodes").to_number<double>(), 1);  // a single node

  auto client = connectTo(*parley_, Transport::kWebSocket);
  ASSERT_EQ(client->login(19, "123").code(), 1000);
  // Events keep coming once a second; one of the next few counts the login.
  boost::json::value later;
  for (int i = 0; i < 10; ++i) {
    later = stream.nextEvent();
    ASSERT_TRUE(later.is_object()) << "the stream ended";
    if (successfulLogins(later) > successfulLogins(first)) break;
  }
  EXPECT_EQ(successfulLogins(later), successfulLogins(first) + 1);
  EXPECT_GE(later.at("sessions").to_number<double>(), 1);
}

TEST_F(AdminTest, MetricsStreamNeedsThePassword) {
  MetricsStream stream(parley_->adminPort(), basicAuth("admin", "guess"));
  EXPECT_NE(stream.header().find("HTTP/1.1 401"), std::string::npos);
}

// 64 streams at once serve; the 65th is refused with 503 and a reason, and once one closes the
// next is served again. On a node of its own, so that no other test's stream is still open.
TEST(AdminMetricsStreamTest, MetricsStreamsAreCappedAt64) {
  const ParleyProcess parley;
  const std::string authorization = basicAuth("admin", ParleyProcess::kAdminPassword);
  std::vector<std::unique_ptr<MetricsStream>> open;
  for (int i = 0; i < 64; ++i) {
    open.push_back(std::make_unique<MetricsStream>(parley.adminPort(), authorization));
    const std::string opened = open.back()->header();
    ASSERT_NE(opened.find("HTTP/1.1 200"), std::string::npos) << i << ": " << opened;
  }
  MetricsStream refused(parley.adminPort(), authorization);
  const std::string header = refused.header();
  EXPECT_NE(header.find("HTTP/1.1 503"), std::string::npos) << header;
  open.pop_back();  // closes its socket; the node notices at its next event write
  EXPECT_TRUE(eventually([&] {
    MetricsStream again(parley.adminPort(), authorization);
    return again.header().find("HTTP/1.1 200") != std::string::npos;
  }));
}

TEST_F(AdminTest, ConsoleIsRedirectedToItsDirectory) {
  auto response = httpRequest(parley_->adminPort(), "GET", "/console");
  EXPECT_EQ(response.status, 301);
  EXPECT_EQ(response.headers["location"], "/console/");
}

}  // namespace
}  // namespace parley::testing
