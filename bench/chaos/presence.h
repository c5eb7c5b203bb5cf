#pragma once
// Who every live node shows online, read from its admin API (/users/online-statuses, which
// applies the same liveness rules as the client protocol's online-status query), judged against
// the connections the clients really hold.
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "chaos/ledger.h"
#include "chaos/node_directory.h"

namespace parley::chaos {

struct PresenceReport {
  bool complete = false;  // every live node answered
  // Users with a device connected since before the question that some live node does not show
  // online on that device, on the node it is connected to.
  std::set<int64_t> missing_users;
  // Users some live node shows online on a device that has had no connection for ghost_after.
  std::set<int64_t> ghost_users;
  // Devices shown online without a connection that closed too recently to judge.
  int unjudged = 0;
  // Users shown online on a device whose connection closed before judged_since: an earlier
  // check already counted them (a ghost that stays), so they are not counted again.
  std::set<int64_t> earlier_ghost_users;
  std::vector<std::string> examples;  // a few, for the operator
};

// Asks every node that is up about `users`. ghost_after: how long a device must have had no
// connection before being shown online makes it a ghost (zero: ghosts are not judged); only
// connections closed since judged_since count, older ones go to earlier_ghost_users.
PresenceReport checkPresence(const NodeDirectory& nodes, const Ledger& ledger,
                             const std::vector<int64_t>& users, const std::string& admin_password,
                             Clock::duration ghost_after,
                             TimePoint judged_since = TimePoint::min());

}  // namespace parley::chaos
