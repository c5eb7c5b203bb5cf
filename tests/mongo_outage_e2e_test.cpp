// MongoDB going away under traffic: a client sending messages while FerretDB is killed gets
// SERVER_UNAVAILABLE (1201) within a bounded time, the node stays up (its /health says DOWN, so a
// load balancer can steer around it), sends succeed again by themselves once the database is
// back, and every message acknowledged before is still there.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "support/http_client.h"
#include "support/test_helpers.h"
#include "testing/eventually.h"
#include "testing/ferretdb_process.h"

namespace parley::testing {
namespace {

namespace pb = im::turms::proto;
using Clock = std::chrono::steady_clock;

constexpr int64_t kSender = 2;
constexpr int64_t kRecipient = 3;
// Short, so that an outage shows within about a second (the default is 5 s).
constexpr int kMongoTimeoutMs = 1000;

struct SendOutcome {
  int code = 0;  // -1 = no answer within the client's timeout
  int64_t message_id = 0;
  Clock::time_point answered_at;
  Clock::duration latency;
};

// Sends one private message after another from its own thread (a TurmsClient is used by one
// thread only) and records every outcome, until stopped.
class Traffic {
 public:
  explicit Traffic(const ParleyProcess& parley) : client_(connectTo(parley, Transport::kTcp)) {
    if (client_->login(kSender, "123", pb::DESKTOP).code() != 1000) {
      throw std::runtime_error("login failed");
    }
    thread_ = std::thread([this] { run(); });
  }
  ~Traffic() { stop(); }

  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }

  std::vector<SendOutcome> outcomes() const {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }

  // Waits (bounded) until an outcome at or after `since` satisfies `predicate`.
  template <typename Predicate>
  std::optional<SendOutcome> waitFor(Clock::time_point since, std::chrono::milliseconds timeout,
                                     Predicate predicate) const {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      for (const auto& outcome : outcomes()) {
        if (outcome.answered_at >= since && predicate(outcome)) return outcome;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

 private:
  void run() {
    for (int i = 0; !stopping_; ++i) {
      pb::TurmsRequest request;
      request.mutable_create_message_request()->set_recipient_id(kRecipient);
      request.mutable_create_message_request()->set_text("traffic " + std::to_string(i));
      SendOutcome outcome;
      const auto sent_at = Clock::now();
      try {
        // Longer than the Mongo timeout, so that a slow "unavailable" is told from no answer.
        auto response = client_->request(request, std::chrono::seconds(10));
        outcome.code = response.code();
        if (outcome.code == 1000) outcome.message_id = response.data().long_();
      } catch (const std::exception&) {
        outcome.code = -1;
      }
      outcome.answered_at = Clock::now();
      outcome.latency = outcome.answered_at - sent_at;
      {
        std::lock_guard lock(mutex_);
        outcomes_.push_back(outcome);
      }
      if (outcome.code == -1) return;  // the connection is gone; the test fails on this
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  std::unique_ptr<TurmsClient> client_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<SendOutcome> outcomes_;
  std::thread thread_;
};

TEST(MongoOutage, SendersGetUnavailableNodeStaysUpServiceResumesNothingAcknowledgedIsLost) {
  FerretDbProcess ferretdb;
  ParleyProcess parley({.extra_args = {"--mongo-uri=" + ferretdb.uri(), "--mongo-database=outage",
                                       "--mongo-timeout-ms=" + std::to_string(kMongoTimeoutMs)},
                        .demo_user_count = 5});
  Traffic traffic(parley);
  auto isOk = [](const SendOutcome& o) { return o.code == 1000; };
  auto acknowledgedCount = [&] {
    auto all = traffic.outcomes();
    return std::count_if(all.begin(), all.end(), isOk);
  };
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (acknowledgedCount() < 10 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(acknowledgedCount(), 10) << "no traffic before the outage";

  auto healthStatus = [&] { return httpRequest(parley.adminPort(), "GET", "/health").status; };
  EXPECT_EQ(healthStatus(), 200);
  EXPECT_EQ(metricValue(parley.adminPort(), "parley_store_up"), 1);

  // The outage: the database dies without closing anything properly.
  ferretdb.kill();
  const auto killed_at = Clock::now();
  auto unavailable = traffic.waitFor(killed_at, std::chrono::seconds(15),
                                     [](const SendOutcome& o) { return o.code != 1000; });
  ASSERT_TRUE(unavailable.has_value()) << "sends kept succeeding with the database down";
  EXPECT_EQ(unavailable->code, 1201) << "expected SERVER_UNAVAILABLE";
  // Server selection, socket and write timeouts are each kMongoTimeoutMs; a send touches the
  // database at most a few times.
  EXPECT_LT(unavailable->answered_at - killed_at, std::chrono::seconds(8));
  EXPECT_TRUE(eventually([&] { return healthStatus() == 503; })) << "/health stayed UP";
  EXPECT_EQ(metricValue(parley.adminPort(), "parley_store_up"), 0);
  // Keep the database down a little longer so several sends fail, then bring it back.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  ASSERT_EQ(::kill(parley.pid(), 0), 0) << "the node died with its database";

  ferretdb.start();
  const auto restarted_at = Clock::now();
  auto resumed = traffic.waitFor(restarted_at, std::chrono::seconds(30), isOk);
  ASSERT_TRUE(resumed.has_value()) << "sends did not succeed again after the database returned";
  // A few more successes, then stop the traffic.
  const auto more = traffic.waitFor(resumed->answered_at + std::chrono::milliseconds(1),
                                    std::chrono::seconds(10), isOk);
  EXPECT_TRUE(more.has_value());
  traffic.stop();
  EXPECT_TRUE(eventually([&] { return healthStatus() == 200; })) << "/health stayed DOWN";
  EXPECT_EQ(metricValue(parley.adminPort(), "parley_store_up"), 1);

  const auto outcomes = traffic.outcomes();
  std::set<int64_t> acknowledged;
  int unavailable_count = 0;
  for (const auto& outcome : outcomes) {
    // Every send got an answer, and every failure said what it was.
    EXPECT_TRUE(outcome.code == 1000 || outcome.code == 1201) << "code " << outcome.code;
    EXPECT_LT(outcome.latency, std::chrono::seconds(8));
    if (outcome.code == 1000) acknowledged.insert(outcome.message_id);
    if (outcome.code == 1201) ++unavailable_count;
  }
  EXPECT_GE(unavailable_count, 1);

  auto recipient = connectTo(parley, Transport::kTcp);
  ASSERT_EQ(recipient->login(kRecipient, "123", pb::DESKTOP).code(), 1000);
  pb::TurmsRequest query;
  query.mutable_query_messages_request()->set_are_group_messages(false);
  query.mutable_query_messages_request()->add_from_ids(kSender);
  auto response = recipient->request(query);
  ASSERT_EQ(response.code(), 1000);
  std::set<int64_t> stored;
  for (const auto& message : response.data().messages().messages()) stored.insert(message.id());
  for (const int64_t id : acknowledged) {
    EXPECT_TRUE(stored.count(id)) << "acknowledged message " << id << " was lost";
  }
  std::cout << "outage: " << outcomes.size() << " sends, " << acknowledged.size()
            << " acknowledged, " << unavailable_count << " unavailable; first 1201 after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(unavailable->answered_at -
                                                                     killed_at)
                   .count()
            << " ms; resumed "
            << std::chrono::duration_cast<std::chrono::milliseconds>(resumed->answered_at -
                                                                     restarted_at)
                   .count()
            << " ms after the restart\n";
  EXPECT_EQ(parley.terminate(), 0);
}

}  // namespace
}  // namespace parley::testing
