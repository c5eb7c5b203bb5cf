// Two TlsEngines talking through strings, and the contexts they are made from: the handshake,
// data both ways, certificate checks, client certificates, bad input and reloading.
#include "net/tls_engine.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "net/tls_context.h"
#include "testing/temp_dir.h"
#include "testing/test_certificates.h"

namespace parley::net {
namespace {

using parley::testing::TempDir;
using parley::testing::TestCertificates;
using parley::testing::writeTestCertificates;
using FeedResult = TlsEngine::FeedResult;

// A client and a server engine; pump() moves output across until both have nothing to say.
struct Pair {
  Pair(const TlsContext& client_context, const TlsContext& server_context,
       const std::string& server_name = "127.0.0.1")
      : client(client_context, TlsEngine::Role::kClient, server_name),
        server(server_context, TlsEngine::Role::kServer) {
    client.startHandshake();
  }

  // Returns the last result other than kOk, or kOk.
  FeedResult pump() {
    FeedResult result = FeedResult::kOk;
    for (int round = 0; round < 20; ++round) {
      if (client.output().empty() && server.output().empty()) break;
      const std::string to_server = std::exchange(client.output(), {});
      const auto at_server = server.feed(to_server, [&](std::span<char> plain) {
        at_server_text.append(plain.data(), plain.size());
        return true;
      });
      if (at_server != FeedResult::kOk) result = at_server;
      const std::string to_client = std::exchange(server.output(), {});
      const auto at_client = client.feed(to_client, [&](std::span<char> plain) {
        at_client_text.append(plain.data(), plain.size());
        return true;
      });
      if (at_client != FeedResult::kOk) result = at_client;
      if (result == FeedResult::kFailed) break;
    }
    return result;
  }

