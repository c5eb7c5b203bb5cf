#include "core/digest_lru.h"

#include <algorithm>
#include <cstring>

namespace parley {

size_t DigestLru::DigestHash::operator()(const VerificationDigest& digest) const {
  // The digest is already a keyed BLAKE2b output, so any 8 bytes of it are uniformly distributed.
  size_t h;
  std::memcpy(&h, digest.data(), sizeof(h));
  return h;
}

DigestLru::DigestLru(int64_t ttl_millis, size_t capacity)
    : ttl_millis_(ttl_millis), capacity_(capacity) {}

bool DigestLru::contains(const VerificationDigest& digest, int64_t now_millis) {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(digest);
  if (it == index_.end()) return false;
  if (live(it->second->expires_at_millis, now_millis)) return true;
  order_.erase(it->second);
  index_.erase(it);
  return false;
}

void DigestLru::add(const VerificationDigest& digest, int64_t now_millis) {
  std::lock_guard lock(mutex_);
  insertLocked(digest, now_millis + ttl_millis_, now_millis);
}

void DigestLru::restore(const VerificationDigest& digest, int64_t expires_at_millis,
                        int64_t now_millis) {
  std::lock_guard lock(mutex_);
  insertLocked(digest, std::min(expires_at_millis, now_millis + ttl_millis_), now_millis);
}

void DigestLru::insertLocked(const VerificationDigest& digest, int64_t expires_at_millis,
                             int64_t now_millis) {
  if (const auto it = index_.find(digest); it != index_.end()) {
    order_.erase(it->second);
    index_.erase(it);
  }
  while (!order_.empty() &&
         (order_.size() >= capacity_ || !live(order_.front().expires_at_millis, now_millis))) {
    index_.erase(order_.front().digest);
    order_.pop_front();
  }
  order_.push_back({digest, expires_at_millis});
  index_.emplace(digest, std::prev(order_.end()));
}

size_t DigestLru::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace parley
