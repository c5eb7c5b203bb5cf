#include "redis/cluster_slot_map.h"

#include <algorithm>
#include <charconv>

#include "redis/key_slot.h"

namespace parley {

namespace {

// Redis reports an unknown endpoint as NULL (cluster-preferred-endpoint-type unknown-endpoint),
// "" (a node that does not know its own address yet) or "?" (hostname type, none configured).
bool isUnknownEndpoint(std::string_view endpoint) { return endpoint.empty() || endpoint == "?"; }

Result<RedisNodeAddress> toAddress(const ClusterSlotsNode& node, std::string_view queried_host) {
  if (node.port < 1 || node.port > 65535) {
    return error(StatusCode::kServerUnavailable, "CLUSTER SLOTS: bad port " +
                                                     std::to_string(node.port) + " for node '" +
                                                     node.endpoint + "'");
  }
  RedisNodeAddress address;
  address.host = isUnknownEndpoint(node.endpoint) ? std::string(queried_host) : node.endpoint;
  address.port = static_cast<uint16_t>(node.port);
  return address;
}

template <typename T>
std::optional<T> parseDecimal(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::string RedisNodeAddress::toString() const { return host + ":" + std::to_string(port); }

ClusterSlotMap::ClusterSlotMap() : slot_to_shard_(kClusterSlotCount, kUnassigned) {}

Result<ClusterSlotMap> ClusterSlotMap::fromClusterSlots(std::span<const ClusterSlotsEntry> reply,
                                                        std::string_view queried_host) {
  ClusterSlotMap map;
  for (const ClusterSlotsEntry& entry : reply) {
    if (entry.start < 0 || entry.end >= kClusterSlotCount || entry.start > entry.end) {
      return error(StatusCode::kServerUnavailable, "CLUSTER SLOTS: bad slot range " +
                                                       std::to_string(entry.start) + "-" +
                                                       std::to_string(entry.end));
    }
    auto primary = toAddress(entry.primary, queried_host);
    if (!primary) return primary.status();
    std::vector<RedisNodeAddress> replicas;
    replicas.reserve(entry.replicas.size());
    for (const ClusterSlotsNode& node : entry.replicas) {
      auto replica = toAddress(node, queried_host);
      if (!replica) return replica.status();
      replicas.push_back(std::move(*replica));
    }

    const uint16_t shard = map.shardIndexOf(*primary);
    // A primary listed in several entries (non-contiguous ranges) keeps the replicas it was
    // first listed with; Redis reports the same ones in every entry.
    if (map.shards_[shard].replicas.empty()) map.shards_[shard].replicas = std::move(replicas);
    for (auto slot = entry.start; slot <= entry.end; ++slot) {
      uint16_t& owner = map.slot_to_shard_[static_cast<size_t>(slot)];
      if (owner != kUnassigned) {
        return error(StatusCode::kServerUnavailable,
                     "CLUSTER SLOTS: slot " + std::to_string(slot) + " is claimed by both " +
                         map.shards_[owner].primary.toString() + " and " + primary->toString());
      }
      owner = shard;
    }
  }
  return map;
}

const ClusterSlotMap::Shard* ClusterSlotMap::shardOf(uint16_t slot) const {
  if (slot >= kClusterSlotCount) return nullptr;
  const uint16_t shard = slot_to_shard_[slot];
  return shard == kUnassigned ? nullptr : &shards_[shard];
}

const RedisNodeAddress* ClusterSlotMap::primaryOf(uint16_t slot) const {
  const Shard* shard = shardOf(slot);
  return shard ? &shard->primary : nullptr;
}

std::span<const RedisNodeAddress> ClusterSlotMap::replicasOf(uint16_t slot) const {
  const Shard* shard = shardOf(slot);
  if (!shard) return {};
  return shard->replicas;
}

const RedisNodeAddress* ClusterSlotMap::primaryOfKey(std::string_view key) const {
  return primaryOf(keySlot(key));
}

size_t ClusterSlotMap::unassignedSlotCount() const {
  return static_cast<size_t>(std::count(slot_to_shard_.begin(), slot_to_shard_.end(), kUnassigned));
}

std::vector<RedisNodeAddress> ClusterSlotMap::primaries() const {
  // Shards no longer serving any slot (after reassign) are left out.
  std::vector<bool> listed(shards_.size(), false);
  std::vector<RedisNodeAddress> result;
  for (const uint16_t shard : slot_to_shard_) {
    if (shard == kUnassigned || listed[shard]) continue;
    listed[shard] = true;
    result.push_back(shards_[shard].primary);
  }
  return result;
}

void ClusterSlotMap::reassign(uint16_t slot, const RedisNodeAddress& primary) {
  if (slot >= kClusterSlotCount) return;
  slot_to_shard_[slot] = shardIndexOf(primary);
}

uint16_t ClusterSlotMap::shardIndexOf(const RedisNodeAddress& primary) {
  for (size_t i = 0; i < shards_.size(); ++i) {
    if (shards_[i].primary == primary) return static_cast<uint16_t>(i);
  }
  // MOVEDs to ever new addresses would otherwise grow shards_ past what a uint16_t index holds;
  // at most 16384 shards can serve a slot, so dropping the idle ones keeps it below that + 1.
  if (shards_.size() >= kClusterSlotCount) dropIdleShards();
  shards_.push_back(Shard{primary, {}});
  return static_cast<uint16_t>(shards_.size() - 1);
}

void ClusterSlotMap::dropIdleShards() {
  std::vector<uint16_t> new_index(shards_.size(), kUnassigned);
  for (const uint16_t shard : slot_to_shard_) {
    if (shard != kUnassigned) new_index[shard] = 0;
  }
  std::vector<Shard> kept;
  for (size_t i = 0; i < shards_.size(); ++i) {
    if (new_index[i] == kUnassigned) continue;
    new_index[i] = static_cast<uint16_t>(kept.size());
    kept.push_back(std::move(shards_[i]));
  }
  shards_ = std::move(kept);
  for (uint16_t& shard : slot_to_shard_) {
    if (shard != kUnassigned) shard = new_index[shard];
  }
}

std::optional<ClusterRedirect> parseClusterRedirect(std::string_view error_message,
                                                    std::string_view replying_host) {
  ClusterRedirect redirect;
  std::string_view rest;
  if (error_message.starts_with("MOVED ")) {
    redirect.kind = RedirectKind::kMoved;
    rest = error_message.substr(6);
  } else if (error_message.starts_with("ASK ")) {
    redirect.kind = RedirectKind::kAsk;
    rest = error_message.substr(4);
  } else {
    return std::nullopt;
  }

  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto slot = parseDecimal<uint16_t>(rest.substr(0, space));
  if (!slot || *slot >= kClusterSlotCount) return std::nullopt;
  redirect.slot = *slot;

  const std::string_view endpoint_and_port = rest.substr(space + 1);
  const size_t colon = endpoint_and_port.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port = parseDecimal<uint16_t>(endpoint_and_port.substr(colon + 1));
  if (!port || *port == 0) return std::nullopt;
  std::string_view host = endpoint_and_port.substr(0, colon);
  if (host.find(' ') != std::string_view::npos) return std::nullopt;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  redirect.address.host = host.empty() ? std::string(replying_host) : std::string(host);
  redirect.address.port = *port;
  return redirect;
}

}  // namespace parley
