#pragma once
// ConversationRepository on MongoDB, over the `privateConversation`, `groupConversation` and
// `conversationSettings` collections (their specs and shard keys are in the .cpp, next to the
// queries).
#include <vector>

#include "store/conversation_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_schema.h"

namespace parley::mongo {

class MongoConversationRepository final : public ConversationRepository {
 public:
  // connection must outlive the repository.
  explicit MongoConversationRepository(const Connection& connection) : connection_(connection) {}

  static const std::vector<CollectionSpec>& collections();

  Result<int64_t> upsertPrivateReadDate(int64_t owner_id, int64_t target_id,
                                        int64_t read_date) override;
  Result<int64_t> upsertGroupReadDate(int64_t group_id, int64_t member_id,
                                      int64_t read_date) override;
  Result<std::vector<PrivateConversationRecord>> queryPrivate(
      int64_t owner_id, std::span<const int64_t> target_ids) override;
  Result<std::vector<GroupConversationRecord>> queryGroups(
      std::span<const int64_t> group_ids) override;

  VoidResult upsertSettings(const ConversationSettingsRecord& settings) override;
  Result<int64_t> deleteSettings(int64_t owner_id, bool is_group,
                                 std::span<const int64_t> target_ids,
                                 std::span<const std::string> names) override;
  Result<std::vector<ConversationSettingsRecord>> querySettings(
      int64_t owner_id, std::span<const int64_t> user_ids, std::span<const int64_t> group_ids,
      std::optional<int64_t> last_updated_date_start) override;

 private:
  const Connection& connection_;
};

}  // namespace parley::mongo
