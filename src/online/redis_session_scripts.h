#pragma once
// The Lua scripts behind RedisSessionRegistry. Each touches keys of one batch only (one user key,
// or the keys of one RedisDeployment::batchOf group, plus that batch's marker), so the same script
// runs unchanged on a single node, on standalone shards and on a Redis Cluster. Hash layout:
// redis_session_registry.h.
#include "redis/redis_client.h"

namespace parley::redis_session_scripts {

// KEYS: the user's key. ARGV: device type, node id, status, login date (ms), heartbeat (ms),
// ttl (s). The new login always wins. Returns {} or {previous node id, previous login date}.
const redis::RedisScript& registerDevice();

// KEYS: the user's key. ARGV: node id, device type, login date. Deletes the device only when that
// session (node id and login date) still owns it; deletes the key when no device is left, else
// the node's heartbeat when it owns nothing more there. Returns 1 when something was deleted,
// else 0.
const redis::RedisScript& unregisterDevice();

// KEYS: the user's key. ARGV: status. Returns 1 and writes the status when the user has a device
// field, else 0.
const redis::RedisScript& setStatus();

// KEYS: the users' keys (one batch). ARGV: node id, heartbeat (ms), ttl (s), ghost cutoff (ms),
// then per key: status, n, n × (device type, login date) of the devices this node holds, m,
// m × (device type, login date) of sessions whose removal must be retried.
// Per key: removes the listed sessions if they still own their device; writes back held devices
// the hash lost or holds for another node with an older login date (a copy of the past); keeps
// devices another node took over with a newer login; deletes device fields that name this node
// but that it does not hold, registered before the ghost cutoff (a failed removal, an earlier
// process with this node id); refreshes this node's heartbeat and the TTL only when it holds a
// device there.
// Returns {written back, ghosts deleted, n, n × (key index, device) taken over by another node,
// m, m × (key index, device) removed, w, w × (key index, device) written back}, indexes 0-based.
const redis::RedisScript& refreshSessions();

// KEYS: the users' keys (one batch), then the batch's marker (RedisDeployment::keyBeside).
// ARGV (after the server id, ScriptArgs::kServerIdFirst): heal window (ms).
// The marker records which server process holds the batch and since when. When it is missing
// (FLUSHALL, a restart without persistence) or names another process (a restart from an older
// copy, a failover), Redis lost or rolled back the batch's entries: the marker is written anew
// and, for the heal window after that, lookups say so (the nodes write their sessions back at
// their next tick). Returns {healing 0/1, HGETALL of each user key}.
const redis::RedisScript& querySessions();

// KEYS: users' keys (one batch). ARGV: node id. Deletes every device field naming the node, the
// node's heartbeat field, and keys left without a device: entries of an earlier process of a
// node, removed at start before it accepts clients. Returns the number of devices removed.
const redis::RedisScript& removeNodeEntries();

}  // namespace parley::redis_session_scripts
