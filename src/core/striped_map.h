#pragma once
// A hash map shared by threads, split over striped locks so that threads touching different keys
// rarely wait for each other. Per-key state of the client throttles lives in it
// (KeyedRateLimiter, LoginBackoff).
#include <array>
#include <cstddef>
#include <functional>
#include <iterator>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley {

// Lets a map keyed by std::string be searched with a std::string_view, without a copy.
struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// LookupKey: what callers pass (std::string_view for std::string keys, so a lookup allocates
// nothing); Key must be constructible from it.
template <typename Key, typename Value, typename LookupKey = Key, typename Hash = std::hash<Key>>
class StripedMap {
 public:
  // Calls fn(value) under the key's lock, first adding make() if the key is absent, and returns
  // what fn returns.
  template <typename Make, typename Fn>
  auto update(LookupKey key, Make make, Fn fn) {
    Stripe& stripe = stripeOf(key);
    std::lock_guard lock(stripe.mutex);
    auto entry = stripe.entries.find(key);
    if (entry == stripe.entries.end()) entry = stripe.entries.emplace(Key(key), make()).first;
    return fn(entry->second);
  }

  // Calls fn(value) under the key's lock if the key is present; otherwise returns absent.
  template <typename Fn, typename Result>
  Result read(LookupKey key, Fn fn, Result absent) {
    Stripe& stripe = stripeOf(key);
    std::lock_guard lock(stripe.mutex);
    auto entry = stripe.entries.find(key);
    return entry == stripe.entries.end() ? absent : fn(entry->second);
  }

  void erase(LookupKey key) {
    Stripe& stripe = stripeOf(key);
    std::lock_guard lock(stripe.mutex);
    if (auto entry = stripe.entries.find(key); entry != stripe.entries.end()) {
      stripe.entries.erase(entry);
    }
  }

  // Erases the entries for which drop(value) is true, one stripe at a time; returns how many
  // remain.
  template <typename Drop>
  size_t eraseIf(Drop drop) {
    size_t remaining = 0;
    for (Stripe& stripe : stripes_) {
      std::lock_guard lock(stripe.mutex);
      // By hand: std::erase_if hands the predicate const entries, and drop may update them.
      for (auto entry = stripe.entries.begin(); entry != stripe.entries.end();) {
        entry = drop(entry->second) ? stripe.entries.erase(entry) : std::next(entry);
      }
      remaining += stripe.entries.size();
    }
    return remaining;
  }

 private:
  static constexpr size_t kStripes = 16;
  struct Stripe {
    std::mutex mutex;
    std::unordered_map<Key, Value, Hash, std::equal_to<>> entries;
  };

  Stripe& stripeOf(LookupKey key) { return stripes_[Hash{}(key) % kStripes]; }

  std::array<Stripe, kStripes> stripes_;
};

// Client IPs, looked up by the string_view of a connection's address.
template <typename Value>
using IpMap = StripedMap<std::string, Value, std::string_view, TransparentStringHash>;
template <typename Value>
using UserIdMap = StripedMap<int64_t, Value>;

}  // namespace parley
