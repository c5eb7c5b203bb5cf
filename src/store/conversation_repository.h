#pragma once
// Conversations: per-conversation read dates (Turms' `privateConversation` and
// `groupConversation`) and conversation settings.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace parley {

struct PrivateConversationRecord {
  int64_t owner_id = 0;
  int64_t target_id = 0;
  int64_t read_date = 0;
};

struct GroupConversationRecord {
  int64_t group_id = 0;
  std::map<int64_t, int64_t> member_read_dates;  // member id -> read date
};

// Settings of one conversation for one user: name -> serialized im.turms.proto.Value.
struct ConversationSettingsRecord {
  int64_t owner_id = 0;
  bool is_group = false;
  int64_t target_id = 0;  // user id or group id
  std::map<std::string, std::string> settings;
  int64_t last_updated_date = 0;
};

class ConversationRepository {
 public:
  virtual ~ConversationRepository() = default;
  // Moves the read date forward only: an older date leaves the stored one as it is. Returns the
  // read date stored afterwards.
  virtual Result<int64_t> upsertPrivateReadDate(int64_t owner_id, int64_t target_id,
                                                int64_t read_date) = 0;
  virtual Result<int64_t> upsertGroupReadDate(int64_t group_id, int64_t member_id,
                                              int64_t read_date) = 0;
  virtual Result<std::vector<PrivateConversationRecord>> queryPrivate(
      int64_t owner_id, std::span<const int64_t> target_ids) = 0;
  virtual Result<std::vector<GroupConversationRecord>> queryGroups(
      std::span<const int64_t> group_ids) = 0;

  // Merges `settings` into the stored ones.
  virtual VoidResult upsertSettings(const ConversationSettingsRecord& settings) = 0;
  // names empty = delete all of that conversation's settings (targets empty = all conversations).
  virtual Result<int64_t> deleteSettings(int64_t owner_id, bool is_group,
                                         std::span<const int64_t> target_ids,
                                         std::span<const std::string> names) = 0;
  virtual Result<std::vector<ConversationSettingsRecord>> querySettings(
      int64_t owner_id, std::span<const int64_t> user_ids, std::span<const int64_t> group_ids,
      std::optional<int64_t> last_updated_date_start) = 0;
};

}  // namespace parley
