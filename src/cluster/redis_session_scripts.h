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

// Not keyed (EVAL with numkeys 0, sent to every server). ARGV: after user id (decimal), n.
// SCANs the server's session keys and returns up to n user ids (decimal strings) greater than
// the given one, ascending, then "1" when more ids remained past them, else "0".
// Compares ids as decimal strings, since Lua numbers are doubles and ids use all 63 bits.
const redis::RedisScript& listSessionUsers();

// Not keyed, as listSessionUsers. ARGV: now (ms), stale after (ms). Counts the server's session
// keys by the set of nodes that own a device there with a fresh heartbeat: returns a flat list
// {"node1,node2", count, ...} (sorted node ids joined by ','; users with no fresh device are
// left out), so the caller can apply its own node liveness.
const redis::RedisScript& countSessionUsers();

}  // namespace parley::redis_session_scripts
