#include "redis/redis_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/uuid/detail/sha1.hpp>
#include <charconv>
#include <cstdio>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <utility>

#include "net/byte_stream_socket.h"

namespace parley::redis {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

// ---------------------------------------------------------------------------------------------
// URI

std::string RedisUri::display() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
}

namespace {

// The message never quotes the URI: it may carry a password.
Status badUri(std::string_view why) {
  return error(StatusCode::kIllegalArgument, "invalid Redis URI: " + std::string(why));
}

bool percentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      *out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return false;
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
    if (ec != std::errc() || ptr != in.data() + i + 3) return false;
    *out += static_cast<char>(value);
    i += 2;
  }
  return true;
}

template <typename Int>
bool parseDecimal(std::string_view text, Int* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Result<RedisUri> parseRedisUri(std::string_view uri) {
  constexpr std::string_view kScheme = "redis://";
  constexpr std::string_view kTlsScheme = "rediss://";
  const bool tls = uri.substr(0, kTlsScheme.size()) == kTlsScheme;
  if (!tls && uri.substr(0, kScheme.size()) != kScheme) {
    return badUri("the scheme must be redis:// (or rediss:// for TLS)");
  }
  std::string_view rest = uri.substr(tls ? kTlsScheme.size() : kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return badUri("query and fragment are not supported");
  }
  RedisUri result;
  result.tls = tls;
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);

  // The last '@' ends the userinfo: an unencoded '@' in a password is common enough.
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    // As redis-cli: "user:password", ":password", or a bare password.
    const size_t colon = userinfo.find(':');
    const std::string_view user =
        colon == std::string_view::npos ? std::string_view() : userinfo.substr(0, colon);
    const std::string_view password =
        colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1);
    if (!percentDecode(user, &result.username) || !percentDecode(password, &result.password)) {
      return badUri("bad percent-encoding in the user info");
    }
  }

  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return badUri("unterminated IPv6 address");
    result.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return badUri("unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return badUri("empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    result.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return badUri("empty port");
    }
  }
  if (result.host.empty()) return badUri("missing host");
  if (!port_text.empty()) {
    uint32_t port = 0;
    if (!parseDecimal(port_text, &port) || port == 0 || port > 65535) {
      return badUri("port must be 1-65535");
    }
    result.port = static_cast<uint16_t>(port);
  }
  if (!path.empty() && !parseDecimal(path, &result.db)) {
    return badUri("the path must be a database number");
  }
  if (result.db < 0) return badUri("the database number must not be negative");
  return result;
}

// ---------------------------------------------------------------------------------------------
// Scripts

RedisScript::RedisScript(std::string source, ScriptArgs args)
    : source_(std::make_shared<const std::string>(std::move(source))), args_(args) {
  boost::uuids::detail::sha1 hasher;
  hasher.process_bytes(source_->data(), source_->size());
  boost::uuids::detail::sha1::digest_type digest;
  hasher.get_digest(digest);
  char hex[41];
  for (int i = 0; i < 5; ++i) std::snprintf(hex + i * 8, 9, "%08x", digest[i]);
  sha1_.assign(hex, 40);
}

// ---------------------------------------------------------------------------------------------
// Client

namespace {

constexpr size_t kReadChunk = 16 * 1024;
// Each buffer holds the commands submitted during one write (Impl::send): a few per write at most.
constexpr size_t kMaxBuffersPerWrite = 16;

// Encodes a command once the connection that sends it knows its server's identity (scripts with
// ScriptArgs::kServerIdFirst).
using Encoder = std::function<std::string(const std::string& server_id)>;

struct Pending {
  RedisClient::Callback done;
  Clock::time_point deadline;
  // Only while held (the command has not been put in the outbox yet): its bytes, or its encoder.
  std::string bytes;
  Encoder encode;
};

enum class ConnState {
  kConnecting,   // resolving and connecting; commands are held
  kHandshaking,  // AUTH/SELECT sent; commands are held so none runs as the wrong user or db
  kReady,
  kBackoff,  // waiting to reconnect; commands fail fast
  kStopped,
};

Status unavailable(std::string reason) {
  return error(StatusCode::kServerUnavailable, std::move(reason));
}

}  // namespace