  TlsEngine client;
  TlsEngine server;
  std::string at_server_text;
  std::string at_client_text;
};

class TlsEngineTest : public ::testing::Test {
 protected:
  TempDir dir_{"parley-tls-engine"};
  TestCertificates certs_ = writeTestCertificates(dir_.path().string());
  std::shared_ptr<const TlsContext> server_ =
      TlsContext::forServer({certs_.server_cert_file, certs_.server_key_file});
  std::shared_ptr<const TlsContext> client_ = TlsContext::forClient({certs_.ca_file});
};

TEST_F(TlsEngineTest, HandshakeThenDataBothWaysAcrossRecordBoundaries) {
  Pair pair(*client_, *server_);
  ASSERT_EQ(pair.pump(), FeedResult::kOk) << pair.client.error() << pair.server.error();
  ASSERT_TRUE(pair.client.established());
  ASSERT_TRUE(pair.server.established());

  // More than one record's worth (16 KiB) each way.
  const std::string request(40'000, 'q');
  const std::string answer(70'000, 'a');
  ASSERT_TRUE(pair.client.encrypt(request));
  ASSERT_TRUE(pair.server.encrypt(answer));
  ASSERT_EQ(pair.pump(), FeedResult::kOk);
  EXPECT_EQ(pair.at_server_text, request);
  EXPECT_EQ(pair.at_client_text, answer);
  EXPECT_EQ(pair.client.peerSubject(), "/CN=parley-test-server");
}

TEST_F(TlsEngineTest, CiphertextFedAByteAtATimeArrivesWhole) {
  Pair pair(*client_, *server_);
  ASSERT_EQ(pair.pump(), FeedResult::kOk);
  ASSERT_TRUE(pair.client.encrypt("hello, server"));
  const std::string records = std::exchange(pair.client.output(), {});
  std::string received;
  for (char byte : records) {
    ASSERT_EQ(pair.server.feed(std::string_view(&byte, 1),
                               [&](std::span<char> plain) {
                                 received.append(plain.data(), plain.size());
                                 return true;
                               }),
              FeedResult::kOk);
  }
  EXPECT_EQ(received, "hello, server");
}

TEST_F(TlsEngineTest, InputAReaderWasNotReadyForIsKeptForTheNextFeed) {
  Pair pair(*client_, *server_);
  ASSERT_EQ(pair.pump(), FeedResult::kOk);
  ASSERT_TRUE(pair.client.encrypt("first"));
  ASSERT_TRUE(pair.client.encrypt("second"));  // a record of its own
  const std::string records = std::exchange(pair.client.output(), {});
  std::string received;
  ASSERT_EQ(pair.server.feed(records,
                             [&](std::span<char> plain) {
                               received.append(plain.data(), plain.size());
                               return false;  // not ready for more
                             }),
            FeedResult::kOk);
  EXPECT_EQ(received, "first");
  EXPECT_TRUE(pair.server.hasUnread());
  ASSERT_EQ(pair.server.feed({},
                             [&](std::span<char> plain) {
                               received.append(plain.data(), plain.size());
                               return true;
                             }),
            FeedResult::kOk);
  EXPECT_EQ(received, "firstsecond");
  EXPECT_FALSE(pair.server.hasUnread());
}

TEST_F(TlsEngineTest, AClientRefusesAServerItsCaDidNotSign) {
  TempDir other_dir("parley-tls-other");
  const auto other = writeTestCertificates(other_dir.path().string());
  const auto trusting_other = TlsContext::forClient({other.ca_file});
  Pair pair(*trusting_other, *server_);
  EXPECT_EQ(pair.pump(), FeedResult::kFailed);
  EXPECT_NE(pair.client.error().find("certificate"), std::string::npos) << pair.client.error();
  EXPECT_FALSE(pair.client.established());
}

TEST_F(TlsEngineTest, AClientRefusesACertificateForAnotherName) {
  Pair pair(*client_, *server_, "chat.example.com");
  EXPECT_EQ(pair.pump(), FeedResult::kFailed);
  EXPECT_NE(pair.client.error().find("hostname mismatch"), std::string::npos)
      << pair.client.error();
}

TEST_F(TlsEngineTest, PlaintextToATlsServerFailsTheSession) {
  TlsEngine server(*server_, TlsEngine::Role::kServer);
  EXPECT_EQ(server.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n", [](std::span<char>) { return true; }),
            FeedResult::kFailed);
  EXPECT_FALSE(server.error().empty());
  EXPECT_FALSE(server.established());
}

TEST_F(TlsEngineTest, ARequiredClientCertificateIsCheckedAgainstTheClientCa) {
  const auto demanding = TlsContext::forServer(
      {certs_.server_cert_file, certs_.server_key_file, certs_.ca_file, true});
  {
    Pair without_certificate(*client_, *demanding);
    EXPECT_EQ(without_certificate.pump(), FeedResult::kFailed);
    EXPECT_FALSE(without_certificate.server.established());
    EXPECT_NE(without_certificate.server.error().find("certificate"), std::string::npos)
        << without_certificate.server.error();
  }
  const auto with_certificate_context =
      TlsContext::forClient({certs_.ca_file, certs_.client_cert_file, certs_.client_key_file});
  Pair with_certificate(*with_certificate_context, *demanding);
  ASSERT_EQ(with_certificate.pump(), FeedResult::kOk) << with_certificate.server.error();
  ASSERT_TRUE(with_certificate.client.encrypt("let me in"));
  ASSERT_EQ(with_certificate.pump(), FeedResult::kOk);
  EXPECT_EQ(with_certificate.at_server_text, "let me in");
  EXPECT_EQ(with_certificate.server.peerSubject(), "/CN=parley-test-client");
}

TEST_F(TlsEngineTest, CloseNotifyEndsThePeersInput) {
  Pair pair(*client_, *server_);
  ASSERT_EQ(pair.pump(), FeedResult::kOk);
  pair.client.closeNotify();
  EXPECT_EQ(pair.pump(), FeedResult::kPeerClosed);
}

TEST_F(TlsEngineTest, ContextsExplainMissingAndMismatchedFiles) {
  try {
    TlsContext::forServer({dir_.file("missing.pem"), certs_.server_key_file});
    FAIL() << "a missing certificate file loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos) << e.what();
  }
  try {
    TlsContext::forServer({certs_.server_cert_file, certs_.client_key_file});
    FAIL() << "a key of another certificate loaded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("does not match"), std::string::npos) << e.what();
  }
  EXPECT_NE(server_->certificateSummary().find("CN=parley-test-server"), std::string::npos);
  EXPECT_NE(server_->certificateSummary().find("valid until"), std::string::npos);
}

TEST_F(TlsEngineTest, AReloadTakesNewFilesAndAFailedOneKeepsTheOldContext) {
  TempDir live_dir("parley-tls-live");
  const auto live = writeTestCertificates(live_dir.path().string(), "first-certificate");
  ReloadableTlsContext reloadable(TlsServerFiles{live.server_cert_file, live.server_key_file});
  const auto before = reloadable.current();
  EXPECT_NE(before->certificateSummary().find("first-certificate"), std::string::npos);

  TempDir next_dir("parley-tls-next");
  const auto next = writeTestCertificates(next_dir.path().string(), "second-certificate");
  std::filesystem::copy_file(next.server_cert_file, live.server_cert_file,
                             std::filesystem::copy_options::overwrite_existing);
  // The certificate alone changed: its key no longer matches, so the reload must fail.
  const auto mismatch = reloadable.reload();
  ASSERT_TRUE(mismatch.has_value());
  EXPECT_NE(mismatch->find("does not match"), std::string::npos) << *mismatch;
  EXPECT_EQ(reloadable.current(), before);

  std::filesystem::copy_file(next.server_key_file, live.server_key_file,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_FALSE(reloadable.reload().has_value());
  EXPECT_NE(reloadable.current()->certificateSummary().find("second-certificate"),
            std::string::npos);
  // The context sessions began with stays usable after the reload: they hold a reference.
  const auto trusting_live = TlsContext::forClient({live.ca_file});
  Pair live_session(*trusting_live, *before);
  EXPECT_EQ(live_session.pump(), FeedResult::kOk) << live_session.client.error();
}

}  // namespace
}  // namespace parley::net
