#pragma once
// An async client for one Redis server: one TCP connection on a caller-given io_context, commands
// pipelined on it in order and replies matched first-in first-out. Asio stays in the .cpp.
//
// Failure model (docs/cluster.md, "What happens when"): while the server is unreachable, commands
// fail fast with kServerUnavailable instead of queueing; the client reconnects by itself with
// capped exponential backoff and logs the loss and the recovery once each. Commands issued while a
// connect attempt is under way wait for it (never longer than the command timeout), so a client
// is usable right after construction.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "net/tls_context.h"
#include "redis/resp.h"

namespace boost::asio {
class io_context;
}

namespace parley::redis {

// redis://[[username]:password@]host[:port][/db]. Userinfo may be percent-encoded.
struct RedisUri {
  std::string host = "127.0.0.1";
  uint16_t port = 6379;
  std::string username;  // empty: AUTH <password> (requirepass); else AUTH <user> <password>
  std::string password;  // empty: no AUTH
  int db = 0;            // non-zero: SELECT <db> on every (re)connect
  bool tls = false;      // rediss://: the server's certificate is checked against host

  // host:port/db, never the password: this is what logs show.
  std::string display() const;
};

// rediss://... is the same over TLS. kIllegalArgument with the reason for anything else (other
// schemes, a bad port or db).
Result<RedisUri> parseRedisUri(std::string_view uri);

struct RedisClientOptions {
  // From starting to connect until AUTH/SELECT have been answered.
  std::chrono::milliseconds connect_timeout{2000};
  // Per command. A reply that does not come in time makes the connection unusable (later replies
  // could no longer be matched), so the timeout drops the connection and fails everything on it.
  std::chrono::milliseconds command_timeout{2000};
  std::chrono::milliseconds reconnect_min_delay{50};
  std::chrono::milliseconds reconnect_max_delay{2000};
  // Commands written or waiting for the handshake; past this, new ones fail fast (overload).
  size_t max_in_flight = 1'000'000;
  RespLimits limits;
  // For rediss:// URIs: the CAs trusted and the client certificate (Redis asks for one unless
  // tls-auth-clients is off). Null = the system's CAs and no certificate.
  std::shared_ptr<const net::TlsContext> tls;
};

// What a script receives besides its own arguments.
enum class ScriptArgs {
  kAsGiven,
  // ARGV[1] is the identity of the server process that runs the script (its INFO run_id, new at
  // every restart; a promoted replica has its own), filled in by the connection that sends the
  // call, so it is right whichever server a call is routed or redirected to. The caller's
  // arguments follow from ARGV[2] on. A script compares it with an identity it stored earlier to
  // tell whether the data beside it may be an older copy (restart from an older AOF, failover
  // to a lagging replica) rather than the data it wrote.
  kServerIdFirst,
};

// A Lua script with its SHA1, computed once, so EVALSHA needs no SCRIPT LOAD round trip. Cheap
// to copy.
class RedisScript {
 public:
  explicit RedisScript(std::string source, ScriptArgs args = ScriptArgs::kAsGiven);
  const std::string& source() const { return *source_; }
  const std::string& sha1() const { return sha1_; }  // 40 lowercase hex digits, as Redis
  bool wantsServerId() const { return args_ == ScriptArgs::kServerIdFirst; }

 private:
  friend class RedisClient;
  // Shared: a NOSCRIPT fallback needs the source after evalsha() has returned.
  std::shared_ptr<const std::string> source_;
  std::string sha1_;
  ScriptArgs args_;
};

// Simple counters for metrics and tests; read from any thread.
struct RedisClientStats {
  uint64_t commands = 0;        // accepted by command()
  uint64_t failed_fast = 0;     // failed with kServerUnavailable without reaching the server
  uint64_t connects = 0;        // successful handshakes
  uint64_t disconnects = 0;     // connections lost or dropped after having been ready
  uint64_t timeouts = 0;        // command timeouts
  uint64_t script_reloads = 0;  // NOSCRIPT answered by falling back to EVAL
  // Reconnects that found another server process than before (a restart or a failover): the
  // data written before may be gone or older.
  uint64_t server_changes = 0;
};

class RedisClient {
 public:
  // A reply, Redis error replies included (RespValue::isError()); a failed Result means the
  // command may or may not have run: kServerUnavailable for connection problems and timeouts,
  // kServerInternalError for misuse.
  using Callback = std::function<void(Result<RespValue>)>;

  // Starts connecting at once. io must be run by one thread (or the client's own strand
  // serializes it); callbacks run there.
  RedisClient(boost::asio::io_context& io, RedisUri uri, RedisClientOptions options = {});
  // Fails commands still in flight with kServerUnavailable; their callbacks run on the io thread,
  // possibly after the destructor has returned, so they must not touch what the owner destroys
  // with the client.
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Thread-safe. done runs exactly once, on the io thread, never inside this call.
  void command(std::vector<std::string> args, Callback done);

  // Sends the commands back to back on the connection with nothing interleaved (ASKING and the
  // command it applies to, in Redis Cluster). last_reply gets the reply to the last command; the
  // earlier replies are dropped (a failed ASKING shows in the last reply as a MOVED or ASK).
  // Thread-safe; last_reply runs as done in command().
  void pipeline(std::vector<std::vector<std::string>> commands, Callback last_reply);

  // Blocks until the reply; for handlers on the blocking pool. Called on a thread that is running
  // the io_context it would deadlock, so it refuses with kServerInternalError instead.
  Result<RespValue> commandSync(std::vector<std::string> args);

  // EVALSHA, and on NOSCRIPT (a restarted or flushed server) EVAL of the source, which caches the
  // script again under the same SHA1, so the next call is an EVALSHA hit. The fallback EVAL is
  // pipelined behind commands sent meanwhile: order against them is not guaranteed.
  void evalsha(const RedisScript& script, std::vector<std::string> keys,
               std::vector<std::string> args, Callback done);
  Result<RespValue> evalshaSync(const RedisScript& script, std::vector<std::string> keys,
                                std::vector<std::string> args);
  // ASKING, then EVAL of the script, back to back (a Redis Cluster slot being imported by this
  // server). EVAL rather than EVALSHA: a NOSCRIPT fallback would need a second ASKING.
  void evalAfterAsking(const RedisScript& script, std::vector<std::string> keys,
                       std::vector<std::string> args, Callback done);

  // True between a completed handshake and the next connection loss.
  bool connected() const;
  // The INFO run_id of the server on the current (or last) connection; empty before the first
  // handshake. Where INFO is refused (renamed or denied by an ACL), a random id per connection,
  // so every reconnect counts as a possibly different server.
  std::string serverId() const;
  RedisClientStats stats() const;
  const RedisUri& uri() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace parley::redis
