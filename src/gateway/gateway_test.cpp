// The gateway without sockets: a fake Connection records what the gateway writes, so heartbeat,
// login and close handling are tested as plain function calls.
#include "gateway/gateway.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/password_hasher.h"
#include "net/io_pool.h"
#include "online/session_registry.h"
#include "service/dispatcher.h"
#include "store/store.h"
#include "testing/eventually.h"
#include "testing/fast_password_hasher.h"
#include "testing/manual_clock.h"
#include "testing/sqlite_store_test_env.h"
#include "turms/turms_notification.pb.h"
#include "turms/turms_request.pb.h"

namespace parley {
namespace {

namespace pb = im::turms::proto;
using namespace std::chrono_literals;

// Runs posted work inline (tests call the gateway from one thread, like an io thread would).
class FakeConnection final : public net::Connection {
 public:
  explicit FakeConnection(uint64_t id) : id_(id) {}
  uint64_t id() const override { return id_; }
  std::string_view transport() const override { return "tcp"; }
  const std::string& remoteAddress() const override { return address_; }
  void send(net::Payload payload) override { record(std::move(payload), false); }
  void close(net::Payload last) override { record(std::move(last), true); }
  void post(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      posted_from_ = std::this_thread::get_id();
    }
    fn();
  }
  // The thread of the last post(): where the work that answers a request ran.
  std::thread::id postedFrom() {
    std::lock_guard lock(mutex_);
    return posted_from_;
  }

  // Waits for the next written frame; nullopt on timeout.
  std::optional<std::pair<std::string, bool>> next(std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return !frames_.empty(); })) return std::nullopt;
    auto frame = frames_.front();
    frames_.pop_front();
    return frame;
  }

 private:
  void record(net::Payload payload, bool closing) {
    std::lock_guard lock(mutex_);
    frames_.emplace_back(payload ? *payload : std::string(), closing);
    cv_.notify_all();
  }

  uint64_t id_;
  std::string address_ = "127.0.0.1:1";
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, bool>> frames_;
  std::thread::id posted_from_;
};

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store_env_.open();
    hasher_ = std::make_unique<PasswordHasher>(testing::fastPasswordHasherOptions(),
                                               SystemClock::instance());
    UserRecord user;
    user.id = 1;
    user.password_hash = hasher_->hash("123");
    ASSERT_TRUE(store_->users().insert(user).ok());
    registry_ = makeInProcessSessionRegistry();
    pool_ = std::make_unique<net::IoPool>(1, 1);
    GatewayDeps deps{config_,     "node-a",        *pool_,
                     dispatcher_, store_->users(), *registry_,
                     *hasher_,    metrics_,        SystemClock::instance()};
    // SQLite and an in-process registry, as on the embedded node: logins run on compute threads.
    deps.local_backends = true;
    gateway_ = std::make_unique<Gateway>(std::move(deps));
    pool_->start();
  }
  void TearDown() override { pool_->stop(); }

  std::shared_ptr<FakeConnection> open() {
    auto connection = std::make_shared<FakeConnection>(next_id_++);
    gateway_->onOpen(connection);
    return connection;
  }
  static std::string loginFrame(int64_t user, const std::string& password, int device = 0) {
    pb::TurmsRequest request;
    request.set_request_id(9);
    auto* create = request.mutable_create_session_request();
    create->set_version(1);
    create->set_user_id(user);
    create->set_password(password);
    create->set_device_type(static_cast<pb::DeviceType>(device));
    return request.SerializeAsString();
  }
  static pb::TurmsNotification decode(const std::string& bytes) {
    pb::TurmsNotification notification;
    EXPECT_TRUE(notification.ParseFromString(bytes));
    return notification;
  }

  GatewayConfig config_;
  testing::SqliteStoreTestEnv store_env_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<PasswordHasher> hasher_;
  std::unique_ptr<SessionRegistry> registry_;
  std::unique_ptr<net::IoPool> pool_;
  Metrics metrics_;
  Dispatcher dispatcher_;
  std::unique_ptr<Gateway> gateway_;
  uint64_t next_id_ = 1;
};

TEST_F(GatewayTest, HeartbeatWithoutSessionIsAnsweredWithMinus100And2104) {
  auto connection = open();
  gateway_->onFrame(connection, "");
  auto frame = connection->next();
  ASSERT_TRUE(frame.has_value());
  auto notification = decode(frame->first);
  EXPECT_EQ(notification.request_id(), -100);
  EXPECT_EQ(notification.code(), 2104);
  EXPECT_FALSE(frame->second) << "a heartbeat failure does not close the connection";
}

