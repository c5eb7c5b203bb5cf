#include "app/migrate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "store/sqlite/sqlite_export.h"
#include "store/store.h"

namespace parley {
namespace {

using sqlite::ExportTable;

// Rows per read and write: big enough to amortize round trips, small enough that one page of
// messages (with their attachments) stays a few megabytes.
constexpr int kPage = 500;
// Ids named in a mismatch line; the rest are only counted.
constexpr size_t kExamples = 5;

struct KindReport {
  std::string name;
  int64_t sqlite_rows = 0;
  int64_t written = 0;   // new in MongoDB this run (0 on a re-run)
  int64_t verified = 0;  // rows read back from MongoDB equal to their SQLite row
  std::vector<std::string> missing;
  int64_t missing_count = 0;

  void miss(const std::string& what) {
    ++missing_count;
    if (missing.size() < kExamples) missing.push_back(what);
  }
  bool ok() const { return missing_count == 0 && verified == sqlite_rows; }
};

bool sameUser(const UserRecord& a, const UserRecord& b) {
  return a.id == b.id && a.password_hash == b.password_hash && a.name == b.name &&
         a.intro == b.intro && a.profile_picture == b.profile_picture &&
         a.profile_access_strategy == b.profile_access_strategy &&
         a.permission_group_id == b.permission_group_id &&
         a.registration_date == b.registration_date && a.deletion_date == b.deletion_date &&
         a.is_active == b.is_active;
}

bool sameGroup(const GroupRecord& a, const GroupRecord& b) {
  return a.id == b.id && a.type_id == b.type_id && a.creator_id == b.creator_id &&
         a.owner_id == b.owner_id && a.name == b.name && a.intro == b.intro &&
         a.announcement == b.announcement && a.minimum_score == b.minimum_score &&
         a.mute_end_date == b.mute_end_date && a.creation_date == b.creation_date &&
         a.deletion_date == b.deletion_date && a.is_active == b.is_active;
}

// Every field of type, as an update.
GroupTypeUpdate fullUpdate(const GroupTypeRecord& type) {
  return {.name = type.name,
          .group_size_limit = type.group_size_limit,
          .invitation_strategy = type.invitation_strategy,
          .join_strategy = type.join_strategy,
          .group_info_update_strategy = type.group_info_update_strategy,
          .member_info_update_strategy = type.member_info_update_strategy,
          .guest_speakable = type.guest_speakable,
          .self_info_updatable = type.self_info_updatable,
          .enable_read_receipt = type.enable_read_receipt,
          .message_editable = type.message_editable};
}

std::string pairName(int64_t a, int64_t b) { return std::to_string(a) + "/" + std::to_string(b); }

// Counts each record that copies hold, equal, under its id as verified, and the others as missing.
template <typename Record>
void verifyById(KindReport& report, const std::vector<Record>& records,
                const std::vector<Record>& copies) {
  std::map<int64_t, const Record*> by_id;
  for (const auto& copy : copies) by_id[copy.id] = &copy;
  for (const auto& record : records) {
    auto it = by_id.find(record.id);
    if (it != by_id.end() && record == *it->second) {
      ++report.verified;
    } else {
      report.miss(std::to_string(record.id));
    }
  }
}

class Migration {
 public:
  // now_millis: the date versions that copies move are moved to (clients resync once after).
  Migration(sqlite::SqliteExport& rows, Store& source, Store& target, int64_t now_millis)
      : rows_(rows), source_(source), target_(target), now_millis_(now_millis) {}

