#pragma once
// The Lua scripts behind RedisSessionRegistry. Each touches keys of one batch only (one user key,
// or the keys of one RedisDeployment::batchOf group), so the same script runs unchanged on a
// single node, on standalone shards and on a Redis Cluster. Hash layout: redis_session_registry.h.
#include "redis/redis_client.h"

namespace parley::redis_session_scripts {

// KEYS: the user's key. ARGV: device type, node id, status, login date (ms), heartbeat (ms),
// ttl (s). The new login always wins. Returns {} or {previous node id, previous login date}.
const redis::RedisScript& registerDevice();

// KEYS: the user's key. ARGV: node id, device type. Deletes the device only when node id owns it;
// deletes the key when no device is left, else the node's heartbeat when it owns nothing more.
// Returns 1 when something was deleted, else 0.
const redis::RedisScript& unregisterDevice();

// KEYS: the user's key. ARGV: status. Returns 1 and writes the status when the user has a device
// field, else 0.
const redis::RedisScript& setStatus();

// KEYS: the users' keys (one batch). ARGV: node id, heartbeat (ms), ttl (s), then per key:
// status, device count n, n × (device type, login date). Writes back devices the hash lost, keeps
// devices another node took over, refreshes this node's heartbeat and the TTL.
// Returns {re-registered device count, key index (0-based), device type, key index, ...} where
// the pairs are the devices now owned by another node.
const redis::RedisScript& refreshSessions();

}  // namespace parley::redis_session_scripts
