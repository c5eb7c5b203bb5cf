// The MongoDB business store for clusters: standalone, replica set or sharded behind mongos,
// with the same code (standard commands only: no transactions, no change streams).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/mongo/bson_util.h"
#include "store/mongo/mongo_admin_account_repository.h"
#include "store/mongo/mongo_client.h"
#include "store/mongo/mongo_conversation_repository.h"
#include "store/mongo/mongo_friend_request_repository.h"
#include "store/mongo/mongo_group_blocklist_repository.h"
#include "store/mongo/mongo_group_invitation_repository.h"
#include "store/mongo/mongo_group_join_question_repository.h"
#include "store/mongo/mongo_group_join_request_repository.h"
#include "store/mongo/mongo_group_repository.h"
#include "store/mongo/mongo_group_type_repository.h"
#include "store/mongo/mongo_message_repository.h"
#include "store/mongo/mongo_relationship_group_repository.h"
#include "store/mongo/mongo_relationship_repository.h"
#include "store/mongo/mongo_schema.h"
#include "store/mongo/mongo_sequence_ids.h"
#include "store/mongo/mongo_sequence_lease_repository.h"
#include "store/mongo/mongo_user_repository.h"
#include "store/mongo/mongo_user_values_repository.h"
#include "store/store.h"

namespace parley {
namespace {

// Parley's own bookkeeping documents (e.g. who seeded the demo data).
constexpr const char* kMetaCollection = "parleyMeta";

std::vector<mongo::CollectionSpec> allCollections() {
  std::vector<mongo::CollectionSpec> all;
  for (const auto* specs :
       {&mongo::MongoUserRepository::collections(), &mongo::MongoMessageRepository::collections(),
        &mongo::MongoSequenceIds::collections(),
        &mongo::MongoSequenceLeaseRepository::collections(),
        &mongo::MongoGroupRepository::collections(),
        &mongo::MongoGroupMemberRepository::collections(),
        &mongo::MongoGroupBlocklistRepository::collections(),
        &mongo::MongoGroupInvitationRepository::collections(),
        &mongo::MongoGroupJoinRequestRepository::collections(),
        &mongo::MongoGroupJoinQuestionRepository::collections(),
        &mongo::MongoGroupTypeRepository::collections(),
        &mongo::MongoRelationshipRepository::collections(),
        &mongo::MongoRelationshipGroupRepository::collections(),
        &mongo::MongoUserValuesRepository::collections(),
        &mongo::MongoFriendRequestRepository::collections(),
        &mongo::MongoConversationRepository::collections(),
        &mongo::MongoAdminAccountRepository::collections()}) {
    all.insert(all.end(), specs->begin(), specs->end());
  }
  return all;
}

class MongoStore final : public Store {
 public:
  explicit MongoStore(const MongoConfig& config)
      : connection_(config),
        users_(connection_),
        messages_(connection_),
        sequence_ids_(connection_, messages_),
        sequence_leases_(connection_, messages_),
        groups_(connection_),
        group_members_(connection_),
        group_blocklist_(connection_, group_members_),
        group_invitations_(connection_, group_members_),
        group_join_requests_(connection_, group_members_),
        group_join_questions_(connection_),
        group_types_(connection_),
        relationships_(connection_),
        relationship_groups_(connection_),
        user_settings_(connection_, mongo::kUserSettingsLayout),
        user_defined_attributes_(connection_, mongo::kUserDefinedAttributesLayout),
        friend_requests_(connection_),
        conversations_(connection_),
        admin_accounts_(connection_) {
    mongo::bootstrap(connection_, allCollections());
    group_types_.ensureDefaultType();
  }

  UserRepository& users() override { return users_; }
  MessageRepository& messages() override { return messages_; }
  GroupRepository& groups() override { return groups_; }
  GroupMemberRepository& groupMembers() override { return group_members_; }
  GroupBlocklistRepository& groupBlocklist() override { return group_blocklist_; }
  GroupInvitationRepository& groupInvitations() override { return group_invitations_; }
  GroupJoinRequestRepository& groupJoinRequests() override { return group_join_requests_; }
  GroupJoinQuestionRepository& groupJoinQuestions() override { return group_join_questions_; }
  GroupTypeRepository& groupTypes() override { return group_types_; }
  RelationshipRepository& relationships() override { return relationships_; }
  RelationshipGroupRepository& relationshipGroups() override { return relationship_groups_; }
  UserValuesRepository& userSettings() override { return user_settings_; }
  UserValuesRepository& userDefinedAttributes() override { return user_defined_attributes_; }
  FriendRequestRepository& friendRequests() override { return friend_requests_; }
  ConversationRepository& conversations() override { return conversations_; }
  SequenceIds& sequenceIds() override { return sequence_ids_; }
  SequenceLeaseRepository& sequenceLeases() override { return sequence_leases_; }
  AdminAccountRepository& adminAccounts() override { return admin_accounts_; }
  VoidResult ping() override { return connection_.ping(); }
  // Every acknowledged write already waited for its write concern (journaled).
  void flush() override {}
  Result<bool> isEmpty() override { return users_.isEmpty(); }

