// wss:// and TLS over the TCP port, through real sockets and a CA made by the test. The test
// client speaks plaintext to a loopback TlsTunnel, which carries it to the node over TLS and
// checks the node's certificate, so what reaches the node is what a TLS client sends.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>

#include "redis/redis_server_process.h"
#include "support/client_requests.h"
#include "support/http_client.h"
#include "support/test_helpers.h"
#include "support/tls_tunnel.h"
#include "testing/eventually.h"
#include "testing/ferretdb_process.h"
#include "testing/test_certificates.h"

namespace parley::testing {
namespace {

using requests::isMessagePush;
using requests::kRequestTimeout;
using requests::sendPrivate;

ParleyOptions tlsOptions(const TestCertificates& certs, std::vector<std::string> more = {}) {
  ParleyOptions options;
  options.extra_args = {"--ws-tls=true", "--tcp-tls=true",
                        "--tls-cert-file=" + certs.server_cert_file,
                        "--tls-key-file=" + certs.server_key_file};
  options.extra_args.insert(options.extra_args.end(), more.begin(), more.end());
  return options;
}

uint16_t portOf(const ParleyProcess& parley, Transport transport) {
  return transport == Transport::kWebSocket ? parley.wsPort() : parley.tcpPort();
}

std::unique_ptr<TurmsClient> loggedInThrough(const TlsTunnel& tunnel, Transport transport,
                                             int64_t user) {
  auto client = TurmsClient::connect(transport, "127.0.0.1", tunnel.port());
  const auto response = client->login(user, "123", im::turms::proto::DESKTOP, kRequestTimeout);
  if (response.code() != 1000) {
    throw std::runtime_error("login over TLS failed with " + std::to_string(response.code()));
  }
  return client;
}

// The text of the next message pushed to client, or empty when none comes.
std::string nextPushedText(TurmsClient& client) {
  auto push = client.waitFor(isMessagePush, kRequestTimeout);
  if (!push) return {};
  return push->notification.relayed_request().create_message_request().text();
}

class TlsTest : public ::testing::Test {
 protected:
  TempDir dir_{"parley-tls-e2e"};
  TestCertificates certs_ = writeTestCertificates(dir_.path().string());
};

TEST_F(TlsTest, LoginsAndMessagesOverWssAndTlsTcp) {
  ParleyProcess parley(
      tlsOptions(certs_, {"--max-request-size-bytes=65536", "--max-text-length=50000"}));
  TlsTunnel ws_tunnel(parley.wsPort(), {certs_.ca_file});
  TlsTunnel tcp_tunnel(parley.tcpPort(), {certs_.ca_file});
  auto alice = loggedInThrough(ws_tunnel, Transport::kWebSocket, 1);
  auto bob = loggedInThrough(tcp_tunnel, Transport::kTcp, 2);
  EXPECT_EQ(ws_tunnel.lastServerSubject(), "/CN=parley-test-server");

  ASSERT_EQ(sendPrivate(*alice, 2, "over wss").code(), 1000);
  EXPECT_EQ(nextPushedText(*bob), "over wss");
  // Larger than one TLS record (16 KiB) each way.
  const std::string long_text(40'000, 'x');
  ASSERT_EQ(sendPrivate(*bob, 1, long_text).code(), 1000);
  EXPECT_EQ(nextPushedText(*alice), long_text);
  const auto history = requests::queryMessages(*bob, false, {1});
  EXPECT_FALSE(history.empty());
}

TEST_F(TlsTest, PlaintextOnATlsPortIsRefusedAndTheNodeServesOthers) {
  ParleyProcess parley(tlsOptions(certs_));
  for (auto transport : {Transport::kWebSocket, Transport::kTcp}) {
    SCOPED_TRACE(transportName(transport));
    if (transport == Transport::kWebSocket) {
      // The upgrade request is not a TLS hello: no 101 comes back.
      EXPECT_THROW(TurmsClient::connect(transport, "127.0.0.1", parley.wsPort()),
                   std::runtime_error);
    } else {
      // What a plaintext client sends first: a frame that is not a TLS record.
      auto plain = TurmsClient::connect(transport, "127.0.0.1", parley.tcpPort());
      plain->sendRawFrame(std::string(64, 'x'));
      EXPECT_TRUE(waitForSocketClose(*plain));
    }
    TlsTunnel tunnel(portOf(parley, transport), {certs_.ca_file});
    auto client = loggedInThrough(tunnel, transport, 3);
    EXPECT_EQ(sendPrivate(*client, 4, "still served").code(), 1000);
  }
}

TEST_F(TlsTest, AClientThatDoesNotTrustTheCertificateGetsNoSession) {
  ParleyProcess parley(tlsOptions(certs_));
  TempDir other_dir("parley-tls-other-ca");
  const auto other = writeTestCertificates(other_dir.path().string());
  TlsTunnel distrustful(parley.tcpPort(), {other.ca_file});
  auto client = TurmsClient::connect(Transport::kTcp, "127.0.0.1", distrustful.port());
  client->sendHeartbeat();
  EXPECT_TRUE(waitForSocketClose(*client));
  EXPECT_NE(distrustful.lastError().find("certificate"), std::string::npos)
      << distrustful.lastError();
}

TEST_F(TlsTest, ARequiredClientCertificateDecidesWhoConnects) {
  ParleyProcess parley(tlsOptions(
      certs_, {"--tls-client-ca-file=" + certs_.ca_file, "--tls-require-client-cert=true"}));
  TlsTunnel anonymous(parley.tcpPort(), {certs_.ca_file});
  EXPECT_THROW(loggedInThrough(anonymous, Transport::kTcp, 1), std::runtime_error);

  TlsTunnel identified(parley.tcpPort(),
                       {certs_.ca_file, certs_.client_cert_file, certs_.client_key_file});
  auto client = loggedInThrough(identified, Transport::kTcp, 1);
  EXPECT_EQ(sendPrivate(*client, 2, "with a certificate").code(), 1000);
}

TEST_F(TlsTest, SighupReloadsTheCertificateAndKeepsEverySession) {
  ParleyProcess parley(tlsOptions(certs_));
  TlsTunnel ws_tunnel(parley.wsPort(), {certs_.ca_file});
  TlsTunnel tcp_tunnel(parley.tcpPort(), {certs_.ca_file});
  auto alice = loggedInThrough(ws_tunnel, Transport::kWebSocket, 1);
  auto bob = loggedInThrough(tcp_tunnel, Transport::kTcp, 2);

  // A new certificate from another CA replaces the files in place.
  TempDir next_dir("parley-tls-next");
  const auto next = writeTestCertificates(next_dir.path().string(), "second-certificate");
  const auto overwrite = std::filesystem::copy_options::overwrite_existing;
  std::filesystem::copy_file(next.server_cert_file, certs_.server_cert_file, overwrite);
  std::filesystem::copy_file(next.server_key_file, certs_.server_key_file, overwrite);
  ASSERT_EQ(::kill(parley.pid(), SIGHUP), 0);
  ASSERT_TRUE(eventually([&] { return parley.log().find("reloaded") != std::string::npos; }))
      << parley.log();

  // Sessions opened before keep working, both ways.
  ASSERT_EQ(sendPrivate(*alice, 2, "after the reload").code(), 1000);
  EXPECT_EQ(nextPushedText(*bob), "after the reload");
  ASSERT_EQ(sendPrivate(*bob, 1, "and back").code(), 1000);
  EXPECT_EQ(nextPushedText(*alice), "and back");

  // New connections get the new certificate.
  TlsTunnel next_tunnel(parley.tcpPort(), {next.ca_file});
  auto carol = loggedInThrough(next_tunnel, Transport::kTcp, 3);
  EXPECT_EQ(next_tunnel.lastServerSubject(), "/CN=second-certificate");

  // A reload from a broken key file keeps the certificate in use.
  std::ofstream(certs_.server_key_file) << "not a key\n";
  ASSERT_EQ(::kill(parley.pid(), SIGHUP), 0);
  ASSERT_TRUE(eventually([&] { return parley.log().find("not reloaded") != std::string::npos; }))
      << parley.log();
  TlsTunnel after_failure(parley.tcpPort(), {next.ca_file});
  auto dave = loggedInThrough(after_failure, Transport::kTcp, 4);
  EXPECT_EQ(after_failure.lastServerSubject(), "/CN=second-certificate");
  EXPECT_TRUE(alice->isOpen());
  EXPECT_TRUE(bob->isOpen());
}

TEST_F(TlsTest, TheAdminApiOverHttpsAnswersAndPlainHttpIsRefused) {
  ParleyOptions options;
  options.extra_args = {"--admin-https=true", "--admin-tls-cert-file=" + certs_.server_cert_file,
                        "--admin-tls-key-file=" + certs_.server_key_file};
  ParleyProcess parley(options);
  TlsTunnel https(parley.adminPort(), {certs_.ca_file});
  EXPECT_EQ(httpRequest(https.port(), "GET", "/health").status, 200);
  const std::map<std::string, std::string> owner = {
      {"Authorization", basicAuth("admin", ParleyProcess::kAdminPassword)}};
  const auto roles = httpRequest(https.port(), "GET", "/admins/roles", "", owner);
  EXPECT_EQ(roles.status, 200) << roles.body;
  EXPECT_NE(roles.body.find("OWNER"), std::string::npos) << roles.body;
  EXPECT_EQ(https.lastServerSubject(), "/CN=parley-test-server");

  // A plaintext request is not a TLS hello: no HTTP answer comes back.
  EXPECT_THROW(httpRequest(parley.adminPort(), "GET", "/health"), std::runtime_error);
  EXPECT_EQ(httpRequest(https.port(), "GET", "/health").status, 200);
}

// Two nodes whose shared online state is in a Redis spoken to over TLS only, with a client
// certificate: logins register there, and a message from one node reaches a user on the other.
TEST_F(TlsTest, NodesShareARedisOverTls) {
  using redis::testing::RedisServerProcess;
  RedisServerProcess redis({}, redis::testing::RedisPorts::kClient,
                           redis::testing::RedisPersistence::kNone,
                           redis::testing::RedisTransport::kTls);
  const auto& files = redis.certificates();
  auto node = [&](const std::string& id) {
    ParleyOptions options;
    options.extra_args = {"--node-id=" + id,
                          "--redis-session-uris=" + redis.uri(),
                          "--redis-tls-ca-file=" + files.ca_file,
                          "--redis-tls-cert-file=" + files.client_cert_file,
                          "--redis-tls-key-file=" + files.client_key_file,
                          "--rpc-port=0",
                          "--rpc-bind=127.0.0.1"};
    return options;
  };
  ASSERT_EQ(redis.uri().rfind("rediss://", 0), 0u);
  ParleyProcess a(node("node-a"));
  ParleyProcess b(node("node-b"));
  auto on_a = requests::loggedIn(a, 1);
  auto on_b = requests::loggedIn(b, 2);
  // The session on B was registered in Redis at login: A finds it there and pushes to B.
  ASSERT_EQ(sendPrivate(*on_a, 2, "through rediss").code(), 1000);
  EXPECT_EQ(nextPushedText(*on_b), "through rediss");
  EXPECT_EQ(a.log().find("TLS:"), std::string::npos) << a.log();
}

// The business store over TLS, set in mongo.uri as MongoDB documents it: libmongoc does the TLS,
// and the server asks for a client certificate.
TEST(MongoTlsTest, ANodeStoresAndReadsThroughMongoDbOverTls) {
  TempDir dir("parley-mongo-tls");
  const auto certs = writeTestCertificates(dir.path().string());
  FerretDbProcess mongo(
      FerretDbTlsFiles{certs.server_cert_file, certs.server_key_file, certs.ca_file});
  // libmongoc takes the client certificate and its key in one PEM file.
  const std::string client_pem = dir.file("client-with-key.pem");
  {
    std::ofstream out(client_pem);
    out << std::ifstream(certs.client_cert_file).rdbuf()
        << std::ifstream(certs.client_key_file).rdbuf();
  }
  ParleyOptions options;
  options.extra_args = {"--mongo-uri=mongodb://127.0.0.1:" + std::to_string(mongo.port()) +
                        "/?tls=true&tlsCAFile=" + certs.ca_file +
                        "&tlsCertificateKeyFile=" + client_pem};
  ParleyProcess parley(options);
  auto alice = requests::loggedIn(parley, 1);
  auto bob = requests::loggedIn(parley, 2);
  ASSERT_EQ(sendPrivate(*alice, 2, "stored over TLS").code(), 1000);
  EXPECT_EQ(nextPushedText(*bob), "stored over TLS");
  const auto history = requests::queryMessages(*bob, false, {1});
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().text(), "stored over TLS");

  // A node that does not trust the server's CA cannot use the store: it says so and stops.
  TempDir other_dir("parley-mongo-tls-other");
  const auto other = writeTestCertificates(other_dir.path().string());
  auto distrustful = runParleyToExit(
      {"--data-dir=" + dir.file("data"), "--ws-port=0", "--tcp-port=0", "--admin-port=-1",
       "--mongo-timeout-ms=2000",
       "--mongo-uri=mongodb://127.0.0.1:" + std::to_string(mongo.port()) +
           "/?tls=true&tlsCAFile=" + other.ca_file + "&tlsCertificateKeyFile=" + client_pem});
  EXPECT_EQ(distrustful.exit_code, 1) << distrustful.output;
  EXPECT_NE(distrustful.output.find("cannot reach MongoDB"), std::string::npos)
      << distrustful.output;
}

TEST_F(TlsTest, AMissingOrMismatchedFileStopsStartUpNamingIt) {
  auto missing = runParleyToExit({"--data-dir=" + dir_.file("data"), "--ws-port=0", "--tcp-port=0",
                                  "--admin-port=-1", "--tcp-tls=true",
                                  "--tls-cert-file=" + dir_.file("none.pem"),
                                  "--tls-key-file=" + certs_.server_key_file});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("none.pem"), std::string::npos) << missing.output;

  auto mismatched = runParleyToExit({"--data-dir=" + dir_.file("data"), "--ws-port=0",
                                     "--tcp-port=0", "--admin-port=-1", "--ws-tls=true",
                                     "--tls-cert-file=" + certs_.server_cert_file,
                                     "--tls-key-file=" + certs_.client_key_file});
  EXPECT_EQ(mismatched.exit_code, 1);
  EXPECT_NE(mismatched.output.find("does not match"), std::string::npos) << mismatched.output;
}

}  // namespace
}  // namespace parley::testing