struct RedisClient::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io_context, RedisUri redis_uri, RedisClientOptions client_options)
      : io(io_context),
        strand(asio::make_strand(io_context)),
        uri(std::move(redis_uri)),
        options(client_options),
        name(uri.display()),
        resolver(strand),
        stream(strand, kReadChunk, kMaxBuffersPerWrite),
        connect_timer(strand),
        command_timer(strand),
        backoff_timer(strand),
        parser(options.limits),
        rng(std::random_device{}()) {
    if (uri.tls) {
      // Every (re)connect begins a new TLS session; the certificate must name uri.host.
      stream.useTls(options.tls ? options.tls : net::TlsContext::forClient({}),
                    net::TlsEngine::Role::kClient, uri.host);
    }
  }

  asio::io_context& io;
  asio::strand<asio::io_context::executor_type> strand;
  const RedisUri uri;
  const RedisClientOptions options;
  const std::string name;

  // Everything below is touched only on the strand.
  tcp::resolver resolver;
  // Each queued item holds the commands submitted while the previous write ran (send()).
  net::ByteStreamSocket<std::string> stream;
  asio::steady_timer connect_timer;
  asio::steady_timer command_timer;
  asio::steady_timer backoff_timer;
  RespParser parser;
  ConnState state = ConnState::kConnecting;
  std::deque<Pending> pending;  // queued on the stream or written; replies arrive in this order
  std::deque<Pending> held;     // accepted while connecting; written once the handshake is done
  // Bumped whenever a connection is dropped, so that completions of an old connection's
  // operations recognize themselves and do nothing.
  uint64_t generation = 0;
  int attempt = 0;  // failed connects in a row, for the backoff
  bool command_timer_armed = false;
  // An outage has been logged; the next successful handshake logs the recovery.
  bool outage = false;
  Clock::time_point outage_since;
  std::minstd_rand rng;
  std::string server_id;             // the strand's copy
  bool info_refused_logged = false;  // INFO refused: logged once per client

  std::atomic<bool> connected{false};
  std::atomic<uint64_t> commands{0};
  std::atomic<uint64_t> failed_fast{0};
  std::atomic<uint64_t> connects{0};
  std::atomic<uint64_t> disconnects{0};
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> script_reloads{0};
  std::atomic<uint64_t> server_changes{0};
  mutable std::mutex server_id_mutex;
  std::string server_id_copy;  // for serverId() from any thread, under server_id_mutex

  void start() {
    asio::dispatch(strand, [self = shared_from_this()] { self->connect(); });
  }

  void stop() {
    asio::dispatch(strand, [self = shared_from_this()] {
      if (self->state == ConnState::kStopped) return;
      self->dropConnection("the Redis client was stopped", ConnState::kStopped);
      self->backoff_timer.cancel();
      self->command_timer.cancel();
    });
  }

  // Takes an encoded command from any thread.
  void submit(std::string bytes, Callback done) {
    commands.fetch_add(1, std::memory_order_relaxed);
    asio::dispatch(strand, [self = shared_from_this(), bytes = std::move(bytes),
                            done = std::move(done)]() mutable {
      self->accept(std::move(bytes), std::move(done));
    });
  }

  // Takes a command encoded only when it is written, with the identity of the server it goes to.
  void submitEncoded(Encoder encode, Callback done) {
    commands.fetch_add(1, std::memory_order_relaxed);
    asio::dispatch(strand, [self = shared_from_this(), encode = std::move(encode),
                            done = std::move(done)]() mutable {
      self->accept({}, std::move(done), std::move(encode));
    });
  }

  // Several commands that must reach the server together: accepted in one strand step.
  void submitTogether(std::vector<std::string> batch, Callback last) {
    commands.fetch_add(batch.size(), std::memory_order_relaxed);
    asio::dispatch(strand, [self = shared_from_this(), batch = std::move(batch),
                            last = std::move(last)]() mutable {
      self->acceptTogether(std::move(batch), std::move(last));
    });
  }

  void acceptTogether(std::vector<std::string> batch, Callback last, Encoder last_encoder = {}) {
    if (batch.empty()) {
      return asio::post(strand, [last = std::move(last)] {
        last(error(StatusCode::kServerInternalError, "an empty Redis pipeline"));
      });
    }
    if (state == ConnState::kStopped)
      return failFast(std::move(last), "the Redis client was stopped");
    if (state == ConnState::kBackoff)
      return failFast(std::move(last), "Redis " + name + " is unreachable");
    // All or nothing, so the server never sees the first command without the rest.
    if (pending.size() + held.size() + batch.size() > options.max_in_flight) {
      return failFast(std::move(last), "too many Redis commands in flight to " + name);
    }
    for (size_t i = 0; i + 1 < batch.size(); ++i) {
      accept(std::move(batch[i]), [](Result<RespValue>) {});
    }
    accept(std::move(batch.back()), std::move(last), std::move(last_encoder));
  }

  void accept(std::string bytes, Callback done, Encoder encode = {}) {
    switch (state) {
      case ConnState::kStopped:
        return failFast(std::move(done), "the Redis client was stopped");
      case ConnState::kBackoff:
        return failFast(std::move(done), "Redis " + name + " is unreachable");
      default:
        break;
    }
    if (pending.size() + held.size() >= options.max_in_flight) {
      return failFast(std::move(done), "too many Redis commands in flight to " + name);
    }
    const auto deadline = Clock::now() + options.command_timeout;
    if (state == ConnState::kReady) {
      pending.push_back(Pending{std::move(done), deadline, {}, {}});
      send(encode ? encode(server_id) : std::move(bytes));
    } else {
      held.push_back(Pending{std::move(done), deadline, std::move(bytes), std::move(encode)});
    }
    armCommandTimer();
  }

  // The caller must not see its callback run inside command(): post it.
  void failFast(Callback done, std::string reason) {
    failed_fast.fetch_add(1, std::memory_order_relaxed);
    asio::post(strand,
               [done = std::move(done), reason = std::move(reason)] { done(unavailable(reason)); });
  }

  void connect() {
    if (state == ConnState::kStopped) return;
    state = ConnState::kConnecting;
    const uint64_t gen = generation;
    connect_timer.expires_after(options.connect_timeout);
    connect_timer.async_wait([self = shared_from_this(), gen](const error_code& ec) {
      // Cancelled, or expired just as the handshake completed.
      if (ec || self->state == ConnState::kReady) return;
      self->onConnectionError(gen, "connect timed out after " +
                                       std::to_string(self->options.connect_timeout.count()) +
                                       " ms");
    });
    resolver.async_resolve(
        uri.host, std::to_string(uri.port),
        [self = shared_from_this(), gen](const error_code& ec, tcp::resolver::results_type hosts) {
          if (gen != self->generation) return;
          if (ec) return self->onConnectionError(gen, "cannot resolve host: " + ec.message());
          asio::async_connect(self->stream.socket(), hosts,
                              [self, gen](const error_code& ec, const tcp::endpoint&) {
                                if (gen != self->generation) return;
                                if (ec) return self->onConnectionError(gen, ec.message());
                                self->onConnected(gen);
                              });
        });
  }

  void onConnected(uint64_t gen) {
    error_code ignored;
    // Pipelined small commands must not wait for Nagle.
    stream.socket().set_option(tcp::no_delay(true), ignored);
    parser.reset();
    state = ConnState::kHandshaking;
    stream.start({[this, gen](std::string_view bytes) { return onBytes(gen, bytes); },
                  [this, gen](const std::string& why) { onConnectionError(gen, why); },
                  [](std::vector<std::string>&) {}},
                 weak_from_this());

    std::vector<std::vector<std::string>> handshake;
    if (!uri.password.empty()) {
      if (uri.username.empty()) {
        handshake.push_back({"AUTH", uri.password});
      } else {
        handshake.push_back({"AUTH", uri.username, uri.password});
      }
    }
    if (uri.db != 0) handshake.push_back({"SELECT", std::to_string(uri.db)});

    const auto deadline = Clock::now() + options.command_timeout;
    for (const auto& command_args : handshake) {
      const std::string command = command_args[0];
      send(encodeCommand(command_args));
      pending.push_back(Pending{[self = shared_from_this(), gen, command](Result<RespValue> reply) {
                                  // A failed Result means the connection is already gone and
                                  // being retried.
                                  if (!reply.ok() || gen != self->generation) return;
                                  if (reply->isError()) {
                                    return self->onConnectionError(
                                        gen, command + " rejected: " + reply->str);
                                  }
                                },
                                deadline,
                                {},
                                {}});
    }
    // Last: which server process this is, before any command that wants to know is encoded.
    send(encodeCommand({"INFO", "server"}));
    pending.push_back(Pending{[self = shared_from_this(), gen](Result<RespValue> reply) {
                                if (!reply.ok() || gen != self->generation) return;
                                self->learnServerId(*reply);
                                self->onReady();
                              },
                              deadline,
                              {},
                              {}});
    armCommandTimer();
  }

  void learnServerId(const RespValue& info) {
    std::string id;
    if (!info.isError()) {
      const size_t at = info.str.find("run_id:");
      if (at != std::string::npos) {
        const size_t start = at + 7;
        const size_t end = info.str.find_first_of("\r\n", start);
        id = info.str.substr(start, end == std::string::npos ? end : end - start);
      }
    }
    if (id.empty()) {
      if (!info_refused_logged) {
        info_refused_logged = true;
        spdlog::warn(
            "redis {}: INFO server refused or without run_id ({}); every reconnect counts as a "
            "possibly different server (sequence counters are re-verified after each one)",
            name, info.isError() ? info.str : "no run_id");
      }
      std::uniform_int_distribution<uint64_t> random;
      id = "unknown-" + std::to_string(random(rng)) + std::to_string(random(rng));
    }
    if (!server_id.empty() && id != server_id) {
      server_changes.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn(
          "redis {}: another server process answers now (restart or failover): data written "
          "before may be gone or older",
          name);
    }
    server_id = id;
    std::lock_guard lock(server_id_mutex);
    server_id_copy = std::move(id);
  }

  void onReady() {
    connect_timer.cancel();
    state = ConnState::kReady;
    attempt = 0;
    connected.store(true);
    connects.fetch_add(1, std::memory_order_relaxed);
    if (outage) {
      const auto seconds = std::chrono::duration<double>(Clock::now() - outage_since).count();
      spdlog::info("redis {}: connected again after {:.1f} s", name, seconds);
      outage = false;
    } else {
      spdlog::info("redis {}: connected", name);
    }
    for (auto& command : held) {
      send(command.encode ? command.encode(server_id) : std::move(command.bytes));
      command.bytes.clear();
      command.encode = nullptr;
      pending.push_back(std::move(command));
    }
    held.clear();
  }

  // Commands submitted while a write runs join one buffer, written as one batch after it.
  void send(std::string bytes) {
    auto& queue = stream.queue();
    if (!queue.empty()) {
      queue.back() += bytes;
    } else {
      stream.write(std::move(bytes));
    }
  }

  // false when the connection was dropped.
  bool onBytes(uint64_t gen, std::string_view bytes) {
    parser.feed(bytes);
    RespValue reply;
    for (;;) {
      const auto parsed = parser.next(&reply);
      if (parsed == RespParser::State::kNeedMore) return true;
      if (parsed == RespParser::State::kError) {
        onConnectionError(gen, "protocol error: " + parser.error());
        return false;
      }
      if (pending.empty()) {
        onConnectionError(gen, "a reply to no command");
        return false;
      }
      Callback done = std::move(pending.front().done);
      pending.pop_front();
      done(std::move(reply));
      // The callback may have dropped the connection (a rejected AUTH, a stop).
      if (gen != generation) return false;
    }
  }

  void armCommandTimer() {
    if (command_timer_armed) return;
    Clock::time_point earliest = Clock::time_point::max();
    if (!pending.empty()) earliest = pending.front().deadline;
    if (!held.empty()) earliest = std::min(earliest, held.front().deadline);
    if (earliest == Clock::time_point::max()) return;
    // Lazily re-armed: commands are queued in deadline order, so the timer only ever needs the
    // oldest one and is not touched per command.
    command_timer_armed = true;
    command_timer.expires_at(earliest);
    command_timer.async_wait([self = shared_from_this()](const error_code& ec) {
      self->command_timer_armed = false;
      if (ec || self->state == ConnState::kStopped) return;
      self->onCommandTimer();
    });
  }

  void onCommandTimer() {
    const auto now = Clock::now();
    // Held commands were never written, so they can time out one by one.
    while (!held.empty() && held.front().deadline <= now) {
      Callback done = std::move(held.front().done);
      held.pop_front();
      timeouts.fetch_add(1, std::memory_order_relaxed);
      done(unavailable("Redis " + name + " not connected within the command timeout"));
    }
    if (!pending.empty() && pending.front().deadline <= now) {
      timeouts.fetch_add(1, std::memory_order_relaxed);
      // A late reply would be matched to the wrong command: the connection is finished.
      onConnectionError(generation, "command timed out after " +
                                        std::to_string(options.command_timeout.count()) + " ms");
    }
    armCommandTimer();
  }

  void onConnectionError(uint64_t gen, const std::string& reason) {
    if (gen != generation || state == ConnState::kStopped) return;
    dropConnection(reason, ConnState::kBackoff);
    scheduleReconnect();
  }

  // Closes the socket and fails everything in flight; next_state is set before any callback
  // runs, so a callback that submits again fails fast instead of queueing.
  void dropConnection(const std::string& reason, ConnState next_state) {
    const bool was_ready = state == ConnState::kReady;
    ++generation;
    state = next_state;
    connected.store(false);
    stream.close();
    stream.queue().clear();
    parser.reset();
    resolver.cancel();
    connect_timer.cancel();

    if (was_ready) disconnects.fetch_add(1, std::memory_order_relaxed);
    if (next_state == ConnState::kStopped) {
      spdlog::debug("redis {}: stopped", name);
    } else if (!outage) {
      // Once per outage; the attempts that follow log at debug level only.
      outage = true;
      outage_since = Clock::now();
      if (was_ready) {
        spdlog::warn(
            "redis {}: connection lost ({}); commands fail with SERVER_UNAVAILABLE until "
            "it is back",
            name, reason);
      } else {
        spdlog::warn("redis {}: cannot connect ({}); retrying in the background", name, reason);
      }
    } else {
      spdlog::debug("redis {}: connect attempt failed ({})", name, reason);
    }

    std::deque<Pending> failed;
    failed.swap(pending);
    for (auto& command : held) failed.push_back(std::move(command));
    held.clear();
    const std::string message = next_state == ConnState::kStopped
                                    ? reason
                                    : "Redis " + name + " connection lost: " + reason;
    for (auto& command : failed) command.done(unavailable(message));
  }

  void scheduleReconnect() {
    // Exponential, capped, with jitter so that many nodes do not reconnect in lockstep after a
    // Redis restart.
    const int shift = std::min(attempt, 20);
    ++attempt;
    const auto base =
        std::min<int64_t>(options.reconnect_max_delay.count(),
                          options.reconnect_min_delay.count() * (int64_t{1} << shift));
    std::uniform_int_distribution<int64_t> jitter(base / 2, std::max<int64_t>(base, 1));
    backoff_timer.expires_after(std::chrono::milliseconds(jitter(rng)));
    backoff_timer.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec || self->state != ConnState::kBackoff) return;
      self->connect();
    });
  }
};