  // The first node to insert the marker document seeds; every other node gets a duplicate key.
  // A unique _id is atomic on every MongoDB topology, with no transaction or lock service.
  Result<bool> claimDemoSeeding() override {
    auto empty = isEmpty();
    if (!empty.ok() || !*empty) return empty;
    auto client = connection_.client();
    mongo::CollectionPtr meta = client.collection(kMetaCollection);
    mongo::BsonPtr marker(BCON_NEW("_id", BCON_UTF8("demoDataSeeding")));
    mongo::BsonPtr options = mongo::writeOptions(connection_);
    bson_error_t error;
    if (mongoc_collection_insert_one(meta.get(), marker.get(), options.get(), nullptr, &error)) {
      return true;
    }
    const Status status = mongo::toStatus(error, "claim demo data seeding");
    if (status.code == StatusCode::kRecordContainsDuplicateKey) return false;
    return status;
  }

  // {_id: name, value: ...} in the meta collection. An upsert that only sets on insert keeps the
  // first value any node wrote; a duplicate key means another node's upsert won the race, and the
  // retry then matches its document.
  Result<std::string> sharedSetting(std::string_view name,
                                    std::string_view value_if_absent) override {
    const std::string id(name);
    mongo::BsonPtr filter(BCON_NEW("_id", BCON_UTF8(id.c_str())));
    mongo::BsonPtr update(bson_new());
    bson_t set_on_insert;
    BSON_APPEND_DOCUMENT_BEGIN(update.get(), "$setOnInsert", &set_on_insert);
    mongo::appendString(&set_on_insert, "value", value_if_absent);
    bson_append_document_end(update.get(), &set_on_insert);
    Result<mongo::UpdateOutcome> stored = mongo::updateOne(
        connection_, kMetaCollection, filter.get(), update.get(), /*upsert=*/true, "store setting");
    if (!stored.ok() && stored.status().code == StatusCode::kRecordContainsDuplicateKey) {
      stored = mongo::updateOne(connection_, kMetaCollection, filter.get(), update.get(),
                                /*upsert=*/true, "store setting");
    }
    if (!stored.ok()) return stored.status();
    auto client = connection_.client();
    mongo::CollectionPtr meta = client.collection(kMetaCollection);
    Result<std::optional<mongo::BsonPtr>> found =
        mongo::findOne(meta.get(), filter.get(), "read setting");
    if (!found.ok()) return found.status();
    if (!found.value())
      return error(StatusCode::kServerInternalError, "setting " + id + " vanished");
    return mongo::stringAt(found.value()->get(), "value");
  }

 private:
  mongo::Connection connection_;
  mongo::MongoUserRepository users_;
  mongo::MongoMessageRepository messages_;
  mongo::MongoSequenceIds sequence_ids_;
  mongo::MongoSequenceLeaseRepository sequence_leases_;
  mongo::MongoGroupRepository groups_;
  mongo::MongoGroupMemberRepository group_members_;
  mongo::MongoGroupBlocklistRepository group_blocklist_;
  mongo::MongoGroupInvitationRepository group_invitations_;
  mongo::MongoGroupJoinRequestRepository group_join_requests_;
  mongo::MongoGroupJoinQuestionRepository group_join_questions_;
  mongo::MongoGroupTypeRepository group_types_;
  mongo::MongoRelationshipRepository relationships_;
  mongo::MongoRelationshipGroupRepository relationship_groups_;
  mongo::MongoUserValuesRepository user_settings_;
  mongo::MongoUserValuesRepository user_defined_attributes_;
  mongo::MongoFriendRequestRepository friend_requests_;
  mongo::MongoConversationRepository conversations_;
  mongo::MongoAdminAccountRepository admin_accounts_;
};

}  // namespace

std::unique_ptr<Store> openMongoStore(const MongoConfig& config) {
  return std::make_unique<MongoStore>(config);
}

}  // namespace parley
