#include "online/redis_keys.h"

#include <algorithm>

namespace parley {

namespace redis_keys {

std::string session(int64_t user_id) { return "im:sess:{u:" + std::to_string(user_id) + "}"; }

std::string_view sessionMarker() { return "im:sess-mark"; }

std::string groupSequence(int64_t group_id) {
  return "im:seq:{g:" + std::to_string(group_id) + "}";
}

std::string privateSequence(int64_t user1, int64_t user2) {
  return "im:seq:{p:" + std::to_string(std::min(user1, user2)) + ":" +
         std::to_string(std::max(user1, user2)) + "}";
}

std::string sequence(const ConversationKey& key) {
  return key.is_group ? groupSequence(key.a) : privateSequence(key.a, key.b);
}

std::string sequenceLeaseLock(const ConversationKey& key) {
  std::string name = sequence(key);
  return "im:seq-lease:" + name.substr(name.find('{'));
}

std::string nodes() { return "im:nodes:{cluster}"; }

std::string blocklist(std::string_view target) {
  return "im:block:{blocklist}:" + std::string(target);
}

std::string_view blocklistMarks() { return "im:block:{blocklist}:mark"; }

std::string node(std::string_view node_id) {
  std::string key = "im:node:{cluster}:";
  key.append(node_id);
  return key;
}

std::string nodeFigures(std::string_view node_id) {
  std::string key = "im:node-figures:{cluster}:";
  key.append(node_id);
  return key;
}

std::string verifiedPassword(const VerificationDigest& digest) {
  const std::string hex = toHex(digest);
  return "im:pwv:{v:" + hex.substr(0, 16) + "}" + hex.substr(16);
}

std::string locations(int32_t bucket) { return "im:loc:{l:" + std::to_string(bucket) + "}"; }

std::string locationWriters(int32_t bucket) {
  return "im:loc-by:{l:" + std::to_string(bucket) + "}";
}

std::string locationMarks(int32_t bucket) {
  return "im:loc-mark:{l:" + std::to_string(bucket) + "}";
}

}  // namespace redis_keys

}  // namespace parley
