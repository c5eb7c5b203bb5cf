// MongoStore behaviour beyond the contract suites: start-up against no server, the status while
// the database is down, automatic recovery, and the sequence counter's durable floor.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/config.h"
#include "store/store.h"
#include "testing/ferretdb_process.h"
#include "testing/mongo_store_test_env.h"

namespace parley {
namespace {

using Clock = std::chrono::steady_clock;
using testing::FerretDbProcess;
using testing::MongoStoreTestEnv;

constexpr int kTimeoutMillis = 1000;
// Server selection waits kTimeoutMillis; the rest is slack for a loaded machine.
constexpr auto kFailWithin = std::chrono::milliseconds(kTimeoutMillis * 4);

UserRecord makeUser(int64_t id) {
  UserRecord user;
  user.id = id;
  user.name = "user-" + std::to_string(id);
  user.registration_date = 1'700'000'000'000;
  user.last_updated_date = 1'700'000'000'000;
  return user;
}

MessageRecord makeMessage(int64_t id, int64_t sequence_id) {
  MessageRecord message;
  message.id = id;
  message.sender_id = 1;
  message.target_id = 2;
  message.delivery_date = 1'700'000'000'000 + id;
  message.text = "m" + std::to_string(id);
  message.sequence_id = sequence_id;
  return message;
}

template <typename Call>
void expectUnavailableQuickly(const char* what, Call call) {
  const auto start = Clock::now();
  const auto result = call();
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(result.ok()) << what;
  EXPECT_EQ(result.status().code, StatusCode::kServerUnavailable)
      << what << ": " << result.status().reason;
  EXPECT_LT(elapsed, kFailWithin) << what;
}

TEST(MongoStoreTest, StartUpWithoutAServerThrowsWithinTheTimeout) {
  auto server = std::make_unique<FerretDbProcess>();
  MongoConfig config;
  config.uri = server->uri();
  config.database = "nobody_home";
  config.timeout_ms = kTimeoutMillis;
  server->kill();
  const auto start = Clock::now();
  EXPECT_THROW(openMongoStore(config), std::runtime_error);
  EXPECT_LT(Clock::now() - start, kFailWithin);
}

TEST(MongoStoreTest, OutageGivesServerUnavailableAndRecoversByItself) {
  FerretDbProcess server;
  MongoStoreTestEnv env(server, kTimeoutMillis);
  std::unique_ptr<Store> store = env.open();
  ASSERT_TRUE(store->users().insert(makeUser(1)).ok());
  ASSERT_TRUE(store->messages().insert(makeMessage(10, 1)).ok());
  const ConversationKey conversation = ConversationKey::privateOf(1, 2);
  // Message 10 already carries sequence id 1: the new counter starts above it.
  ASSERT_EQ(store->sequenceIds().next(conversation).value(), 2);

  server.kill();
  expectUnavailableQuickly("findById", [&] { return store->users().findById(1); });
  expectUnavailableQuickly("insert user", [&] { return store->users().insert(makeUser(2)); });
  expectUnavailableQuickly("insert message",
                           [&] { return store->messages().insert(makeMessage(11, 2)); });
  expectUnavailableQuickly("query messages", [&] {
    MessageQuery query;
    query.recipient_id = 2;
    return store->messages().query(query);
  });
  expectUnavailableQuickly("next sequence id",
                           [&] { return store->sequenceIds().next(conversation); });

  server.start();  // same port, same data
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  Result<std::optional<UserRecord>> found = store->users().findById(1);
  while (!found.ok() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    found = store->users().findById(1);
  }
  ASSERT_TRUE(found.ok()) << "no recovery: " << found.status().reason;
  // Everything acknowledged before the outage is still there, and writes work again.
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE(store->messages().findById(10).value().has_value());
  EXPECT_TRUE(store->users().insert(makeUser(2)).ok());
  EXPECT_EQ(store->sequenceIds().next(conversation).value(), 3);
}

// A counter that does not exist (a new conversation, or the counters were lost) is seeded from the
// highest sequence id stored in the conversation's messages, so ids never go backwards.
TEST(MongoStoreTest, LostCounterIsSeededFromTheMessages) {
  MongoStoreTestEnv env;
  std::unique_ptr<Store> store = env.open();
  ASSERT_TRUE(store->messages().insert(makeMessage(1, 41)).ok());
  ASSERT_TRUE(store->messages().insert(makeMessage(2, 42)).ok());
  EXPECT_EQ(store->sequenceIds().next(ConversationKey::privateOf(2, 1)).value(), 43);
  EXPECT_EQ(store->sequenceIds().next(ConversationKey::privateOf(1, 2)).value(), 44);
  EXPECT_EQ(store->sequenceIds().next(ConversationKey::groupOf(2)).value(), 1);
}

// Two nodes started at once on one empty database: exactly one of them seeds the demo data.
TEST(MongoStoreTest, OnlyOneNodeClaimsDemoSeeding) {
  MongoStoreTestEnv env;
  std::unique_ptr<Store> first = env.open();
  std::unique_ptr<Store> second = env.open();
  auto a = first->claimDemoSeeding();
  auto b = second->claimDemoSeeding();
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_FALSE(*first->claimDemoSeeding());
}

}  // namespace
}  // namespace parley
