// One table of bad input for every entry point of a node: client frames over WebSocket and TCP,
// the WebSocket upgrade, request fields, the admin API's bodies and parameters, node RPC, and
// configuration values. Each row sends its input and compares what came back, described in a
// few words, with the exact answer expected; after every row the node still answers /health
// and a logged-in bystander still gets its heartbeat answered.
//
// Parsers of these bytes are fuzzed too (fuzz/, scripts/fuzz.sh); this is the end-to-end check
// that each rejection is the documented one and harms no one else.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/redis_topology.h"
#include "support/test_helpers.h"
#include "support/tls_tunnel.h"
#include "testing/eventually.h"
#include "testing/test_certificates.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;
using requests::kRequestTimeout;
using requests::loggedIn;

constexpr std::chrono::milliseconds kWait = std::chrono::seconds(10);

// What a client saw after its bad input, in a few words: "close 100/1100" (close signal with
// close status and code), "response 1105", "closed" (the socket, without a close signal).
std::string outcome(TurmsClient& client) {
  auto frame = client.waitFor(
      [](const Frame& f) {
        return f.kind == Frame::Kind::kClosed ||
               (f.kind == Frame::Kind::kNotification &&
                (f.notification.has_close_status() || f.notification.has_request_id()));
      },
      kWait);
  if (!frame) return "nothing";
  if (frame->kind == Frame::Kind::kClosed) return "closed";
  const auto& notification = frame->notification;
  if (notification.has_close_status()) {
    return "close " + std::to_string(notification.close_status()) + "/" +
           std::to_string(notification.code());
  }
  return "response " + std::to_string(notification.code());
}

std::string httpOutcome(const HttpResponse& response) {
  return "http " + std::to_string(response.status);
}

pb::TurmsRequest login(int64_t request_id, int64_t user) {
  pb::TurmsRequest request;
  request.set_request_id(request_id);
  auto* create = request.mutable_create_session_request();
  create->set_version(1);
  create->set_user_id(user);
  create->set_password("123");
  return request;
}

struct Row {
  std::string entry_point;
  std::string input;
  std::string expected;
  std::function<std::string(const ParleyProcess&)> send;
};

std::string onClient(const ParleyProcess& parley, Transport transport,
                     const std::function<void(TurmsClient&)>& act) {
  auto client = connectTo(parley, transport);
  try {
    act(*client);
  } catch (const std::runtime_error&) {
    // The server may close before everything was written.
  }
  return outcome(*client);
}

std::string onLoggedIn(const ParleyProcess& parley, int64_t user, Transport transport,
                       const pb::TurmsRequest& request) {
  auto client = loggedIn(parley, user, pb::DESKTOP, transport);
  client->send(request);
  return outcome(*client);
}

std::map<std::string, std::string> auth() {
  return {{"Authorization", basicAuth("admin", ParleyProcess::kAdminPassword)}};
}

std::string admin(const ParleyProcess& parley, const std::string& method, const std::string& target,
                  const std::string& body, bool with_auth = true) {
  const HttpResponse response = httpRequest(parley.adminPort(), method, target, body,
                                            with_auth ? auth() : decltype(auth()){});
  return httpOutcome(response);
}