RedisClient::RedisClient(asio::io_context& io, RedisUri uri, RedisClientOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(uri), options)) {
  impl_->start();
}

RedisClient::~RedisClient() { impl_->stop(); }

void RedisClient::command(std::vector<std::string> args, Callback done) {
  std::string bytes;
  appendCommand(bytes, args);
  impl_->submit(std::move(bytes), std::move(done));
}

namespace {

// Waits for an async call's callback. The callback always comes (every command has a deadline),
// unless the io thread is not running; the wait is bounded for that case too.
Result<RespValue> waitFor(asio::io_context& io, const RedisClientOptions& options,
                          const std::function<void(RedisClient::Callback)>& call) {
  if (io.get_executor().running_in_this_thread()) {
    spdlog::error("redis: a blocking call on an io thread; use the async API there");
    return error(StatusCode::kServerInternalError, "blocking Redis call on an io thread");
  }
  auto promise = std::make_shared<std::promise<Result<RespValue>>>();
  auto future = promise->get_future();
  call([promise](Result<RespValue> reply) { promise->set_value(std::move(reply)); });
  // A script fallback is two commands; each may also wait for a connect.
  const auto limit =
      2 * (options.connect_timeout + options.command_timeout) + std::chrono::seconds(1);
  if (future.wait_for(limit) != std::future_status::ready) {
    return unavailable("no Redis reply in time (is the io thread running?)");
  }
  return future.get();
}

}  // namespace