  // Each copies one kind and verifies it; a failed read or write ends the run with its status.
  VoidResult users(KindReport& report);
  VoidResult messages(KindReport& report);
  VoidResult groups(KindReport& report);
  VoidResult groupMembers(KindReport& report);
  VoidResult groupBlocklists(KindReport& report);
  VoidResult groupTypes(KindReport& report);
  VoidResult relationships(KindReport& report);
  VoidResult relationshipGroups(KindReport& report);
  VoidResult userSettings(KindReport& report);
  VoidResult userDefinedAttributes(KindReport& report);
  VoidResult friendRequests(KindReport& report);
  VoidResult groupInvitations(KindReport& report);
  VoidResult groupJoinRequests(KindReport& report);
  VoidResult groupJoinQuestions(KindReport& report);
  VoidResult privateConversations(KindReport& report);
  VoidResult groupConversations(KindReport& report);
  VoidResult conversationSettings(KindReport& report);
  VoidResult sequenceCounters(KindReport& report);

 private:
  VoidResult userValues(KindReport& report, ExportTable table,
                        UserValuesRepository& (Store::*repository)());
  // Requests of one kind, copied and verified by each key of table, which find lists them by.
  template <typename Record, typename Repository>
  VoidResult copyRequests(KindReport& report, ExportTable table, Repository& (Store::*repository)(),
                          Result<std::vector<Record>> (Repository::*find)(int64_t));
  // Calls `page` with each page of keys of `table`, in order.
  VoidResult forEachKeyPage(ExportTable table,
                            const std::function<VoidResult(const std::vector<int64_t>&)>& page);