TEST_F(GatewayTest, HeartbeatOfASessionIsAnsweredWithAnEmptyFrame) {
  auto connection = open();
  gateway_->onFrame(connection, loginFrame(1, "123"));
  auto response = connection->next();
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(decode(response->first).code(), 1000);
  auto session_info = connection->next();
  ASSERT_TRUE(session_info.has_value());
  EXPECT_EQ(decode(session_info->first).data().user_session().server_id(), "node-a");
  gateway_->onFrame(connection, "");
  auto beat = connection->next();
  ASSERT_TRUE(beat.has_value());
  EXPECT_TRUE(beat->first.empty());
}

TEST_F(GatewayTest, WrongPasswordKeepsTheConnectionAndRegistersNothing) {
  auto connection = open();
  gateway_->onFrame(connection, loginFrame(1, "nope"));
  auto response = connection->next();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(decode(response->first).code(), 2011);
  EXPECT_FALSE(response->second);
  int64_t user = 1;
  auto online = registry_->query(std::span<const int64_t>(&user, 1));
  ASSERT_TRUE(online.ok());
  EXPECT_TRUE((*online)[0].devices.empty());
}

TEST_F(GatewayTest, SameDeviceLoginKicksTheOldConnectionAndItsCloseKeepsTheNewSession) {
  auto first = open();
  gateway_->onFrame(first, loginFrame(1, "123"));
  ASSERT_EQ(decode(first->next()->first).code(), 1000);
  first->next();  // session info
  auto second = open();
  gateway_->onFrame(second, loginFrame(1, "123"));
  ASSERT_EQ(decode(second->next()->first).code(), 1000);
  auto kick = first->next();
  ASSERT_TRUE(kick.has_value());
  EXPECT_TRUE(kick->second);
  EXPECT_EQ(decode(kick->first).close_status(), 501);
  gateway_->onClosed(first);  // the transport reports the old socket gone
  int64_t user = 1;
  auto online = registry_->query(std::span<const int64_t>(&user, 1));
  ASSERT_TRUE(online.ok());
  ASSERT_EQ((*online)[0].devices.size(), 1u) << "the kicked session must not unregister the new";
  EXPECT_EQ(gateway_->sessionCount(), 1u);
}

TEST_F(GatewayTest, UndecodableFrameClosesWithIllegalRequest) {
  auto connection = open();
  gateway_->onFrame(connection, std::string("\xff\xff\xff", 3));
  auto frame = connection->next();
  ASSERT_TRUE(frame.has_value());
  EXPECT_TRUE(frame->second);
  auto notification = decode(frame->first);
  EXPECT_EQ(notification.close_status(), 100);
  EXPECT_EQ(notification.code(), 1100);
}

TEST_F(GatewayTest, CloseAllSendsServerClosed) {
  auto connection = open();
  gateway_->closeAll();
  auto frame = connection->next();
  ASSERT_TRUE(frame.has_value());
  EXPECT_TRUE(frame->second);
  EXPECT_EQ(decode(frame->first).close_status(), 201);
}

// With local backends a login whose password was verified recently (a reconnect) is done on the
// io thread, here the test's. One that needs Argon2 goes to the compute threads, a wrong password
// included.
TEST_F(GatewayTest, ALoginVerifiedRecentlyIsDoneOnTheIoThreadAndArgon2Elsewhere) {
  struct Outcome {
    int code = 0;
    bool on_io_thread = false;
  };
  const auto login = [&](const std::string& password, int device) {
    auto connection = open();
    gateway_->onFrame(connection, loginFrame(1, password, device));
    const auto answer = connection->next();
    EXPECT_TRUE(answer.has_value());
    return Outcome{answer ? decode(answer->first).code() : 0,
                   connection->postedFrom() == std::this_thread::get_id()};
  };
  const Outcome first = login("123", pb::ANDROID);
  EXPECT_EQ(first.code, 1000);
  EXPECT_FALSE(first.on_io_thread) << "Argon2";
  const Outcome again = login("123", pb::IOS);
  EXPECT_EQ(again.code, 1000);
  EXPECT_TRUE(again.on_io_thread) << "verified recently";
  const Outcome wrong = login("1234", pb::DESKTOP);
  EXPECT_EQ(wrong.code, 2011);
  EXPECT_FALSE(wrong.on_io_thread) << "a wrong password always costs Argon2";
  EXPECT_EQ(hasher_->stats().full_verifications, 2u);
  EXPECT_EQ(hasher_->stats().cache_hits, 1u);
}