void RedisClient::pipeline(std::vector<std::vector<std::string>> commands, Callback last_reply) {
  std::vector<std::string> encoded;
  encoded.reserve(commands.size());
  for (const auto& args : commands) encoded.push_back(encodeCommand(args));
  impl_->submitTogether(std::move(encoded), std::move(last_reply));
}

Result<RespValue> RedisClient::commandSync(std::vector<std::string> args) {
  return waitFor(impl_->io, impl_->options,
                 [&](Callback done) { command(std::move(args), std::move(done)); });
}

namespace {

// A script call's keys and arguments, kept for the encoders and the NOSCRIPT fallback.
struct ScriptCall {
  std::string sha1;
  std::shared_ptr<const std::string> source;
  bool wants_server_id = false;
  std::vector<std::string> keys;
  std::vector<std::string> args;

  // verb is EVALSHA (body = the SHA1) or EVAL (body = the source).
  std::string encode(std::string_view verb, std::string_view body,
                     const std::string& server_id) const {
    const size_t extra = wants_server_id ? 1 : 0;
    std::string bytes;
    appendArrayHeader(bytes, 3 + keys.size() + extra + args.size());
    appendBulkString(bytes, verb);
    appendBulkString(bytes, body);
    appendBulkString(bytes, std::to_string(keys.size()));
    for (const auto& key : keys) appendBulkString(bytes, key);
    if (wants_server_id) appendBulkString(bytes, server_id);
    for (const auto& arg : args) appendBulkString(bytes, arg);
    return bytes;
  }
};

}  // namespace

