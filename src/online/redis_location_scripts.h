#pragma once
// The Lua scripts behind RedisUserLocations. Each touches the three keys of one bucket (same hash
// tag, so the same Cluster slot): KEYS[1] the GEO set, KEYS[2] the writers hash, KEYS[3] (where
// used) the marks hash. Layout: redis_keys.h; writers: location_entry::writer.
#include "redis/redis_client.h"

namespace parley::redis_location_scripts {

// KEYS: set, writers. ARGV: longitude, latitude, member, writer. Stores the position and who
// wrote it. Returns 1.
const redis::RedisScript& upsert();

// KEYS: set, writers. ARGV: pairs of (member, writer). Removes each member whose recorded writer
// is the given one (a member with no recorded writer matches ""). Returns how many went.
const redis::RedisScript& removeIfWrittenBy();

// KEYS: set, writers. ARGV: longitude, latitude, radius (m), count. GEOSEARCH from the position,
// nearest first. Returns per entry {member, distance (m), longitude, latitude, writer or ""}.
const redis::RedisScript& search();

// KEYS: marks. ARGV (after the server id, ScriptArgs::kServerIdFirst): node id. 1 when the node's
// mark names this server process (nothing lost since its last full write), else 0.
const redis::RedisScript& isMarked();

// KEYS: set, writers, marks. ARGV (after the server id): node id, then per entry longitude,
// latitude, member, writer. Writes each entry unless the member holds one written by a later
// login (larger login date, the writer's first field) or by another session of the same date;
// sets the node's mark to this server process. Returns the members it kept from being written.
const redis::RedisScript& rewrite();

}  // namespace parley::redis_location_scripts