// With local backends an asynchronous handler (CreateMessageRequest's kind) waits for nothing, so
// it runs on the connection's io thread, here the test's; a synchronous one may wait (a write's
// commit), so it runs on the blocking pool.
TEST_F(GatewayTest, AsynchronousHandlersRunOnTheIoThreadAndOthersOnTheBlockingPool) {
  std::thread::id async_thread;
  std::thread::id sync_thread;
  dispatcher_.addAsync(pb::TurmsRequest::kCreateMessageRequest,
                       [&](const RequestContext&, const pb::TurmsRequest&, Reply reply) {
                         async_thread = std::this_thread::get_id();
                         reply(HandlerResult::ok());
                       });
  dispatcher_.add(pb::TurmsRequest::kQueryUserProfilesRequest,
                  [&](const RequestContext&, const pb::TurmsRequest&) {
                    sync_thread = std::this_thread::get_id();
                    return HandlerResult::ok();
                  });
  auto connection = open();
  gateway_->onFrame(connection, loginFrame(1, "123"));
  ASSERT_EQ(decode(connection->next()->first).code(), 1000);
  connection->next();  // session info

  pb::TurmsRequest message;
  message.set_request_id(10);
  message.mutable_create_message_request()->set_recipient_id(2);
  gateway_->onFrame(connection, message.SerializeAsString());
  auto answer = connection->next();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(decode(answer->first).request_id(), 10);
  EXPECT_EQ(async_thread, std::this_thread::get_id());

  pb::TurmsRequest query;
  query.set_request_id(11);
  query.mutable_query_user_profiles_request()->add_user_ids(1);
  gateway_->onFrame(connection, query.SerializeAsString());
  answer = connection->next();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(decode(answer->first).request_id(), 11);
  EXPECT_NE(sync_thread, std::thread::id());
  EXPECT_NE(sync_thread, std::this_thread::get_id());
}

// A session's verification is renewed in the shared cache while the session lives, however long
// ago it logged in: the embedded node's level here, whose rows show the renewed expiry.
TEST(GatewayKeepAliveTest, ALiveSessionsVerificationIsRenewedInTheSharedCache) {
  constexpr int64_t kStart = 1'800'000'000'000;
  constexpr int64_t kTtl = 60'000;
  testing::ManualClock clock(kStart);
  testing::SqliteStoreTestEnv store_env;
  auto store = store_env.open();
  auto shared = store->openVerificationCache(clock, kTtl, 100);
  PasswordHasher hasher(testing::fastPasswordHasherOptions(), clock);
  hasher.useSharedCache(*shared);
  UserRecord user;
  user.id = 1;
  user.password_hash = hasher.hash("123");
  ASSERT_TRUE(store->users().insert(user).ok());
  auto registry = makeInProcessSessionRegistry();
  net::IoPool pool(1, 1);
  GatewayConfig config;
  Metrics metrics;
  Dispatcher dispatcher;
  GatewayDeps deps{config,    "node-a", pool,    dispatcher, store->users(),
                   *registry, hasher,   metrics, clock};
  deps.local_backends = true;
  Gateway gateway(std::move(deps));
  pool.start();
  gateway.start();

  auto connection = std::make_shared<FakeConnection>(1);
  gateway.onOpen(connection);
  pb::TurmsRequest login;
  login.set_request_id(9);
  login.mutable_create_session_request()->set_version(1);
  login.mutable_create_session_request()->set_user_id(1);
  login.mutable_create_session_request()->set_password("123");
  gateway.onFrame(connection, login.SerializeAsString());
  auto answer = connection->next();
  ASSERT_TRUE(answer.has_value());
  pb::TurmsNotification notification;
  ASSERT_TRUE(notification.ParseFromString(answer->first));
  ASSERT_EQ(notification.code(), 1000);

  // Rows of verified_password expiring after `millis` (the writes land behind the login).
  auto rowsExpiringAfter = [&](int64_t millis) {
    auto& db = static_cast<sqlite::SqliteStore&>(*store).db();
    db.waitForQueuedWrites();
    auto lock = db.lock();
    auto count = db.prepare("SELECT count(*) FROM verified_password WHERE expires_at > ?1");
    EXPECT_TRUE(count.ok() && count->bind(1, millis).step().value());
    return count->columnInt64(0);
  };
  EXPECT_TRUE(testing::eventually([&] { return rowsExpiringAfter(kStart) == 1; }));
  // Later than a quarter TTL, the once-a-second sweep renews the entry of the live session.
  clock.advance(50'000);
  EXPECT_TRUE(testing::eventually([&] { return rowsExpiringAfter(kStart + kTtl) == 1; }));
  pool.stop();
}

}  // namespace
}  // namespace parley