void RedisClient::evalsha(const RedisScript& script, std::vector<std::string> keys,
                          std::vector<std::string> args, Callback done) {
  auto call = std::make_shared<const ScriptCall>(ScriptCall{
      script.sha1(), script.source_, script.wantsServerId(), std::move(keys), std::move(args)});
  // The EVAL fallback is encoded only if needed.
  auto fallback = [impl = impl_, call, done = std::move(done)](Result<RespValue> reply) mutable {
    if (!reply.ok() || !reply->isErrorCode("NOSCRIPT")) return done(std::move(reply));
    impl->script_reloads.fetch_add(1, std::memory_order_relaxed);
    // Debug only: after a restart every script call in flight lands here at once.
    spdlog::debug("redis {}: script not cached (server restarted or flushed); sending it again",
                  impl->name);
    impl->submitEncoded(
        [call](const std::string& server_id) {
          return call->encode("EVAL", *call->source, server_id);
        },
        std::move(done));
  };
  if (!call->wants_server_id) {
    // Encoded here, off the io thread, as every plain command.
    impl_->submit(call->encode("EVALSHA", call->sha1, {}), std::move(fallback));
    return;
  }
  impl_->submitEncoded(
      [call](const std::string& server_id) {
        return call->encode("EVALSHA", call->sha1, server_id);
      },
      std::move(fallback));
}