  sqlite::SqliteExport& rows_;
  Store& source_;
  Store& target_;
  int64_t now_millis_;
};

VoidResult Migration::forEachKeyPage(
    ExportTable table, const std::function<VoidResult(const std::vector<int64_t>&)>& page) {
  int64_t after = INT64_MIN;
  for (;;) {
    Result<std::vector<int64_t>> keys = rows_.keys(table, after, kPage);
    if (!keys.ok()) return keys.status();
    if (keys->empty()) return {};
    after = keys->back();
    if (VoidResult done = page(keys.value()); !done.ok()) return done;
  }
}

VoidResult Migration::users(KindReport& report) {
  return forEachKeyPage(ExportTable::kUser, [&](const std::vector<int64_t>& ids) -> VoidResult {
    Result<std::vector<UserRecord>> users = source_.users().findByIds(ids);
    if (!users.ok()) return users.status();
    // Existing ids are skipped, so a re-run inserts nothing.
    Result<int64_t> inserted = target_.users().insertMany(users.value());
    if (!inserted.ok()) return inserted.status();
    report.written += inserted.value();
    Result<std::vector<UserRecord>> copies = target_.users().findByIds(ids);
    if (!copies.ok()) return copies.status();
    std::map<int64_t, const UserRecord*> by_id;
    for (const auto& copy : copies.value()) by_id[copy.id] = &copy;
    for (const auto& user : users.value()) {
      auto it = by_id.find(user.id);
      if (it != by_id.end() && sameUser(user, *it->second)) {
        ++report.verified;
      } else {
        report.miss(std::to_string(user.id));
      }
    }
    return {};
  });
}

VoidResult Migration::messages(KindReport& report) {
  return forEachKeyPage(ExportTable::kMessage, [&](const std::vector<int64_t>& ids) -> VoidResult {
    std::vector<MessageRecord> messages;
    messages.reserve(ids.size());
    for (const int64_t id : ids) {
      Result<std::optional<MessageRecord>> message = source_.messages().findById(id);
      if (!message.ok()) return message.status();
      if (message.value()) messages.push_back(std::move(*message.value()));
    }
    // The same id with the same content counts as a retried write, so a re-run succeeds.
    Result<int64_t> inserted = target_.messages().insertMany(messages);
    if (!inserted.ok()) return inserted.status();
    report.written += inserted.value();
    for (const auto& message : messages) {
      Result<std::optional<MessageRecord>> copy = target_.messages().findById(message.id);
      if (!copy.ok()) return copy.status();
      if (copy.value() && message == *copy.value()) {
        ++report.verified;
      } else {
        report.miss(std::to_string(message.id));
      }
    }
    return {};
  });
}

VoidResult Migration::groups(KindReport& report) {
  return forEachKeyPage(ExportTable::kGroup, [&](const std::vector<int64_t>& ids) -> VoidResult {
    Result<std::vector<GroupRecord>> groups = source_.groups().findByIds(ids);
    if (!groups.ok()) return groups.status();
    for (const auto& group : groups.value()) {
      const VoidResult inserted = target_.groups().insert(group);
      if (inserted.ok()) {
        ++report.written;
      } else if (inserted.status().code != StatusCode::kRecordContainsDuplicateKey) {
        return inserted.status();
      }  // a duplicate is this group from an earlier run; the check below compares it
    }
    Result<std::vector<GroupRecord>> copies = target_.groups().findByIds(ids);
    if (!copies.ok()) return copies.status();
    std::map<int64_t, const GroupRecord*> by_id;
    for (const auto& copy : copies.value()) by_id[copy.id] = &copy;
    for (const auto& group : groups.value()) {
      auto it = by_id.find(group.id);
      // members_last_updated_date is left out: adding the members below moves it forward, which
      // only makes clients refetch the member list once.
      if (it != by_id.end() && sameGroup(group, *it->second)) {
        ++report.verified;
      } else {
        report.miss(std::to_string(group.id));
      }
    }
    return {};
  });
}

// Every type as SQLite has it. The DEFAULT type is there in MongoDB already (the store adds it
// when it opens), so it is overwritten with SQLite's, which is what the groups were used under;
// other types that exist (a re-run) are left alone and compared.
VoidResult Migration::groupTypes(KindReport& report) {
  return forEachKeyPage(
      ExportTable::kGroupType, [&](const std::vector<int64_t>& ids) -> VoidResult {
        for (const int64_t id : ids) {
          Result<std::optional<GroupTypeRecord>> type = source_.groupTypes().findById(id);
          if (!type.ok()) return type.status();
          if (!type.value()) continue;  // deleted meanwhile
          const GroupTypeRecord& source = *type.value();
          const VoidResult inserted = target_.groupTypes().insert(source);
          if (inserted.ok()) {
            ++report.written;
          } else if (inserted.status().code != StatusCode::kRecordContainsDuplicateKey) {
            return inserted.status();
          } else if (id == kDefaultGroupTypeId) {
            Result<int64_t> updated =
                target_.groupTypes().update(std::span(&id, 1), fullUpdate(source));
            if (!updated.ok()) return updated.status();
          }
          Result<std::optional<GroupTypeRecord>> copy = target_.groupTypes().findById(id);
          if (!copy.ok()) return copy.status();
          if (copy.value() == source) {
            ++report.verified;
          } else {
            report.miss(std::to_string(id));
          }
        }
        return {};
      });
}

VoidResult Migration::groupMembers(KindReport& report) {
  return forEachKeyPage(
      ExportTable::kGroupMember, [&](const std::vector<int64_t>& group_ids) -> VoidResult {
        for (const int64_t group_id : group_ids) {
          Result<std::vector<GroupMemberRecord>> members =
              source_.groupMembers().findMembers(group_id, {});
          if (!members.ok()) return members.status();
          // Existing (group, user) pairs are skipped; the repository also moves the group's and
          // each new member's versions, as for any join.
          Result<int64_t> inserted = target_.groupMembers().insertMany(members.value());
          if (!inserted.ok()) return inserted.status();
          report.written += inserted.value();
          Result<std::vector<GroupMemberRecord>> copies =
              target_.groupMembers().findMembers(group_id, {});
          if (!copies.ok()) return copies.status();
          std::map<int64_t, const GroupMemberRecord*> by_user;
          for (const auto& copy : copies.value()) by_user[copy.user_id] = &copy;
          for (const auto& member : members.value()) {
            auto it = by_user.find(member.user_id);
            if (it != by_user.end() && member == *it->second) {
              ++report.verified;
            } else {
              report.miss(pairName(group_id, member.user_id));
            }
          }
        }
        return {};
      });
}

VoidResult Migration::groupBlocklists(KindReport& report) {
  return forEachKeyPage(
      ExportTable::kGroupBlockedUser, [&](const std::vector<int64_t>& group_ids) -> VoidResult {
        for (const int64_t group_id : group_ids) {
          Result<std::vector<GroupBlockedUserRecord>> blocked =
              source_.groupBlocklist().findBlocked(group_id);
          if (!blocked.ok()) return blocked.status();
          for (const GroupBlockedUserRecord& record : blocked.value()) {
            // A block of a user blocked already (an earlier run) changes nothing.
            Result<GroupBlockOutcome> done =
                target_.groupBlocklist().block(record, record.block_date);
            if (!done.ok()) return done.status();
            if (done->newly_blocked) ++report.written;
          }
          Result<std::vector<GroupBlockedUserRecord>> copies =
              target_.groupBlocklist().findBlocked(group_id);
          if (!copies.ok()) return copies.status();
          for (const GroupBlockedUserRecord& record : blocked.value()) {
            if (std::find(copies->begin(), copies->end(), record) != copies->end()) {
              ++report.verified;
            } else {
              report.miss(pairName(group_id, record.user_id));
            }
          }
        }
        return {};
      });
}

VoidResult Migration::relationships(KindReport& report) {
  return forEachKeyPage(
      ExportTable::kRelationship, [&](const std::vector<int64_t>& owner_ids) -> VoidResult {
        for (const int64_t owner_id : owner_ids) {
          Result<std::vector<RelationshipRecord>> relationships =
              source_.relationships().query({.owner_id = owner_id});
          if (!relationships.ok()) return relationships.status();
          for (const auto& relationship : relationships.value()) {
            // A replace, memberships included, so a re-run rewrites the same record.
            if (VoidResult done = target_.relationships().upsert(relationship, now_millis_);
                !done.ok()) {
              return done;
            }
            ++report.written;
          }
          Result<std::vector<RelationshipRecord>> copies =
              target_.relationships().query({.owner_id = owner_id});
          if (!copies.ok()) return copies.status();
          std::map<int64_t, const RelationshipRecord*> by_related;
          for (const auto& copy : copies.value()) by_related[copy.related_user_id] = &copy;
          for (const auto& relationship : relationships.value()) {
            auto it = by_related.find(relationship.related_user_id);
            if (it != by_related.end() && relationship == *it->second) {
              ++report.verified;
            } else {
              report.miss(pairName(owner_id, relationship.related_user_id));
            }
          }
        }
        return {};
      });
}

// By owner: the groups each user created or renamed (the default group, never stored until
// renamed, is not copied: the target has it as every store does).
VoidResult Migration::relationshipGroups(KindReport& report) {
  return forEachKeyPage(
      ExportTable::kRelationshipGroup, [&](const std::vector<int64_t>& owner_ids) -> VoidResult {
        for (const int64_t owner_id : owner_ids) {
          Result<std::vector<RelationshipGroupRecord>> groups =
              source_.relationshipGroups().findAll(owner_id);
          if (!groups.ok()) return groups.status();
          std::erase_if(*groups, [](const RelationshipGroupRecord& group) {
            return group.index == kDefaultRelationshipGroupIndex && group.creation_date == 0;
          });
          Result<int64_t> inserted = target_.relationshipGroups().insertMany(*groups, now_millis_);
          if (!inserted.ok()) return inserted.status();
          report.written += inserted.value();
          Result<std::vector<RelationshipGroupRecord>> copies =
              target_.relationshipGroups().findAll(owner_id);
          if (!copies.ok()) return copies.status();
          for (const RelationshipGroupRecord& group : groups.value()) {
            if (std::find(copies->begin(), copies->end(), group) != copies->end()) {
              ++report.verified;
            } else {
              report.miss(pairName(owner_id, group.index));
            }
          }
        }
        return {};
      });
}

// By user: each user's settings (or user-defined attributes), with their date. A re-run writes
// them again, the same. Attributes follow the users, whose documents they live in on MongoDB.
VoidResult Migration::userValues(KindReport& report, ExportTable table,
                                 UserValuesRepository& (Store::*repository)()) {
  return forEachKeyPage(table, [&](const std::vector<int64_t>& user_ids) -> VoidResult {
    for (const int64_t user_id : user_ids) {
      Result<std::optional<UserValuesRecord>> stored = (source_.*repository)().find(user_id);
      if (!stored.ok()) return stored.status();
      if (!stored.value()) continue;
      const UserValuesRecord& record = **stored;
      Result<std::vector<std::string>> written =
          (target_.*repository)().upsert(user_id, record.values, {}, record.last_updated_date);
      if (!written.ok()) return written.status();
      report.written += static_cast<int64_t>(record.values.size());
      Result<std::optional<UserValuesRecord>> copy = (target_.*repository)().find(user_id);
      if (!copy.ok()) return copy.status();
      for (const auto& [name, value] : record.values) {
        if (copy.value() && copy.value()->values.contains(name) &&
            copy.value()->values.at(name) == value) {
          ++report.verified;
        } else {
          report.miss(std::to_string(user_id) + "/" + name);
        }
      }
    }
    return {};
  });
}

VoidResult Migration::userSettings(KindReport& report) {
  return userValues(report, ExportTable::kUserSettings, &Store::userSettings);
}

VoidResult Migration::userDefinedAttributes(KindReport& report) {
  return userValues(report, ExportTable::kUserDefinedAttributes, &Store::userDefinedAttributes);
}

// Requests (friend requests, group invitations and join requests) by the key `find` lists them
// by, as sent and answered; group requests after the groups (MongoDB keeps the group's versions on
// its document). Inserting one moves its versions forward to its last change at least, so clients
// resync after the move at worst once. A re-run finds the ids taken and skips them.
template <typename Record, typename Repository>
VoidResult Migration::copyRequests(KindReport& report, ExportTable table,
                                   Repository& (Store::*repository)(),
                                   Result<std::vector<Record>> (Repository::*find)(int64_t)) {
  Repository& source = (source_.*repository)();
  Repository& target = (target_.*repository)();
  return forEachKeyPage(table, [&](const std::vector<int64_t>& keys) -> VoidResult {
    for (const int64_t key : keys) {
      Result<std::vector<Record>> requests = (source.*find)(key);
      if (!requests.ok()) return requests.status();
      for (const auto& request : requests.value()) {
        const VoidResult done =
            target.insert(request, request.response_date.value_or(request.creation_date));
        if (done.ok()) {
          ++report.written;
        } else if (done.status().code != StatusCode::kRecordContainsDuplicateKey) {
          return done;
        }
      }
      Result<std::vector<Record>> copies = (target.*find)(key);
      if (!copies.ok()) return copies.status();
      verifyById(report, requests.value(), copies.value());
    }
    return {};
  });
}

// By recipient.
VoidResult Migration::friendRequests(KindReport& report) {
  return copyRequests<FriendRequestRecord>(report, ExportTable::kFriendRequest,
                                           &Store::friendRequests,
                                           &FriendRequestRepository::findByRecipient);
}

VoidResult Migration::groupInvitations(KindReport& report) {
  return copyRequests<GroupInvitationRecord>(report, ExportTable::kGroupInvitation,
                                             &Store::groupInvitations,
                                             &GroupInvitationRepository::findByGroup);
}

VoidResult Migration::groupJoinRequests(KindReport& report) {
  return copyRequests<GroupJoinRequestRecord>(report, ExportTable::kGroupJoinRequest,
                                              &Store::groupJoinRequests,
                                              &GroupJoinRequestRepository::findByGroup);
}

// By group, after the groups (MongoDB keeps the group's version on its document). The questions a
// group lacks in MongoDB are inserted together at the group's SQLite version, so MongoDB's is at
// least SQLite's; a re-run finds them there and inserts nothing.
VoidResult Migration::groupJoinQuestions(KindReport& report) {
  GroupJoinQuestionRepository& source = source_.groupJoinQuestions();
  GroupJoinQuestionRepository& target = target_.groupJoinQuestions();
  return forEachKeyPage(
      ExportTable::kGroupJoinQuestion, [&](const std::vector<int64_t>& group_ids) -> VoidResult {
        for (const int64_t group_id : group_ids) {
          Result<std::vector<GroupJoinQuestionRecord>> questions = source.findByGroup(group_id);
          if (!questions.ok()) return questions.status();
          Result<std::vector<GroupJoinQuestionRecord>> stored = target.findByGroup(group_id);
          if (!stored.ok()) return stored.status();
          std::vector<GroupJoinQuestionRecord> missing;
          for (const auto& question : questions.value()) {
            if (std::none_of(stored->begin(), stored->end(),
                             [&](const auto& copy) { return copy.id == question.id; })) {
              missing.push_back(question);
            }
          }
          if (!missing.empty()) {
            Result<std::optional<int64_t>> version = source.findVersion(group_id);
            if (!version.ok()) return version.status();
            const VoidResult done =
                target.insertMany(missing, version.value().value_or(now_millis_));
            if (done.ok()) {
              report.written += static_cast<int64_t>(missing.size());
            } else if (done.status().code != StatusCode::kRecordContainsDuplicateKey) {
              return done;
            }  // an id another group holds in MongoDB: the check below names it
          }
          Result<std::vector<GroupJoinQuestionRecord>> copies = target.findByGroup(group_id);
          if (!copies.ok()) return copies.status();
          verifyById(report, questions.value(), copies.value());
        }
        return {};
      });
}

VoidResult Migration::privateConversations(KindReport& report) {
  int64_t after_owner = INT64_MIN;
  int64_t after_target = INT64_MIN;
  for (;;) {
    Result<std::vector<PrivateConversationRecord>> page =
        rows_.privateConversations(after_owner, after_target, kPage);
    if (!page.ok()) return page.status();
    if (page->empty()) return {};
    after_owner = page->back().owner_id;
    after_target = page->back().target_id;
    for (const auto& conversation : page.value()) {
      // Read dates only move forward, so a re-run (or a newer date already in MongoDB) keeps
      // the newest.
      Result<int64_t> stored = target_.conversations().upsertPrivateReadDate(
          conversation.owner_id, conversation.target_id, conversation.read_date);
      if (!stored.ok()) return stored.status();
      ++report.written;
      const int64_t target_ids[] = {conversation.target_id};
      Result<std::vector<PrivateConversationRecord>> copies =
          target_.conversations().queryPrivate(conversation.owner_id, target_ids);
      if (!copies.ok()) return copies.status();
      if (copies->size() == 1 && copies->front().read_date >= conversation.read_date) {
        ++report.verified;
      } else {
        report.miss(pairName(conversation.owner_id, conversation.target_id));
      }
    }
  }
}

VoidResult Migration::groupConversations(KindReport& report) {
  return forEachKeyPage(
      ExportTable::kGroupConversation, [&](const std::vector<int64_t>& group_ids) -> VoidResult {
        Result<std::vector<GroupConversationRecord>> conversations =
            source_.conversations().queryGroups(group_ids);
        if (!conversations.ok()) return conversations.status();
        for (const auto& conversation : conversations.value()) {
          for (const auto& [member_id, read_date] : conversation.member_read_dates) {
            Result<int64_t> stored = target_.conversations().upsertGroupReadDate(
                conversation.group_id, member_id, read_date);
            if (!stored.ok()) return stored.status();
            ++report.written;
          }
        }
        Result<std::vector<GroupConversationRecord>> copies =
            target_.conversations().queryGroups(group_ids);
        if (!copies.ok()) return copies.status();
        std::map<int64_t, const GroupConversationRecord*> by_group;
        for (const auto& copy : copies.value()) by_group[copy.group_id] = &copy;
        for (const auto& conversation : conversations.value()) {
          auto copy = by_group.find(conversation.group_id);
          for (const auto& [member_id, read_date] : conversation.member_read_dates) {
            bool found = false;
            if (copy != by_group.end()) {
              auto date = copy->second->member_read_dates.find(member_id);
              found = date != copy->second->member_read_dates.end() && date->second >= read_date;
            }
            if (found) {
              ++report.verified;
            } else {
              report.miss(pairName(conversation.group_id, member_id));
            }
          }
        }
        return {};
      });
}

VoidResult Migration::conversationSettings(KindReport& report) {
  return forEachKeyPage(
      ExportTable::kConversationSettings, [&](const std::vector<int64_t>& owner_ids) -> VoidResult {
        for (const int64_t owner_id : owner_ids) {
          Result<std::vector<ConversationSettingsRecord>> settings =
              source_.conversations().querySettings(owner_id, {}, {}, std::nullopt);
          if (!settings.ok()) return settings.status();
          for (const auto& conversation : settings.value()) {
            // Merges by name, so a re-run rewrites the same values.
            if (VoidResult done = target_.conversations().upsertSettings(conversation);
                !done.ok()) {
              return done;
            }
            report.written += static_cast<int64_t>(conversation.settings.size());
          }
          Result<std::vector<ConversationSettingsRecord>> copies =
              target_.conversations().querySettings(owner_id, {}, {}, std::nullopt);
          if (!copies.ok()) return copies.status();
          std::map<std::pair<bool, int64_t>, const ConversationSettingsRecord*> by_target;
          for (const auto& copy : copies.value()) {
            by_target[{copy.is_group, copy.target_id}] = &copy;
          }
          for (const auto& conversation : settings.value()) {
            auto copy = by_target.find({conversation.is_group, conversation.target_id});
            for (const auto& [name, value] : conversation.settings) {
              bool found = false;
              if (copy != by_target.end()) {
                auto stored = copy->second->settings.find(name);
                found = stored != copy->second->settings.end() && stored->second == value;
              }
              if (found) {
                ++report.verified;
              } else {
                report.miss(pairName(owner_id, conversation.target_id) + ":" + name);
              }
            }
          }
        }
        return {};
      });
}

// Counters are not written: MongoDB's SequenceIds seeds a missing counter from the highest
// sequence id among the conversation's messages, which are copied above. What must hold is that
// this floor in MongoDB is at least SQLite's: then no sequence id that a stored message carries
// is handed out again. (A SQLite counter above its floor counted ids whose message write failed;
// they were never acknowledged, so handing them out again is harmless.)
VoidResult Migration::sequenceCounters(KindReport& report) {
  ConversationKey after{false, INT64_MIN, INT64_MIN};
  for (;;) {
    Result<std::vector<sqlite::SequenceCounter>> page = rows_.sequenceCounters(after, kPage);
    if (!page.ok()) return page.status();
    if (page->empty()) return {};
    after = page->back().key;
    for (const auto& counter : page.value()) {
      const auto& key = counter.key;
      Result<int64_t> source_floor = source_.messages().maxSequenceId(key.is_group, key.a, key.b);
      if (!source_floor.ok()) return source_floor.status();
      Result<int64_t> target_floor = target_.messages().maxSequenceId(key.is_group, key.a, key.b);
      if (!target_floor.ok()) return target_floor.status();
      if (target_floor.value() >= source_floor.value()) {
        ++report.verified;
      } else {
        report.miss((key.is_group ? "group " : "private ") + pairName(key.a, key.b));
      }
    }
  }
}

}  // namespace

int runMigrate(const Config& config) {
  if (config.mongo.uri.empty()) {
    std::fprintf(stderr,
                 "parley migrate: set --mongo-uri (mongo.uri): the MongoDB to copy into\n"
                 "usage: parley migrate --data-dir DIR --mongo-uri URI [--mongo-database NAME]\n");
    return 2;
  }
  // The key reader first: it refuses a data dir without a store, which openSqliteStore would
  // create empty.
  sqlite::SqliteExport rows(config.store.data_dir);
  auto source = openSqliteStore(config.store.data_dir);
  auto target = openMongoStore(config.mongo);
  std::printf("parley migrate: %s -> MongoDB database '%s'\n", rows.path().c_str(),
              config.mongo.database.c_str());
  if (Result<bool> empty = target->isEmpty(); empty.ok() && !empty.value()) {
    // Fine for a re-run; data written by Parley itself is kept, and it is why a target should
    // otherwise be empty: its sequence counters would not know the copied messages.
    spdlog::warn("migrate: database '{}' already holds users; copying what is missing",
                 config.mongo.database);
  }

  Migration migration(rows, *source, *target, SystemClock().nowMillis());
  struct Kind {
    const char* name;
    ExportTable table;
    VoidResult (Migration::*copy)(KindReport&);
  };
  const Kind kinds[] = {
      {"users", ExportTable::kUser, &Migration::users},
      {"messages", ExportTable::kMessage, &Migration::messages},
      {"groups", ExportTable::kGroup, &Migration::groups},
      {"group_members", ExportTable::kGroupMember, &Migration::groupMembers},
      {"group_blocked_users", ExportTable::kGroupBlockedUser, &Migration::groupBlocklists},
      {"group_types", ExportTable::kGroupType, &Migration::groupTypes},
      {"relationships", ExportTable::kRelationship, &Migration::relationships},
      {"relationship_groups", ExportTable::kRelationshipGroup, &Migration::relationshipGroups},
      {"user_settings", ExportTable::kUserSettings, &Migration::userSettings},
      {"user_defined_attributes", ExportTable::kUserDefinedAttributes,
       &Migration::userDefinedAttributes},
      {"friend_requests", ExportTable::kFriendRequest, &Migration::friendRequests},
      {"group_invitations", ExportTable::kGroupInvitation, &Migration::groupInvitations},
      {"group_join_requests", ExportTable::kGroupJoinRequest, &Migration::groupJoinRequests},
      {"group_join_questions", ExportTable::kGroupJoinQuestion, &Migration::groupJoinQuestions},
      {"private_conversations", ExportTable::kPrivateConversation,
       &Migration::privateConversations},
      {"group_conversations", ExportTable::kGroupConversation, &Migration::groupConversations},
      {"conversation_settings", ExportTable::kConversationSettings,
       &Migration::conversationSettings},
      {"sequence_counters", ExportTable::kSequenceId, &Migration::sequenceCounters},
  };
  bool all_ok = true;
  for (const Kind& kind : kinds) {
    KindReport report{.name = kind.name};
    Result<int64_t> count = rows.rowCount(kind.table);
    VoidResult copied = count.ok() ? (migration.*kind.copy)(report) : VoidResult(count.status());
    if (count.ok()) report.sqlite_rows = count.value();
    if (!copied.ok()) {
      std::printf("%s: FAILED: %s (status %d)\n", kind.name, copied.status().reason.c_str(),
                  static_cast<int>(copied.status().code));
      all_ok = false;
      break;  // a store that fails now will fail the next kinds too
    }
    std::string examples;
    for (const auto& id : report.missing) examples += " " + id;
    std::printf("%s: sqlite=%lld written=%lld mongo=%lld %s%s\n", kind.name,
                static_cast<long long>(report.sqlite_rows), static_cast<long long>(report.written),
                static_cast<long long>(report.verified), report.ok() ? "ok" : "MISMATCH",
                report.missing.empty() ? "" : (", missing or different:" + examples).c_str());
    all_ok = all_ok && report.ok();
  }
  std::printf("parley migrate: %s\n",
              all_ok ? "verified, every row is in MongoDB" : "FAILED, see the lines above");
  std::fflush(stdout);
  return all_ok ? 0 : 1;
}

}  // namespace parley
