#pragma once
// Durable bounds of the sequence ids Redis may hand out, one per conversation ("leases").
//
// A Redis counter hands out a conversation's ids only up to that conversation's bound, and the
// bound is raised here, durably, before the ids under it are used. So the bound is never below an
// id that was handed out, whatever Redis later loses or rolls back: a counter that may be stale
// restarts above the bound, and a conversation that never had a bound never handed out an id
// (docs/cluster.md, "Sequence ids", has the whole argument). A conversation without a bound that
// has stored messages (stored before bounds existed) starts from its highest stored sequence id.
#include <cstdint>

#include "core/result.h"
#include "online/sequence_ids.h"

namespace parley {

// The ids (from, to] are the caller's to hand out; every id of the conversation handed out by
// anyone else is at most `from` or above `to`.
struct SequenceLease {
  int64_t from = 0;
  int64_t to = 0;
};

class SequenceLeaseRepository {
 public:
  virtual ~SequenceLeaseRepository() = default;
  // Raises the conversation's bound by count (> 0) and returns the range it covers: durable when
  // this returns (MongoDB), or, on a store that serves one node and commits its writes in order
  // (SQLite), durable no later than any message numbered from it (see its header). Concurrent
  // calls get disjoint ranges. kServerUnavailable when storage fails.
  virtual Result<SequenceLease> extend(const ConversationKey& key, int64_t count) = 0;
  // The conversation's bound as stored now; 0 when it has none.
  virtual Result<int64_t> bound(const ConversationKey& key) = 0;
};

}  // namespace parley