std::vector<Row> clientRows() {
  std::vector<Row> rows;
  for (Transport transport : {Transport::kWebSocket, Transport::kTcp}) {
    const std::string name = transportName(transport);
    rows.push_back({name + " frame", "bytes that are not a TurmsRequest", "close 100/1100",
                    [transport](const ParleyProcess& p) {
                      return onClient(p, transport, [](TurmsClient& c) {
                        c.sendRawFrame(std::string("\xff\xff\xff\xff", 4));
                      });
                    }});
    rows.push_back({name + " frame", "17 KiB, over gateway.max-request-size-bytes", "closed",
                    [transport](const ParleyProcess& p) {
                      return onClient(p, transport, [](TurmsClient& c) {
                        c.sendRawFrame(std::string(17 * 1024, 'x'));
                      });
                    }});
    rows.push_back(
        {name + " request", "request_id 0", "response 1100", [transport](const ParleyProcess& p) {
           return onClient(p, transport, [](TurmsClient& c) { c.send(login(0, 1)); });
         }});
    rows.push_back({name + " request", "a business request before login", "response 1105",
                    [transport](const ParleyProcess& p) {
                      pb::TurmsRequest request;
                      request.set_request_id(3);
                      request.mutable_query_user_profiles_request()->add_user_ids(1);
                      return onClient(p, transport, [&](TurmsClient& c) { c.send(request); });
                    }});
    rows.push_back({name + " request", "no request kind set", "response 1102",
                    [transport](const ParleyProcess& p) {
                      pb::TurmsRequest request;
                      request.set_request_id(4);
                      return onLoggedIn(p, 2, transport, request);
                    }});
    rows.push_back({name + " request", "login with client version 2", "response 2000",
                    [transport](const ParleyProcess& p) {
                      pb::TurmsRequest request = login(5, 3);
                      request.mutable_create_session_request()->set_version(2);
                      return onClient(p, transport, [&](TurmsClient& c) { c.send(request); });
                    }});
    rows.push_back({name + " request", "login with user_id 0", "response 1102",
                    [transport](const ParleyProcess& p) {
                      return onClient(p, transport, [](TurmsClient& c) { c.send(login(6, 0)); });
                    }});
    rows.push_back({name + " request", "message text over message.max-text-length", "response 1102",
                    [transport](const ParleyProcess& p) {
                      pb::TurmsRequest request;
                      request.set_request_id(7);
                      request.mutable_create_message_request()->set_recipient_id(5);
                      request.mutable_create_message_request()->set_text(std::string(501, 'a'));
                      return onLoggedIn(p, 4, transport, request);
                    }});
  }
  rows.push_back(
      {"TCP frame", "a varint length of six bytes", "closed", [](const ParleyProcess& p) {
         return onClient(p, Transport::kTcp, [](TurmsClient& c) {
           c.sendRaw(std::string("\x80\x80\x80\x80\x80\x01", 6));
         });
       }});
  rows.push_back(
      {"WebSocket upgrade", "a plain HTTP request", "http 400", [](const ParleyProcess& p) {
         return httpOutcome(httpRequest(p.wsPort(), "GET", "/", ""));
       }});
  rows.push_back(
      {"WebSocket upgrade", "WebSocket version 8", "http 426", [](const ParleyProcess& p) {
         return httpOutcome(httpRequest(p.wsPort(), "GET", "/", "",
                                        {{"Upgrade", "websocket"},
                                         {"Connection", "Upgrade"},
                                         {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                         {"Sec-WebSocket-Version", "8"}}));
       }});
  rows.push_back(
      {"WebSocket upgrade", "an upgrade without a key", "http 400", [](const ParleyProcess& p) {
         return httpOutcome(httpRequest(p.wsPort(), "GET", "/", "",
                                        {{"Upgrade", "websocket"},
                                         {"Connection", "Upgrade"},
                                         {"Sec-WebSocket-Version", "13"}}));
       }});
  return rows;
}

std::vector<Row> adminRows() {
  return {
      {"admin", "no credentials", "http 401",
       [](const ParleyProcess& p) { return admin(p, "GET", "/users?ids=1", "", false); }},
      {"admin", "a body that is not JSON", "http 400",
       [](const ParleyProcess& p) { return admin(p, "POST", "/users", "{not json"); }},
      {"admin", "an unknown field", "http 400",
       [](const ParleyProcess& p) {
         return admin(p, "POST", "/users", R"({"id": 900001, "password": "x", "rank": 1})");
       }},
      {"admin", "ids that are not numbers", "http 400",
       [](const ParleyProcess& p) { return admin(p, "GET", "/users?ids=1,x", ""); }},
      {"admin", "an unknown path", "http 404",
       [](const ParleyProcess& p) { return admin(p, "GET", "/no-such-route", ""); }},
      {"admin", "a method the path does not take", "http 405",
       [](const ParleyProcess& p) { return admin(p, "PATCH", "/users", ""); }},
      {"admin", "a body over 1 MiB", "http 413",
       [](const ParleyProcess& p) {
         return admin(p, "POST", "/users", std::string(1024 * 1024 + 1, ' '));
       }},
      // More than the kernel buffers between the two ends hold, so the node answers and closes
      // while the client is still sending: the 413 must still arrive, not a reset.
      {"admin", "a body of 16 MiB", "http 413",
       [](const ParleyProcess& p) {
         return admin(p, "POST", "/users", std::string(16 * 1024 * 1024, ' '));
       }},
  };
}

class BadInputTest : public ::testing::Test {
 protected:
  // After each row: the node is up and other clients are unaffected.
  void expectNodeUnharmed(const ParleyProcess& parley, TurmsClient& bystander,
                          const std::string& row) {
    EXPECT_EQ(httpRequest(parley.adminPort(), "GET", "/health").status, 200) << row;
    bystander.sendHeartbeat();
    EXPECT_TRUE(bystander.waitFor(isHeartbeat, kRequestTimeout).has_value()) << row;
  }

  void walk(const ParleyProcess& parley, const std::vector<Row>& rows) {
    auto bystander = loggedIn(parley, 20);
    for (const Row& row : rows) {
      const std::string name = row.entry_point + ": " + row.input;
      EXPECT_EQ(row.send(parley), row.expected) << name;
      expectNodeUnharmed(parley, *bystander, name);
    }
  }
};

TEST_F(BadInputTest, ClientPortsAndTheAdminApiAnswerEachBadInputExactly) {
  ParleyProcess parley;
  walk(parley, clientRows());
  walk(parley, adminRows());
}

TEST_F(BadInputTest, NodeRpcRefusesBytesThatAreNotAHandshake) {
  RedisTopology redis(RedisTopologyKind::kSingle);
  ParleyProcess parley({.extra_args = {"--redis-session-uris=" + redis.sessionUris(),
                                       "--rpc-port=0", "--rpc-bind=127.0.0.1"}});
  ASSERT_NE(parley.rpcPort(), 0);
  auto bystander = loggedIn(parley, 20);
  for (const std::string& garbage :
       {std::string("GET / HTTP/1.1\r\n\r\n"), std::string(64, '\0'), std::string(4096, '\xff')}) {
    auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", parley.rpcPort());
    try {
      client->sendRaw(garbage);
    } catch (const std::runtime_error&) {
    }
  }
  EXPECT_TRUE(eventually([&] {
    return metricValue(parley.adminPort(), "parley_rpc_auth_failures_total") >= 3;
  })) << metricValue(parley.adminPort(), "parley_rpc_auth_failures_total");
  expectNodeUnharmed(parley, *bystander, "rpc garbage");
}

// TLS handshakes that fail, on every TLS port: each connection is closed before anything reaches
// the gateway or the admin routes, and clients that speak TLS properly are served throughout.
TEST_F(BadInputTest, TlsPortsCloseHandshakesThatFailAndServeEveryoneElse) {
  TempDir dir("parley-bad-tls");
  const auto certs = writeTestCertificates(dir.path().string());
  TempDir other_dir("parley-bad-tls-other");
  const auto other = writeTestCertificates(other_dir.path().string());
  ParleyProcess parley(
      {.extra_args = {"--ws-tls=true", "--tcp-tls=true",
                      "--tls-cert-file=" + certs.server_cert_file,
                      "--tls-key-file=" + certs.server_key_file, "--admin-https=true",
                      "--admin-tls-cert-file=" + certs.server_cert_file,
                      "--admin-tls-key-file=" + certs.server_key_file}});
  TlsTunnel tcp(parley.tcpPort(), {certs.ca_file});
  TlsTunnel https(parley.adminPort(), {certs.ca_file});
  auto bystander = TurmsClient::connect(Transport::kTcp, "127.0.0.1", tcp.port());
  ASSERT_EQ(bystander->login(20, "123", pb::DESKTOP, kRequestTimeout).code(), 1000);

  // Bytes as they are, on a bare socket (the WebSocket port too: no upgrade is attempted).
  const auto raw = [](uint16_t port, const std::string& bytes) {
    auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", port);
    try {
      client->sendRaw(bytes);
    } catch (const std::runtime_error&) {
    }
    return outcome(*client);
  };
  // A TLS record header announcing a handshake, then bytes that are no ClientHello.
  std::string bad_hello = {'\x16', '\x03', '\x01', '\x00', '\x40'};
  bad_hello += std::string(64, '\x7f');
  const std::vector<std::pair<std::string, std::function<std::string()>>> rows = {
      {"tcp: a plaintext frame", [&] { return raw(parley.tcpPort(), "\x05hello"); }},
      {"tcp: a handshake record that is no ClientHello",
       [&] { return raw(parley.tcpPort(), bad_hello); }},
      {"ws: a plaintext upgrade request",
       [&] {
         return raw(parley.wsPort(), "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n");
       }},
      {"tcp: a client that does not trust the certificate",
       [&] {
         TlsTunnel distrustful(parley.tcpPort(), {other.ca_file});
         auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", distrustful.port());
         client->sendHeartbeat();
         return outcome(*client);
       }},
      {"admin: plain HTTP on the HTTPS port",
       [&] {
         try {
           return httpOutcome(httpRequest(parley.adminPort(), "GET", "/health"));
         } catch (const std::runtime_error&) {
           return std::string("no HTTP answer");
         }
       }},
  };
  const std::vector<std::string> expected = {"closed", "closed", "closed", "closed",
                                             "no HTTP answer"};
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].second(), expected[i]) << rows[i].first;
    EXPECT_EQ(httpRequest(https.port(), "GET", "/health").status, 200) << rows[i].first;
    bystander->sendHeartbeat();
    EXPECT_TRUE(bystander->waitFor(isHeartbeat, kRequestTimeout).has_value()) << rows[i].first;
  }
}

TEST(BadConfigTest, EachBadValueStopsStartUpNamingItsKey) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> rows = {
      {{"--ws-port=70000"}, "gateway.ws-port"},
      {{"--no-such-flag=1"}, "--no-such-flag"},
      {{"--throttle-ip-requests-capacity=0"}, "gateway.throttle.ip-requests.capacity"},
      {{"--auto-block-levels=10:x:1"}, "blocklist.auto-block.levels"},
      {{"--redis-session-uris=http://x"}, "redis"},
      {{"--ws-tls=true"}, "gateway.tls.cert-file"},
      {{"--admin-tls-cert-file=a.pem", "--admin-tls-key-file=a.key"}, "admin.https"},
      {{"--redis-session-uris=redis://127.0.0.1:1", "--redis-tls-ca-file=ca.pem"}, "redis.tls"},
  };
  for (const auto& [args, key] : rows) {
    const RunResult run = runParleyToExit(args);
    EXPECT_NE(run.exit_code, 0) << args.front();
    EXPECT_NE(run.output.find(key), std::string::npos) << args.front() << ": " << run.output;
  }
}

}  // namespace
}  // namespace parley::testing
