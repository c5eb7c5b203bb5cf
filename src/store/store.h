#pragma once
// The business store: the set of repositories a node uses. The embedded default is SQLite.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "core/verification_cache.h"
#include "online/sequence_ids.h"
#include "store/admin_account_repository.h"
#include "store/conversation_repository.h"
#include "store/friend_request_repository.h"
#include "store/group_blocklist_repository.h"
#include "store/group_invitation_repository.h"
#include "store/group_join_question_repository.h"
#include "store/group_join_request_repository.h"
#include "store/group_repository.h"
#include "store/group_type_repository.h"
#include "store/message_repository.h"
#include "store/relationship_group_repository.h"
#include "store/relationship_repository.h"
#include "store/sequence_lease_repository.h"
#include "store/user_repository.h"
#include "store/user_values_repository.h"

namespace parley {

class Clock;

class Store {
 public:
  virtual ~Store() = default;
  virtual UserRepository& users() = 0;
  virtual MessageRepository& messages() = 0;
  virtual GroupRepository& groups() = 0;
  virtual GroupMemberRepository& groupMembers() = 0;
  virtual GroupBlocklistRepository& groupBlocklist() = 0;
  virtual GroupInvitationRepository& groupInvitations() = 0;
  virtual GroupJoinRequestRepository& groupJoinRequests() = 0;
  virtual GroupJoinQuestionRepository& groupJoinQuestions() = 0;
  // Holds the DEFAULT type from the moment the store is open.
  virtual GroupTypeRepository& groupTypes() = 0;
  virtual RelationshipRepository& relationships() = 0;
  virtual RelationshipGroupRepository& relationshipGroups() = 0;
  virtual UserValuesRepository& userSettings() = 0;
  virtual UserValuesRepository& userDefinedAttributes() = 0;
  virtual FriendRequestRepository& friendRequests() = 0;
  virtual ConversationRepository& conversations() = 0;
  // Durable per-conversation sequence counters kept in the store itself (the embedded default;
  // clusters use Redis counters with this store's messages as their floor).
  virtual SequenceIds& sequenceIds() = 0;
  // Durable bounds under which Redis sequence counters hand out ids (sequence_lease_repository.h).
  virtual SequenceLeaseRepository& sequenceLeases() = 0;
  // Accounts of the admin API beside the configured bootstrap owner.
  virtual AdminAccountRepository& adminAccounts() = 0;
  // Makes everything acknowledged so far durable, and waits for the writes queued so far and the
  // callbacks of asynchronous ones (called on graceful shutdown, before the io threads stop).
  virtual void flush() = 0;
  // One cheap round trip to the storage (MongoDB's ping, a read of the SQLite schema), for the
  // node's health: kServerUnavailable, with the reason, when it does not answer. Blocks up to the
  // store's timeout.
  virtual VoidResult ping() = 0;
  // True when the store holds no business data at all (demo data is only seeded then).
  virtual Result<bool> isEmpty() = 0;
  // True for exactly one caller among all nodes sharing this store, and only while it holds no
  // users: several nodes started at once on an empty database must not seed demo data twice.
  virtual Result<bool> claimDemoSeeding() = 0;
  // The SQLite figures of the embedded default (writer thread, read connections), for /metrics.
  virtual std::optional<StoreMetrics> metrics() { return std::nullopt; }

  // The value stored under name; when there is none yet, value_if_absent is stored and returned.
  // Every node sharing the store gets the same value, also when several start at once: for
  // settings of Parley's own that must agree across nodes without configuration (the password
  // verification cache's secret).
  virtual Result<std::string> sharedSetting(std::string_view name,
                                            std::string_view value_if_absent) = 0;

  // The password verification cache's second level kept in this store across restarts (the
  // embedded node's), reading back what an earlier run left; nullptr where the store keeps none
  // (MongoDB: nodes sharing it share that level in Redis). Start-up only; throws
  // std::runtime_error when it cannot be read. The store must outlive it.
  virtual std::unique_ptr<SharedVerificationCache> openVerificationCache(const Clock& clock,
                                                                         int64_t ttl_millis,
                                                                         size_t capacity) {
    (void)clock, (void)ttl_millis, (void)capacity;
    return nullptr;
  }
};

// Opens (creating and migrating as needed) the SQLite store in data_dir. Throws std::runtime_error
// with a clear message at start-up when the directory or database cannot be used.
std::unique_ptr<Store> openSqliteStore(const std::string& data_dir);

struct MongoConfig;
// Connects to MongoDB, creates collections and indexes (and shards them behind mongos). Throws
// std::runtime_error naming the cause when MongoDB cannot be reached or used (start-up only).
std::unique_ptr<Store> openMongoStore(const MongoConfig& config);

}  // namespace parley