void RedisClient::evalAfterAsking(const RedisScript& script, std::vector<std::string> keys,
                                  std::vector<std::string> args, Callback done) {
  auto call = std::make_shared<const ScriptCall>(ScriptCall{
      script.sha1(), script.source_, script.wantsServerId(), std::move(keys), std::move(args)});
  impl_->commands.fetch_add(2, std::memory_order_relaxed);
  asio::dispatch(impl_->strand, [impl = impl_, call, done = std::move(done)]() mutable {
    impl->acceptTogether({encodeCommand({"ASKING"}), std::string()}, std::move(done),
                         [call](const std::string& server_id) {
                           return call->encode("EVAL", *call->source, server_id);
                         });
  });
}

Result<RespValue> RedisClient::evalshaSync(const RedisScript& script, std::vector<std::string> keys,
                                           std::vector<std::string> args) {
  return waitFor(impl_->io, impl_->options, [&](Callback done) {
    evalsha(script, std::move(keys), std::move(args), std::move(done));
  });
}

bool RedisClient::connected() const { return impl_->connected.load(); }

std::string RedisClient::serverId() const {
  std::lock_guard lock(impl_->server_id_mutex);
  return impl_->server_id_copy;
}

RedisClientStats RedisClient::stats() const {
  RedisClientStats stats;
  stats.commands = impl_->commands.load(std::memory_order_relaxed);
  stats.failed_fast = impl_->failed_fast.load(std::memory_order_relaxed);
  stats.connects = impl_->connects.load(std::memory_order_relaxed);
  stats.disconnects = impl_->disconnects.load(std::memory_order_relaxed);
  stats.timeouts = impl_->timeouts.load(std::memory_order_relaxed);
  stats.script_reloads = impl_->script_reloads.load(std::memory_order_relaxed);
  stats.server_changes = impl_->server_changes.load(std::memory_order_relaxed);
  return stats;
}

const RedisUri& RedisClient::uri() const { return impl_->uri; }

}  // namespace parley::redis
