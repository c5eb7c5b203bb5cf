#include "redis/redis_topology.h"

#include <charconv>
#include <set>

#include "redis/key_slot.h"

namespace parley::redis {

namespace {

constexpr std::string_view kRedisScheme = "redis://";

Status badList(std::string reason) {
  return error(StatusCode::kIllegalArgument, "Redis URIs: " + std::move(reason));
}

std::string entryName(size_t index, std::string_view uri) {
  return "URI #" + std::to_string(index + 1) + " (" + redactUri(uri) + ")";
}

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool parseId(std::string_view text, int64_t* id) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *id);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Exactly 16 lowercase hex digits, as redis_keys::verifiedPassword writes them.
bool parseDigestPrefix(std::string_view text, uint64_t* prefix) {
  if (text.size() != 16) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *prefix, 16);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string redactUri(std::string_view uri) {
  const size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return "<not a URI>";
  const size_t authority_start = scheme_end + 3;
  const size_t authority_end = uri.find('/', authority_start);
  const std::string_view authority = uri.substr(authority_start, authority_end - authority_start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(uri);
  return std::string(uri.substr(0, authority_start)) + "***" +
         std::string(uri.substr(authority_start + at));
}

Result<DeploymentPlan> planDeployment(std::span<const std::string> uris) {
  if (uris.empty()) return badList("none configured");
  DeploymentPlan plan;
  bool any_cluster = false;
  bool any_plain = false;
  std::set<std::string> seen;
  for (size_t i = 0; i < uris.size(); ++i) {
    const std::string_view text = uris[i];
    Result<RedisUri> parsed = error(StatusCode::kIllegalArgument);
    const bool tls_seed = startsWith(text, kTlsClusterScheme);
    if (tls_seed || startsWith(text, kClusterScheme)) {
      any_cluster = true;
      const std::string_view rest =
          text.substr(tls_seed ? kTlsClusterScheme.size() : kClusterScheme.size());
      if (rest.find('/') != std::string_view::npos) {
        return badList(entryName(i, text) +
                       ": a cluster seed takes no database path (a Redis Cluster has only db 0)");
      }
      parsed =
          parseRedisUri(std::string(tls_seed ? "rediss://" : kRedisScheme) + std::string(rest));
    } else {
      any_plain = startsWith(text, kRedisScheme) || startsWith(text, "rediss://") || any_plain;
      parsed = parseRedisUri(text);
    }
    if (!parsed.ok()) {
      return badList(
          entryName(i, text) + ": " + parsed.status().reason +
          (startsWith(text, "redis") ? "" : " (or redis+cluster:// for a cluster seed)"));
    }
    if (any_cluster && any_plain) {
      return badList(entryName(i, text) +
                     ": redis:// shards and redis+cluster:// seeds cannot be mixed");
    }
    if (!seen.insert(parsed->display()).second) {
      return badList(entryName(i, text) + ": " + parsed->display() + " is listed twice");
    }
    plan.servers.push_back(std::move(*parsed));
  }
  if (any_cluster) {
    plan.topology = RedisTopology::kCluster;
  } else {
    plan.topology = plan.servers.size() == 1 ? RedisTopology::kSingle : RedisTopology::kSharded;
  }
  return plan;
}

int32_t shardOfKey(std::string_view key, const ShardingAlgorithm& sharding) {
  const std::string_view tag = hashTag(key);
  // hashTag returns the whole key when it has no tag.
  if (tag.size() == key.size() || tag.size() < 3 || tag[1] != ':') return 0;
  const std::string_view id_text = tag.substr(2);
  int64_t id = 0;
  switch (tag[0]) {
    case 'u':
      return parseId(id_text, &id) ? sharding.shardOfUser(id) : 0;
    case 'g':
      return parseId(id_text, &id) ? sharding.shardOfGroup(id) : 0;
    case 'p': {
      const size_t colon = id_text.find(':');
      int64_t other = 0;
      if (colon == std::string_view::npos || !parseId(id_text.substr(0, colon), &id) ||
          !parseId(id_text.substr(colon + 1), &other)) {
        return 0;
      }
      return sharding.shardOfPrivateConversation(id, other);
    }
    case 'l':
      // A location bucket: on standalone shards there is one per shard (redis_keys.h).
      return parseId(id_text, &id) && id >= 0 ? static_cast<int32_t>(id % sharding.shardCount())
                                              : 0;
    case 'v': {
      uint64_t prefix = 0;
      return parseDigestPrefix(id_text, &prefix) ? sharding.shardOfVerification(prefix) : 0;
    }
    default:
      return 0;
  }
}

}  // namespace parley::redis
