// RedisClient against real redis-server processes (ctest label `redis`): pipelining, AUTH,
// SELECT, the EVALSHA fallback, and what happens when the server dies and comes back.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "redis/redis_client.h"
#include "redis/redis_server_process.h"
#include "testing/eventually.h"
#include "testing/io_threads.h"
#include "testing/log_capture.h"

namespace parley::redis {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using parley::testing::IoThreads;
using testing::RedisServerProcess;

RedisUri uriOf(const std::string& text) {
  auto uri = parseRedisUri(text);
  EXPECT_TRUE(uri.ok()) << uri.status().reason;
  return uri.ok() ? *uri : RedisUri{};
}

RedisClientOptions fastOptions() {
  RedisClientOptions options;
  options.connect_timeout = 500ms;
  options.command_timeout = 500ms;
  options.reconnect_min_delay = 20ms;
  options.reconnect_max_delay = 200ms;
  return options;
}

// Retries a command until it succeeds; the client connects in the background.
Result<RespValue> untilOk(RedisClient& client, std::vector<std::string> args,
                          std::chrono::milliseconds limit = 10s) {
  Result<RespValue> reply = error(StatusCode::kServerUnavailable, "test: not sent");
  parley::testing::eventually(
      [&] {
        reply = client.commandSync(args);
        return reply.ok();
      },
      limit);
  return reply;
}

std::string replyText(const Result<RespValue>& reply) {
  return reply.ok() ? toDebugString(*reply) : "failed: " + reply.status().reason;
}

TEST(RedisClientTest, PingSetGetIncr) {
  RedisServerProcess server;
  IoThreads io;
  RedisClient client(io.context(), uriOf(server.uri()), fastOptions());
  auto pong = untilOk(client, {"PING"});
  ASSERT_TRUE(pong.ok()) << replyText(pong);
  EXPECT_EQ(*pong, RespValue::simpleString("PONG"));
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(*client.commandSync({"SET", "k", std::string("v\r\n\0", 4)}),
            RespValue::simpleString("OK"));
  EXPECT_EQ(*client.commandSync({"GET", "k"}), RespValue::bulk(std::string("v\r\n\0", 4)));
  EXPECT_TRUE(client.commandSync({"GET", "missing"})->isNull());
  EXPECT_EQ(*client.commandSync({"INCR", "n"}), RespValue::fromInteger(1));
  // A Redis error is a reply, not a failed Result.
  auto wrong = client.commandSync({"INCR", "k"});
  ASSERT_TRUE(wrong.ok());
  EXPECT_TRUE(wrong->isErrorCode("ERR"));
}

TEST(RedisClientTest, ThousandPipelinedCommandsCompleteInOrder) {
  RedisServerProcess server;
  IoThreads io;
  RedisClient client(io.context(), uriOf(server.uri()), fastOptions());
  ASSERT_TRUE(untilOk(client, {"PING"}).ok());

  constexpr int kCount = 1000;
  std::mutex mutex;
  std::condition_variable done_cv;
  std::vector<std::string> order;  // callbacks run on the io thread, in reply order
  const auto start = Clock::now();
  // All issued before any reply is awaited: they are in flight together on one connection.
  for (int i = 0; i < kCount; ++i) {
    std::vector<std::string> args;
    if (i % 4 == 0) args = {"INCR", "counter"};
    if (i % 4 == 1) args = {"SET", "key:" + std::to_string(i), std::to_string(i)};
    if (i % 4 == 2) args = {"GET", "key:" + std::to_string(i - 1)};
    if (i % 4 == 3) args = {"PING", std::to_string(i)};
    client.command(std::move(args), [&, i](Result<RespValue> reply) {
      std::lock_guard lock(mutex);
      std::string text = std::to_string(i) + " " + replyText(reply);
      order.push_back(std::move(text));
      if (order.size() == kCount) done_cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(done_cv.wait_for(lock, 10s, [&] { return order.size() == kCount; }));
  }
  const auto elapsed = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  for (int i = 0; i < kCount; ++i) {
    std::string expected = std::to_string(i) + " ";
    if (i % 4 == 0) expected += "(integer) " + std::to_string(i / 4 + 1);
    if (i % 4 == 1) expected += "\"OK\"";
    if (i % 4 == 2) expected += "\"" + std::to_string(i - 1) + "\"";
    if (i % 4 == 3) expected += "\"" + std::to_string(i) + "\"";
    ASSERT_EQ(order[i], expected);
  }
  std::printf("1000 pipelined commands: %.1f ms\n", elapsed);
}

TEST(RedisClientTest, AuthWithRequirepass) {
  RedisServerProcess server({"--requirepass", "s3cret"});
  IoThreads io;
  const std::string hostport = "127.0.0.1:" + std::to_string(server.port());

  RedisClient good(io.context(), uriOf("redis://:s3cret@" + hostport), fastOptions());
  auto pong = untilOk(good, {"PING"});
  EXPECT_TRUE(pong.ok()) << replyText(pong);
  RedisClient acl(io.context(), uriOf("redis://default:s3cret@" + hostport), fastOptions());
  EXPECT_TRUE(untilOk(acl, {"PING"}).ok());

  // Without a password the server answers NOAUTH: a reply, the connection itself is fine.
  RedisClient anonymous(io.context(), uriOf("redis://" + hostport), fastOptions());
  auto noauth = untilOk(anonymous, {"GET", "x"});
  ASSERT_TRUE(noauth.ok()) << replyText(noauth);
  EXPECT_TRUE(noauth->isErrorCode("NOAUTH")) << replyText(noauth);

  // A wrong password never makes the connection ready: commands fail as unavailable.
  RedisClient wrong(io.context(), uriOf("redis://:nope@" + hostport), fastOptions());
  auto failed = wrong.commandSync({"PING"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code, StatusCode::kServerUnavailable);
  EXPECT_FALSE(wrong.connected());
}

TEST(RedisClientTest, SelectDb) {
  RedisServerProcess server;
  IoThreads io;
  RedisClient db3(io.context(), uriOf(server.uri() + "/3"), fastOptions());
  RedisClient db0(io.context(), uriOf(server.uri()), fastOptions());
  ASSERT_TRUE(untilOk(db3, {"SET", "k", "three"}).ok());
  ASSERT_TRUE(untilOk(db0, {"PING"}).ok());
  EXPECT_TRUE(db0.commandSync({"GET", "k"})->isNull());
  EXPECT_EQ(*db3.commandSync({"GET", "k"}), RespValue::bulk("three"));
  EXPECT_EQ(*db0.commandSync({"DBSIZE"}), RespValue::fromInteger(0));

  // A database the server does not have: SELECT fails, and nothing runs in db 0 instead.
  RedisClient bad(io.context(), uriOf(server.uri() + "/99"), fastOptions());
  auto failed = bad.commandSync({"SET", "leak", "1"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code, StatusCode::kServerUnavailable);
  EXPECT_TRUE(db0.commandSync({"GET", "leak"})->isNull());
}

TEST(RedisClientTest, EvalshaFallsBackToEvalAfterScriptFlush) {
  RedisServerProcess server;
  IoThreads io;
  RedisClient client(io.context(), uriOf(server.uri()), fastOptions());
  ASSERT_TRUE(untilOk(client, {"PING"}).ok());
  const RedisScript script("return redis.call('INCRBY', KEYS[1], ARGV[1])");

  // Never loaded: NOSCRIPT, then EVAL.
  auto first = client.evalshaSync(script, {"s"}, {"5"});
  ASSERT_TRUE(first.ok()) << replyText(first);
  EXPECT_EQ(*first, RespValue::fromInteger(5));
  EXPECT_EQ(client.stats().script_reloads, 1u);
  // The EVAL cached it under the SHA1 we computed: a plain EVALSHA hit now.
  EXPECT_EQ(*client.commandSync({"SCRIPT", "EXISTS", script.sha1()}),
            RespValue::array({RespValue::fromInteger(1)}));
  EXPECT_EQ(*client.evalshaSync(script, {"s"}, {"5"}), RespValue::fromInteger(10));
  EXPECT_EQ(client.stats().script_reloads, 1u);

  ASSERT_EQ(*client.commandSync({"SCRIPT", "FLUSH"}), RespValue::simpleString("OK"));
  EXPECT_EQ(*client.evalshaSync(script, {"s"}, {"5"}), RespValue::fromInteger(15));
  EXPECT_EQ(client.stats().script_reloads, 2u);

  // Script errors other than NOSCRIPT come back as they are.
  const RedisScript broken("return redis.call('NOPE')");
  auto error = client.evalshaSync(broken, {}, {});
  ASSERT_TRUE(error.ok());
  EXPECT_TRUE(error->isError()) << replyText(error);
  EXPECT_FALSE(error->isErrorCode("NOSCRIPT"));
}

// The run_id line of INFO server, asked on a connection of its own.
std::string runIdOf(RedisClient& client) {
  auto info = untilOk(client, {"INFO", "server"});
  const std::string& text = info.ok() ? info->str : std::string();
  const size_t at = text.find("run_id:");
  if (at == std::string::npos) return "";
  return text.substr(at + 7, text.find_first_of("\r\n", at) - at - 7);
}

TEST(RedisClientTest, ScriptsLearnWhichServerProcessRunsThem) {
  RedisServerProcess server;
  IoThreads io;
  const RedisScript whoami("return ARGV[1] .. '|' .. ARGV[2]", ScriptArgs::kServerIdFirst);
  // Issued at once, so the call waits for the handshake: it must still carry the identity
  // learnt during that handshake (and it goes through the NOSCRIPT fallback too).
  RedisClient client(io.context(), uriOf(server.uri()), fastOptions());
  auto first = client.evalshaSync(whoami, {"k"}, {"mine"});
  ASSERT_TRUE(first.ok()) << replyText(first);
  RedisClient observer(io.context(), uriOf(server.uri()), fastOptions());
  const std::string before = runIdOf(observer);
  ASSERT_EQ(before.size(), 40u);
  EXPECT_EQ(first->str, before + "|mine");
  EXPECT_EQ(client.serverId(), before);
  EXPECT_EQ(client.stats().server_changes, 0u);

  // Another process on the same port is another server, whatever its data.
  server.kill();
  server.start();
  auto after = untilOk(client, {"PING"});
  ASSERT_TRUE(after.ok()) << replyText(after);
  const std::string now = runIdOf(observer);
  ASSERT_NE(now, before);
  auto second = client.evalshaSync(whoami, {"k"}, {"again"});
  ASSERT_TRUE(second.ok()) << replyText(second);
  EXPECT_EQ(second->str, now + "|again");
  EXPECT_EQ(client.serverId(), now);
  EXPECT_EQ(client.stats().server_changes, 1u);
  // Plain scripts get their arguments as given.
  const RedisScript plain("return ARGV[1]");
  EXPECT_EQ(client.evalshaSync(plain, {"k"}, {"x"})->str, "x");
}

TEST(RedisClientTest, CommandTimeoutDropsTheConnectionAndRecovers) {
  RedisServerProcess server;
  IoThreads io;
  auto options = fastOptions();
  options.command_timeout = 300ms;
  RedisClient client(io.context(), uriOf(server.uri()), options);
  ASSERT_TRUE(untilOk(client, {"PING"}).ok());
  const auto start = Clock::now();
  auto blocked = client.commandSync({"BLPOP", "nothing", "5"});
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code, StatusCode::kServerUnavailable);
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 2s);
  EXPECT_EQ(client.stats().timeouts, 1u);
  EXPECT_TRUE(untilOk(client, {"PING"}).ok());
}

TEST(RedisClientTest, BlockingCallOnTheIoThreadIsRefused) {
  RedisServerProcess server;
  IoThreads io;
  RedisClient client(io.context(), uriOf(server.uri()), fastOptions());
  std::promise<Status> result;
  asio::post(io.context(), [&] {
    auto reply = client.commandSync({"PING"});
    result.set_value(reply.ok() ? Status::ok() : reply.status());
  });
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get().code, StatusCode::kServerInternalError);
}

TEST(RedisClientTest, DestroyingTheClientFailsCommandsInFlight) {
  RedisServerProcess server;
  IoThreads io;
  std::promise<Status> result;
  {
    RedisClient client(io.context(), uriOf(server.uri()), fastOptions());
    ASSERT_TRUE(untilOk(client, {"PING"}).ok());
    client.command({"BLPOP", "nothing", "5"}, [&](Result<RespValue> reply) {
      result.set_value(reply.ok() ? Status::ok() : reply.status());
    });
  }
  auto future = result.get_future();
  ASSERT_EQ(future.wait_for(2s), std::future_status::ready);
  EXPECT_EQ(future.get().code, StatusCode::kServerUnavailable);
}

TEST(RedisClientTest, ServerKilledThenRestarted) {
  parley::testing::LogCapture logs;
  RedisServerProcess server;
  IoThreads io;
  const auto options = fastOptions();
  RedisClient client(io.context(), uriOf(server.uri()), options);
  ASSERT_TRUE(untilOk(client, {"SET", "k", "v"}).ok());

  // A command in flight when the server dies fails with it.
  std::promise<Status> in_flight;
  client.command({"BLPOP", "nothing", "10"}, [&](Result<RespValue> reply) {
    in_flight.set_value(reply.ok() ? Status::ok() : reply.status());
  });
  std::this_thread::sleep_for(50ms);
  server.kill();
  auto in_flight_future = in_flight.get_future();
  ASSERT_EQ(in_flight_future.wait_for(options.command_timeout + 500ms), std::future_status::ready);
  EXPECT_EQ(in_flight_future.get().code, StatusCode::kServerUnavailable);

  // While it is down, every command fails within the timeout, most of them at once.
  int failures = 0;
  for (int i = 0; i < 50; ++i) {
    const auto start = Clock::now();
    auto reply = client.commandSync({"GET", "k"});
    const auto elapsed = Clock::now() - start;
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.status().code, StatusCode::kServerUnavailable);
    EXPECT_LE(elapsed, options.command_timeout + 200ms);
    ++failures;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(failures, 50);
  EXPECT_FALSE(client.connected());

  // Same port, empty data (nothing persisted): the client comes back by itself.
  server.start();
  const auto start = Clock::now();
  auto after = untilOk(client, {"GET", "k"});
  ASSERT_TRUE(after.ok()) << replyText(after);
  EXPECT_TRUE(after->isNull());
  std::printf("recovered %.0f ms after the restart\n",
              std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  EXPECT_TRUE(client.connected());
  EXPECT_EQ(client.stats().connects, 2u);
  EXPECT_EQ(client.stats().disconnects, 1u);

  EXPECT_EQ(logs.count("connection lost"), 1);
  EXPECT_EQ(logs.count("connected again"), 1);
}

TEST(RedisClientTest, UnreachableFromTheStartFailsFastAndConnectsLater) {
  // Reserve a port by starting and stopping a server, then point the client at it.
  RedisServerProcess server;
  server.stop();
  IoThreads io;
  RedisClient client(io.context(), uriOf(server.uri()), fastOptions());
  auto failed = client.commandSync({"PING"});
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code, StatusCode::kServerUnavailable);
  server.start();
  EXPECT_TRUE(untilOk(client, {"PING"}).ok());
}

}  // namespace
}  // namespace parley::redis
