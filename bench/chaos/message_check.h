#pragma once
// What a trial's messages became, from the recipients' side: every acknowledged message stored
// exactly once and queryable by its recipient (QueryMessagesRequest through the recipient's own
// connection), sequence ids unique per conversation and increasing in acknowledgement order, and
// a push for every acknowledged message on every device of its recipients that stayed connected.
// Conversations carry over from trial to trial: a sequence id that goes back after a fault is
// caught against the ones acknowledged in earlier trials.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "chaos/chaos_options.h"
#include "chaos/ledger.h"
#include "chaos/traffic.h"

namespace parley::chaos {

struct MessageCounts {
  int64_t sent = 0;
  int64_t acknowledged = 0;
  int64_t refused = 0;              // answered with an error code (e.g. 1201 while a store is down)
  int64_t unanswered = 0;           // no answer within the request timeout
  int64_t lost = 0;                 // acknowledged, not stored (or stored differently)
  int64_t duplicated = 0;           // stored twice, or two stored messages sharing a sequence id
  int64_t regressions = 0;          // a sequence id not above one acknowledged before the send
  int64_t sequence_mismatches = 0;  // the push's sequence id is not the stored one, or none
  int64_t pushes_missed = 0;
  int64_t duplicate_pushes = 0;       // one device got the same message twice (not a failure)
  int64_t stored_unacknowledged = 0;  // refused or unanswered, yet stored (not a failure)
  int64_t unverified = 0;             // acknowledged messages whose recipient's query kept failing
  std::vector<double> ack_millis;     // send to acknowledgement, per acknowledged message
  std::vector<std::string> examples;
};

class MessageChecker {
 public:
  MessageChecker(const Options& options, Ledger& ledger, Traffic& traffic)
      : options_(options), ledger_(ledger), traffic_(traffic) {}

  // Pushes of the trial's acknowledged messages not received yet by a device that should have
  // one; waits until there are none or `limit` passed, then counts what is still missing.
  // Examples give times relative to fault_at.
  void checkPushes(int trial, TimePoint trial_start, TimePoint fault_at,
                   std::chrono::milliseconds limit, MessageCounts& counts);
  // Queries what the trial's recipients have stored since trial_start_unix_ms and compares.
  void checkStored(int trial, int64_t trial_start_unix_ms, TimePoint fault_at,
                   MessageCounts& counts);

 private:
  // (is group, a, b): a group id and 0, or the two users in order.
  using ConversationKey = std::tuple<bool, int64_t, int64_t>;
  struct Conversation {
    int64_t max_acknowledged_sequence = 0;                     // over earlier trials
    std::unordered_map<int64_t, int64_t> message_of_sequence;  // every stored one seen so far
  };

  const Options& options_;
  Ledger& ledger_;
  Traffic& traffic_;
  std::map<ConversationKey, Conversation> conversations_;
};

}  // namespace parley::chaos
