#pragma once
// Every Redis key Parley writes, in one place (the slot a key lands in: redis/key_slot.h).
//
// Keys carry a hash tag ({...}) so that everything one script touches lives in one Cluster slot:
// Lua scripts and multi-key commands are only allowed within one slot (CROSSSLOT otherwise). The
// same names are used on a single node and on several standalone shards, where the tags are
// harmless, so all three topologies share one code path. Ids are written in signed decimal,
// which keeps keys readable in redis-cli.
//
// Key catalogue ("<id>" is a decimal int64):
//   im:sess:{u:<user>}           HASH  the user's session: status, device type → node id,
//                                      node id → heartbeat (upstream's UserStatusService layout).
//                                      TTL = close-idle-session timeout, refreshed by heartbeats.
//   im:sess-mark{<slot tag>}     HASH  per batch of session keys (a Cluster slot; on standalone
//                                      servers one "im:sess-mark" per server): the Redis server
//                                      process holding them, and since when (ms).
//   im:seq:{g:<group>}           HASH  the group conversation's counter: v = last sequence id,
//                                      lim = its durable lease bound, srv = the Redis server
//                                      process that wrote it (redis_sequence_ids.h); no TTL.
//   im:seq:{p:<lo>:<hi>}         HASH  the same for a private conversation; lo < hi are the two
//                                      user ids (signed order): both directions share it.
//   im:seq-lease:{g:<group>}, im:seq-lease:{p:<lo>:<hi>}   STRING  lock of the caller extending
//                                      that conversation's lease; PX-expiring.
//   im:nodes:{cluster}           ZSET  live Parley nodes: member node id, score = heartbeat
//                                      time in epoch milliseconds; stale members are pruned.
//   im:node:{cluster}:<node id>  HASH  one node's details (RPC address, start time, when its last
//                                      refresh writing all its sessions began); TTL'd, so a
//                                      dead node's entry expires. The tag comes before the node
//                                      id so braces inside a node id cannot change the slot.
//   im:node-figures:{cluster}:<node id>  STRING  one node's figures for the console's cluster
//                                      view (JSON of admin/metrics_stream.h), written every
//                                      second with a 5 s TTL: a node that stops writing drops out.
//                                      The membership's tag, so one MGET reads every node's.
//   im:pwv:{v:<16 hex>}<48 hex>  "1"   a password verification another node may rely on: the
//                                      keyed digest in hex (core/verification_cache.h), its first
//                                      8 bytes as the tag so entries spread over slots and shards.
//                                      TTL = password.shared-verification-cache-seconds, renewed
//                                      while a session it let in lives.
//   im:loc:{l:<bucket>}          GEO   user locations (redis_user_locations.h): member "<user>" or
//                                      "<user>:<device type>"; no TTL. A user's bucket follows
//                                      from its id; on standalone shards bucket = shard.
//   im:loc-by:{l:<bucket>}       HASH  member → the session that wrote it ("<login date>:<device
//                                      type>:<node id>").
//   im:loc-mark:{l:<bucket>}     HASH  node id → the Redis server process that node last wrote all
//                                      its entries of the bucket to.
//   im:block:{blocklist}:ip      ZSET  blocked client IPs (redis_blocklist_store.h): member the
//                                      IP as printed, score = when the block ends, epoch ms;
//                                      expired members are removed at every node's sync.
//   im:block:{blocklist}:user    ZSET  the same for user ids.
//   im:block:{blocklist}:mark    HASH  node id → the Redis server process that node last wrote
//                                      its copy of the blocklists to.
// All membership keys share the tag "cluster" so one script can register a node and prune the
// dead ones atomically; the data is tiny, so one slot is enough.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/verification_cache.h"
#include "online/sequence_ids.h"

namespace parley {

namespace redis_keys {

std::string session(int64_t user_id);
// The name of the marker kept beside each batch of session keys (RedisDeployment::keyBeside):
// which Redis server process holds them and since when (redis_session_scripts.h, querySessions).
std::string_view sessionMarker();
std::string groupSequence(int64_t group_id);
// Unordered: (a, b) and (b, a) give the same key.
std::string privateSequence(int64_t user1, int64_t user2);
std::string sequence(const ConversationKey& key);
// The short-lived lock taken by the caller that extends the conversation's durable lease (same
// slot as its counter).
std::string sequenceLeaseLock(const ConversationKey& key);
std::string nodes();
std::string node(std::string_view node_id);
std::string nodeFigures(std::string_view node_id);
std::string verifiedPassword(const VerificationDigest& digest);
// target: "ip" or "user" (blockTargetName).
std::string blocklist(std::string_view target);
std::string_view blocklistMarks();
std::string locations(int32_t bucket);
std::string locationWriters(int32_t bucket);
std::string locationMarks(int32_t bucket);

}  // namespace redis_keys

}  // namespace parley
