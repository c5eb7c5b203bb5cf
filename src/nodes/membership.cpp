#include "nodes/membership.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <random>
#include <utility>

#include "online/redis_keys.h"
#include "redis/redis_deployment.h"

namespace parley::nodes {

namespace {

// KEYS[1] = the nodes ZSET, KEYS[2] = this node's details HASH.
// ARGV: 1 id, 2 now, 3 oldest fresh heartbeat, 4 details TTL (ms), 5 host, 6 port, 7 started,
//       8 incarnation, 9 "1" when joining, 10 the details key prefix, 11 sessions written.
// Returns {0, holder's heartbeat, host, port} when joining over a live holder of the id, else
// {1, 1 if this node had to be added (new, or Redis lost it), then id, heartbeat, host, port,
// started, sessions written for every live node}.
//
// The other nodes' HASHes are read by names built here rather than passed in KEYS (they are only
// known from the ZSET). That is safe in a Redis Cluster too: every membership key carries the
// {cluster} hash tag, so they all live in the slot this script runs in.
const redis::RedisScript& heartbeatScript() {
  static const redis::RedisScript script(R"lua(
local id = ARGV[1]
if ARGV[9] == '1' then
  local score = redis.call('ZSCORE', KEYS[1], id)
  if score and tonumber(score) >= tonumber(ARGV[3]) then
    local d = redis.call('HMGET', KEYS[2], 'host', 'port', 'incarnation')
    if d[3] ~= ARGV[8] then
      return {0, score, d[1] or '', d[2] or ''}
    end
  end
end
local added = redis.call('ZADD', KEYS[1], ARGV[2], id)
redis.call('HSET', KEYS[2], 'host', ARGV[5], 'port', ARGV[6], 'started', ARGV[7],
           'incarnation', ARGV[8], 'written', ARGV[11])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local members = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {1, added}
for i = 1, #members, 2 do
  local d = redis.call('HMGET', ARGV[10] .. members[i], 'host', 'port', 'started', 'written')
  out[#out + 1] = members[i]
  out[#out + 1] = members[i + 1]
  out[#out + 1] = d[1] or ''
  out[#out + 1] = d[2] or ''
  out[#out + 1] = d[3] or ''
  out[#out + 1] = d[4] or ''
end
return out
)lua");
  return script;
}

std::string randomIncarnation() {
  std::random_device device;
  std::mt19937_64 engine((uint64_t{device()} << 32) ^ device());
  return fmt::format("{:016x}", engine());
}

// Scores come back as Redis formats doubles ("1700000000000"); string fields as bulk strings;
// the status integers as integers.
int64_t toInt64(const redis::RespValue& value) {
  if (value.type == redis::RespType::kInteger) return value.integer;
  return static_cast<int64_t>(std::strtod(value.str.c_str(), nullptr));
}

// 0 for anything but a port number.
uint16_t parsePort(const std::string& text) {
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

// A node that does not say (an earlier version) is not waited for.
int64_t writtenMillis(const redis::RespValue& value) {
  return value.str.empty() ? std::numeric_limits<int64_t>::max() : toInt64(value);
}

// A node as both membership scripts answer it: heartbeat, host, port, started, written.
NodeInfo nodeFrom(std::string id, const redis::RespValue* fields) {
  NodeInfo node;
  node.id = std::move(id);
  node.heartbeat_millis = toInt64(fields[0]);
  node.rpc_host = fields[1].str;
  node.rpc_port = parsePort(fields[2].str);
  node.started_at_millis = toInt64(fields[3]);
  node.sessions_written_millis = writtenMillis(fields[4]);
  return node;
}

// The heartbeat script's reply per live node: the id, then nodeFrom's fields.
constexpr size_t kFieldsPerNode = 6;

Status badReply(const redis::RespValue& reply) {
  return error(StatusCode::kServerInternalError,
               "unexpected membership script reply: " + redis::toDebugString(reply));
}

}  // namespace

Membership::Membership(redis::RedisDeployment& redis, NodeInfo self, MembershipOptions options,
                       const Clock& clock)
    : redis_(redis),
      self_(std::move(self)),
      options_(options),
      clock_(clock),
      incarnation_(randomIncarnation()),
      self_sessions_written_millis_(self_.started_at_millis) {}

VoidResult Membership::join() {
  auto result = registerSelf(true);
  if (result.ok()) {
    spdlog::info("node {} joined the cluster (rpc {}:{}); {} other live node(s)", self_.id,
                 self_.rpc_host, self_.rpc_port, liveNodes().size() - 1);
  }
  return result;
}

VoidResult Membership::heartbeat() { return registerSelf(false); }

VoidResult Membership::registerSelf(bool joining) {
  const int64_t now = clock_.nowMillis();
  const int64_t oldest_fresh = now - options_.stale_after.count();
  auto reply = redis_.evalshaSync(
      heartbeatScript(), {redis_keys::nodes(), redis_keys::node(self_.id)},
      {self_.id, std::to_string(now), std::to_string(oldest_fresh),
       std::to_string(options_.stale_after.count()), self_.rpc_host, std::to_string(self_.rpc_port),
       std::to_string(self_.started_at_millis), incarnation_, joining ? "1" : "0",
       redis_keys::node(""), std::to_string(self_sessions_written_millis_.load())});
  if (!reply.ok() || reply->isError()) {
    Status status =
        reply.ok() ? error(StatusCode::kServerInternalError, reply->str) : reply.status();
    if (!failing_.exchange(true)) {
      spdlog::warn("membership: heartbeat of node {} failed ({}); keeping the last known nodes",
                   self_.id, status.reason);
    }
    return status;
  }
  const auto& elements = reply->elements;
  if (reply->type != redis::RespType::kArray || elements.size() < 2) return badReply(*reply);
  if (toInt64(elements[0]) == 0) {
    if (elements.size() < 4) return badReply(*reply);
    return error(StatusCode::kIllegalArgument,
                 fmt::format("node id {} is in use by a live node at {}:{} (heartbeat {} ms ago); "
                             "give this node another id, or wait {} ms if that node has crashed",
                             self_.id, elements[2].str, elements[3].str, now - toInt64(elements[1]),
                             options_.stale_after.count()));
  }
  if ((elements.size() - 2) % kFieldsPerNode != 0) return badReply(*reply);
  const bool recovered = failing_.exchange(false);
  if (recovered) spdlog::info("membership: heartbeat of node {} works again", self_.id);
  // This node's own entry gone means Redis lost data (it heartbeats well within stale_after),
  // not that every other node left.
  const bool data_lost = !joining && toInt64(elements[1]) == 1;
  if (data_lost) {
    spdlog::warn(
        "membership: node {} was missing in Redis (Redis lost data); registered again, and the "
        "nodes seen before stay live until they register again or go silent",
        self_.id);
  }

  std::vector<NodeInfo> others;
  for (size_t i = 2; i + kFieldsPerNode <= elements.size(); i += kFieldsPerNode) {
    if (elements[i].str == self_.id) continue;
    others.push_back(nodeFrom(elements[i].str, &elements[i + 1]));
  }
  std::sort(others.begin(), others.end(),
            [](const NodeInfo& a, const NodeInfo& b) { return a.id < b.id; });

  std::vector<NodeInfo> previous;
  std::vector<std::string> kept;
  {
    std::unique_lock lock(mutex_);
    if (recovered && self_heartbeat_millis_ != 0) {
      // No node could heartbeat while Redis did not answer: the silence is not the peers'. (The
      // first node back even pruned the others from the ZSET, their scores being that old.)
      const int64_t silent = std::max<int64_t>(0, now - self_heartbeat_millis_);
      for (auto& node : others_) node.heartbeat_millis += silent;
    }
    if (data_lost || recovered) disturbed_at_millis_ = now;
    const bool recent_loss =
        disturbed_at_millis_ != 0 && now - disturbed_at_millis_ < options_.stale_after.count();
    const auto connected = [&](const NodeInfo& node) { return reachable_ && reachable_(node.id); };
    // A node missing from Redis stays if its RPC connection works, or if it was heard from
    // recently and Redis lost data or was unreachable lately: its own next heartbeat writes it
    // back. It still ages out.
    for (const auto& node : others_) {
      const bool listed = std::any_of(others.begin(), others.end(),
                                      [&](const NodeInfo& o) { return o.id == node.id; });
      if (listed) continue;
      if (connected(node) || (recent_loss && fresh(node, now))) {
        others.push_back(node);
        kept.push_back(node.id);
      }
    }
    // A working RPC connection is as good as a heartbeat: a node may fail to write its own (a
    // Redis Cluster down for it a moment longer than for this node) and still be up. It ages out
    // once the connection goes (a dead process's connection closes at once).
    for (auto& node : others) {
      if (connected(node)) node.heartbeat_millis = std::max(node.heartbeat_millis, now);
    }
    std::sort(others.begin(), others.end(),
              [](const NodeInfo& a, const NodeInfo& b) { return a.id < b.id; });
    previous.swap(others_);
    others_ = others;
    self_heartbeat_millis_ = now;
  }
  for (const auto& id : kept) {
    spdlog::debug("membership: node {} is missing in Redis but was live moments ago; kept", id);
  }
  // Joins and departures are rare and an operator wants each one in the log.
  for (const auto& node : others) {
    auto it = std::find_if(previous.begin(), previous.end(),
                           [&](const NodeInfo& p) { return p.id == node.id; });
    if (it == previous.end() || !fresh(*it, now)) {
      spdlog::info("membership: node {} is live (rpc {}:{})", node.id, node.rpc_host,
                   node.rpc_port);
    }
  }
  for (const auto& node : previous) {
    auto it = std::find_if(others.begin(), others.end(),
                           [&](const NodeInfo& o) { return o.id == node.id; });
    if (it == others.end()) spdlog::info("membership: node {} is gone", node.id);
  }
  return {};
}

void Membership::leave() {
  auto removed = redis_.evalshaSync(
      []() -> const redis::RedisScript& {
        static const redis::RedisScript script(
            "redis.call('ZREM', KEYS[1], ARGV[1]) return redis.call('DEL', KEYS[2])");
        return script;
      }(),
      {redis_keys::nodes(), redis_keys::node(self_.id)}, {self_.id});
  if (!removed.ok()) {
    spdlog::warn("membership: node {} could not deregister ({}); peers drop it after {} ms",
                 self_.id, removed.status().reason, options_.stale_after.count());
    return;
  }
  spdlog::info("membership: node {} left the cluster", self_.id);
}

bool Membership::upsertLocked(const NodeInfo& node) {
  auto it = std::find_if(others_.begin(), others_.end(),
                         [&](const NodeInfo& o) { return o.id == node.id; });
  if (it != others_.end()) {
    *it = node;
    return false;
  }
  others_.insert(std::upper_bound(others_.begin(), others_.end(), node,
                                  [](const NodeInfo& a, const NodeInfo& b) { return a.id < b.id; }),
                 node);
  return true;
}

bool Membership::fresh(const NodeInfo& node, int64_t now_millis) const {
  return node.heartbeat_millis >= now_millis - options_.stale_after.count();
}

int64_t Membership::judgedNowLocked(int64_t now_millis) const {
  if (self_heartbeat_millis_ == 0) return now_millis;  // not joined yet
  // While heartbeats fail, nobody could heartbeat since the last one that worked. And a heartbeat
  // still waiting for Redis (a slow server, a Cluster failing over, a timeout running) has not
  // failed yet, but the view cannot be newer than the last one that read it: peers are judged
  // no later than when the next heartbeat was due, not aged out because this node's own read is
  // late. Under load that wait can outlast stale_after, and peers judged dead then had their
  // pushes kept from them.
  const int64_t observed = failing_.load()
                               ? self_heartbeat_millis_
                               : self_heartbeat_millis_ + options_.heartbeat_interval.count();
  return std::min(now_millis, observed);
}

void Membership::noteJoined(NodeInfo node) {
  if (node.id == self_.id) return;
  node.heartbeat_millis = clock_.nowMillis();
  // Just started: it has no sessions older than that to write back.
  node.sessions_written_millis = node.started_at_millis;
  bool added = false;
  {
    std::unique_lock lock(mutex_);
    added = upsertLocked(node);
  }
  if (added) {
    spdlog::info("membership: node {} is live (rpc {}:{}, announced)", node.id, node.rpc_host,
                 node.rpc_port);
  }
}

void Membership::setReachability(std::function<bool(std::string_view node_id)> reachable) {
  std::unique_lock lock(mutex_);
  reachable_ = std::move(reachable);
}

bool Membership::confirmAlive(std::string_view node_id) {
  if (isAlive(node_id)) return true;
  const int64_t now = clock_.nowMillis();
  {
    std::shared_lock lock(mutex_);
    if (auto it = confirmed_.find(std::string(node_id));
        it != confirmed_.end() && now - it->second.first < kConfirmIntervalMillis) {
      return it->second.second;
    }
  }
  // The score in the ZSET and the details, in one script so both are of the same moment.
  auto reply = redis_.evalshaSync(
      []() -> const redis::RedisScript& {
        static const redis::RedisScript script(R"lua(
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return {} end
local d = redis.call('HMGET', KEYS[2], 'host', 'port', 'started', 'written')
return {score, d[1] or '', d[2] or '', d[3] or '', d[4] or ''}
)lua");
        return script;
      }(),
      {redis_keys::nodes(), redis_keys::node(node_id)}, {std::string(node_id)});
  bool alive = false;
  if (reply.ok() && !reply->isError() && reply->elements.size() == 5) {
    const NodeInfo node = nodeFrom(std::string(node_id), reply->elements.data());
    alive = fresh(node, now) && node.rpc_port != 0;
    if (alive) {
      spdlog::info("membership: node {} is live (rpc {}:{}, found when looked up)", node.id,
                   node.rpc_host, node.rpc_port);
      std::unique_lock lock(mutex_);
      upsertLocked(node);
    }
  }
  std::unique_lock lock(mutex_);
  // A failed read counts as "not live" until the next try: the caller treats the node as gone.
  confirmed_[std::string(node_id)] = {now, alive};
  return alive;
}

bool Membership::isAlive(std::string_view node_id) const {
  if (node_id == self_.id) return true;
  std::shared_lock lock(mutex_);
  const int64_t now = judgedNowLocked(clock_.nowMillis());
  for (const auto& node : others_) {
    if (node.id == node_id) return fresh(node, now);
  }
  return false;
}

std::optional<NodeInfo> Membership::find(std::string_view node_id) const {
  std::shared_lock lock(mutex_);
  if (node_id == self_.id) {
    NodeInfo self = self_;
    self.heartbeat_millis = self_heartbeat_millis_;
    return self;
  }
  for (const auto& node : others_) {
    if (node.id == node_id) return node;
  }
  return std::nullopt;
}

std::vector<NodeInfo> Membership::liveNodes() const {
  std::vector<NodeInfo> live;
  std::shared_lock lock(mutex_);
  const int64_t now = judgedNowLocked(clock_.nowMillis());
  live.reserve(others_.size() + 1);
  NodeInfo self = self_;
  self.heartbeat_millis = self_heartbeat_millis_;
  live.push_back(std::move(self));
  for (const auto& node : others_) {
    if (fresh(node, now)) live.push_back(node);
  }
  std::sort(live.begin(), live.end(),
            [](const NodeInfo& a, const NodeInfo& b) { return a.id < b.id; });
  return live;
}

void Membership::noteSessionsWritten(int64_t millis) {
  int64_t seen = self_sessions_written_millis_.load();
  while (seen < millis && !self_sessions_written_millis_.compare_exchange_weak(seen, millis)) {
  }
}

bool Membership::allSessionsWrittenSince(int64_t since_millis) const {
  // A refresh that began this long after the moment, by its node's clock, began after it.
  const int64_t after = since_millis + kClockSkewMillis;
  if (self_sessions_written_millis_.load() < after) return false;
  std::shared_lock lock(mutex_);
  const int64_t now = judgedNowLocked(clock_.nowMillis());
  return std::all_of(others_.begin(), others_.end(), [&](const NodeInfo& node) {
    return !fresh(node, now) || node.sessions_written_millis >= after;
  });
}

bool Membership::alone() const {
  std::shared_lock lock(mutex_);
  const int64_t now = judgedNowLocked(clock_.nowMillis());
  return std::none_of(others_.begin(), others_.end(),
                      [&](const NodeInfo& node) { return fresh(node, now); });
}

}  // namespace parley::nodes
