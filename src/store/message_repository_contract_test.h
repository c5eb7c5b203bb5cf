#pragma once
// The behaviour every MessageRepository and every store-backed SequenceIds must have, as one
// value-parameterized GoogleTest suite. An implementation's test file includes this header once
// and instantiates the suite with its store environment (store/store_test_env.h), e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, MessageRepositoryContractTest,
//                            ::testing::Values(StoreContractParam{"sqlite", makeEnv}),
//                            storeContractName);
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <future>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "online/sequence_ids.h"
#include "store/message_repository.h"
#include "store/store.h"
#include "store/store_test_env.h"

namespace parley::contract {

class MessageRepositoryContractTest : public StoreContractTest {
 protected:
  // Users and groups are plain ids here; the repository knows nothing of their tables.
  static constexpr int64_t kAlice = 1001;
  static constexpr int64_t kBob = 1002;
  static constexpr int64_t kCarol = 1003;
  static constexpr int64_t kGroup = 7001;
  static constexpr int64_t kOtherGroup = 7002;
  static constexpr int64_t kBaseDate = 1'700'000'000'000;

  MessageRepository& messages() { return store_->messages(); }
  SequenceIds& sequenceIds() { return store_->sequenceIds(); }

  static MessageRecord privateMessage(int64_t id, int64_t sender, int64_t recipient,
                                      int64_t delivery_date) {
    MessageRecord message;
    message.id = id;
    message.sender_id = sender;
    message.target_id = recipient;
    message.delivery_date = delivery_date;
    message.text = "text of " + std::to_string(id);
    return message;
  }

  static MessageRecord groupMessage(int64_t id, int64_t sender, int64_t group,
                                    int64_t delivery_date) {
    MessageRecord message = privateMessage(id, sender, group, delivery_date);
    message.is_group_message = true;
    return message;
  }

  void insertAll(std::initializer_list<MessageRecord> records) {
    for (const MessageRecord& record : records) {
      const VoidResult inserted = messages().insert(record);
      ASSERT_TRUE(inserted.ok()) << record.id << ": " << inserted.status().reason;
    }
  }

  std::optional<MessageRecord> find(int64_t id) {
    auto found = messages().findById(id);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    return found.ok() ? found.value() : std::nullopt;
  }

  std::vector<int64_t> queryIds(const MessageQuery& query) {
    auto found = messages().query(query);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    std::vector<int64_t> ids;
    if (found.ok()) {
      for (const MessageRecord& message : found.value()) ids.push_back(message.id);
    }
    return ids;
  }

  std::vector<std::pair<int64_t, int64_t>> counts(const MessageQuery& query) {
    auto found = messages().countByConversation(query);
    EXPECT_TRUE(found.ok()) << found.status().reason;
    if (!found.ok()) return {};
    std::vector<std::pair<int64_t, int64_t>> result = found.value();
    std::sort(result.begin(), result.end());
    return result;
  }

  int64_t nextSequence(const ConversationKey& key) {
    auto next = sequenceIds().next(key);
    EXPECT_TRUE(next.ok()) << next.status().reason;
    return next.ok() ? next.value() : -1;
  }

  // Numbers and stores message, waiting for the answer; the id, or -1 on failure.
  int64_t numberAndStore(const MessageRecord& message) {
    std::promise<Result<int64_t>> answer;
    auto answered = answer.get_future();
    sequenceIds().numberAndStoreAsync(
        message, messages(), [&answer](Result<int64_t> id) { answer.set_value(std::move(id)); });
    Result<int64_t> id = answered.get();
    EXPECT_TRUE(id.ok()) << id.status().reason;
    return id.ok() ? id.value() : -1;
  }

  static constexpr int kCallers = 4;
  static constexpr int kIdsPerCaller = 50;

  // Calls take(caller, i) kIdsPerCaller times from each of kCallers threads at once: each
  // caller's ids must increase, and together they must be 1..kCallers*kIdsPerCaller, none twice.
  void expectUniqueGaplessIds(const std::function<int64_t(int caller, int i)>& take) {
    std::vector<std::vector<int64_t>> seen(kCallers);
    std::vector<std::thread> threads;
    for (int caller = 0; caller < kCallers; ++caller) {
      threads.emplace_back([&, caller] {
        for (int i = 0; i < kIdsPerCaller; ++i) seen[caller].push_back(take(caller, i));
      });
    }
    for (std::thread& thread : threads) thread.join();
    std::set<int64_t> all;
    for (const auto& ids : seen) {
      EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
      all.insert(ids.begin(), ids.end());
    }
    ASSERT_EQ(all.size(), size_t{kCallers * kIdsPerCaller});
    EXPECT_EQ(*all.begin(), 1);
    EXPECT_EQ(*all.rbegin(), kCallers * kIdsPerCaller);
  }

  static MessageQuery privateQuery(int64_t recipient) {
    MessageQuery query;
    query.recipient_id = recipient;
    query.max_count = 100;
    return query;
  }

  static MessageQuery groupQuery(std::vector<int64_t> groups) {
    MessageQuery query;
    query.are_group_messages = true;
    query.group_ids = std::move(groups);
    query.max_count = 100;
    return query;
  }
};

inline void expectSameMessage(const MessageRecord& actual, const MessageRecord& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.is_group_message, expected.is_group_message);
  EXPECT_EQ(actual.is_system_message, expected.is_system_message);
  EXPECT_EQ(actual.sender_id, expected.sender_id);
  EXPECT_EQ(actual.target_id, expected.target_id);
  EXPECT_EQ(actual.delivery_date, expected.delivery_date);
  EXPECT_EQ(actual.modification_date, expected.modification_date);
  EXPECT_EQ(actual.recall_date, expected.recall_date);
  EXPECT_EQ(actual.text, expected.text);
  EXPECT_EQ(actual.records, expected.records);
  EXPECT_EQ(actual.burn_after, expected.burn_after);
  EXPECT_EQ(actual.pre_message_id, expected.pre_message_id);
  EXPECT_EQ(actual.reference_id, expected.reference_id);
  EXPECT_EQ(actual.sequence_id, expected.sequence_id);
}

TEST_P(MessageRepositoryContractTest, InsertThenFindReturnsEveryField) {
  MessageRecord message = groupMessage(42, kAlice, kGroup, kBaseDate);
  message.is_system_message = true;
  message.modification_date = kBaseDate + 5;
  message.text = "héllo 世界 👋";
  // Records are opaque bytes: NULs, bytes that are not UTF-8, and empty records must survive.
  message.records = {std::string("\x01", 1), std::string("\x00\xff\x80 binary\x00", 11), "",
                     std::string(3000, '\x7f')};
  message.burn_after = 30;
  message.pre_message_id = 41;
  message.reference_id = 40;
  message.sequence_id = 9;
  ASSERT_TRUE(messages().insert(message).ok());
  const std::optional<MessageRecord> found = find(42);
  ASSERT_TRUE(found.has_value());
  expectSameMessage(*found, message);
}

TEST_P(MessageRepositoryContractTest, UnsetOptionalFieldsStayUnset) {
  MessageRecord message = privateMessage(1, kAlice, kBob, kBaseDate);
  message.text = "";
  ASSERT_TRUE(messages().insert(message).ok());
  MessageRecord one_empty_record = privateMessage(2, kAlice, kBob, kBaseDate);
  one_empty_record.records = {""};
  ASSERT_TRUE(messages().insert(one_empty_record).ok());

  expectSameMessage(*find(1), message);
  EXPECT_TRUE(find(1)->records.empty());
  EXPECT_EQ(find(2)->records, std::vector<std::string>{""});
}

TEST_P(MessageRepositoryContractTest, ExtremeIdsRoundTrip) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  MessageRecord message = privateMessage(kMax, kMax, kMax - 1, kBaseDate);
  message.pre_message_id = kMax;
  message.reference_id = kMax;
  ASSERT_TRUE(messages().insert(message).ok());
  expectSameMessage(*find(kMax), message);
  EXPECT_EQ(queryIds(privateQuery(kMax - 1)), std::vector<int64_t>{kMax});
}

TEST_P(MessageRepositoryContractTest, FindMissingIsEmpty) {
  EXPECT_FALSE(find(404).has_value());
  insertAll({privateMessage(1, kAlice, kBob, kBaseDate)});
  EXPECT_FALSE(find(404).has_value());
}

TEST_P(MessageRepositoryContractTest, RetriedInsertOfTheSameMessageIsAccepted) {
  const MessageRecord message = privateMessage(1, kAlice, kBob, kBaseDate);
  ASSERT_TRUE(messages().insert(message).ok());
  EXPECT_TRUE(messages().insert(message).ok());
  EXPECT_EQ(queryIds(privateQuery(kBob)), std::vector<int64_t>{1});
}

TEST_P(MessageRepositoryContractTest, InsertOfADifferentMessageWithATakenIdIsRejected) {
  ASSERT_TRUE(messages().insert(privateMessage(1, kAlice, kBob, kBaseDate)).ok());
  MessageRecord other = privateMessage(1, kCarol, kBob, kBaseDate + 1);
  other.text = "someone else";
  const VoidResult again = messages().insert(other);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code, StatusCode::kRecordContainsDuplicateKey);
  expectSameMessage(*find(1), privateMessage(1, kAlice, kBob, kBaseDate));
}

TEST_P(MessageRepositoryContractTest, InsertManyCountsOnlyNewMessages) {
  insertAll({privateMessage(2, kAlice, kBob, kBaseDate)});
  const std::vector<MessageRecord> batch{
      privateMessage(1, kAlice, kBob, kBaseDate), privateMessage(2, kAlice, kBob, kBaseDate),
      groupMessage(3, kAlice, kGroup, kBaseDate), privateMessage(1, kAlice, kBob, kBaseDate)};
  auto inserted = messages().insertMany(batch);
  ASSERT_TRUE(inserted.ok()) << inserted.status().reason;
  EXPECT_EQ(inserted.value(), 2);
  EXPECT_TRUE(find(1).has_value());
  EXPECT_TRUE(find(3).has_value());

  auto none = messages().insertMany({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), 0);

  const std::vector<MessageRecord> conflicting{privateMessage(2, kCarol, kBob, kBaseDate + 9)};
  auto rejected = messages().insertMany(conflicting);
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code, StatusCode::kRecordContainsDuplicateKey);
}

TEST_P(MessageRepositoryContractTest, PrivateQueryReturnsOnlyMessagesAddressedToTheRecipient) {
  insertAll({privateMessage(1, kAlice, kBob, kBaseDate + 1),
             privateMessage(2, kBob, kAlice, kBaseDate + 2),  // sent by Bob: not "to Bob"
             privateMessage(3, kCarol, kBob, kBaseDate + 3),
             privateMessage(4, kCarol, kAlice, kBaseDate + 4),
             // A group whose id equals Bob's user id must not leak into his private messages.
             groupMessage(5, kAlice, kBob, kBaseDate + 5)});
  EXPECT_EQ(queryIds(privateQuery(kBob)), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(queryIds(privateQuery(kAlice)), (std::vector<int64_t>{2, 4}));

  MessageQuery from_carol = privateQuery(kBob);
  from_carol.peer_ids = {kCarol};
  EXPECT_EQ(queryIds(from_carol), std::vector<int64_t>{3});
  from_carol.peer_ids = {kCarol, kAlice, 999};
  EXPECT_EQ(queryIds(from_carol), (std::vector<int64_t>{1, 3}));
  from_carol.peer_ids = {999};
  EXPECT_TRUE(queryIds(from_carol).empty());
}

TEST_P(MessageRepositoryContractTest, QueryOrdersByDeliveryDateThenIdAndHonoursMaxCount) {
  // Ids are deliberately not in date order: ordering is by delivery date, ties by id.
  insertAll({privateMessage(30, kAlice, kBob, kBaseDate + 1),
             privateMessage(10, kAlice, kBob, kBaseDate + 3),
             privateMessage(20, kCarol, kBob, kBaseDate + 2),
             privateMessage(25, kCarol, kBob, kBaseDate + 2)});
  MessageQuery query = privateQuery(kBob);
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{30, 20, 25, 10}));
  query.descending = true;
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{10, 25, 20, 30}));
  query.max_count = 2;
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{10, 25}));
  query.descending = false;
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{30, 20}));
  query.max_count = 0;
  EXPECT_TRUE(queryIds(query).empty());
}

TEST_P(MessageRepositoryContractTest, DeliveryDateRangeIsStartInclusiveEndExclusive) {
  insertAll({privateMessage(1, kAlice, kBob, kBaseDate),
             privateMessage(2, kAlice, kBob, kBaseDate + 10),
             privateMessage(3, kAlice, kBob, kBaseDate + 20)});
  MessageQuery query = privateQuery(kBob);
  query.delivery_date_start = kBaseDate + 10;
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{2, 3}));
  query.delivery_date_end = kBaseDate + 20;
  EXPECT_EQ(queryIds(query), std::vector<int64_t>{2});
  query.delivery_date_start.reset();
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{1, 2}));
  query.delivery_date_start = kBaseDate + 20;
  EXPECT_TRUE(queryIds(query).empty());
}

TEST_P(MessageRepositoryContractTest, SystemMessageFilter) {
  MessageRecord system = privateMessage(2, kAlice, kBob, kBaseDate + 2);
  system.is_system_message = true;
  insertAll({privateMessage(1, kAlice, kBob, kBaseDate + 1), system});
  MessageQuery query = privateQuery(kBob);
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{1, 2}));
  query.are_system_messages = true;
  EXPECT_EQ(queryIds(query), std::vector<int64_t>{2});
  query.are_system_messages = false;
  EXPECT_EQ(queryIds(query), std::vector<int64_t>{1});
}

TEST_P(MessageRepositoryContractTest, IdsFilterNarrowsButNeverWidens) {
  insertAll({privateMessage(1, kAlice, kBob, kBaseDate + 1),
             privateMessage(2, kAlice, kBob, kBaseDate + 2),
             privateMessage(3, kAlice, kCarol, kBaseDate + 3)});
  MessageQuery query = privateQuery(kBob);
  query.ids = {2, 3, 404};  // 3 is addressed to Carol: not Bob's to see
  EXPECT_EQ(queryIds(query), std::vector<int64_t>{2});
}

TEST_P(MessageRepositoryContractTest, RecalledMessagesAreHiddenUnlessAskedFor) {
  insertAll({privateMessage(1, kAlice, kBob, kBaseDate + 1),
             privateMessage(2, kAlice, kBob, kBaseDate + 2)});
  MessageUpdate recall;
  recall.recall_date = kBaseDate + 100;
  recall.modification_date = kBaseDate + 100;
  ASSERT_TRUE(messages().update(1, recall).value());

  MessageQuery query = privateQuery(kBob);
  EXPECT_EQ(queryIds(query), std::vector<int64_t>{2});
  EXPECT_EQ(counts(query), (std::vector<std::pair<int64_t, int64_t>>{{kAlice, 1}}));
  query.include_recalled = true;
  EXPECT_EQ(queryIds(query), (std::vector<int64_t>{1, 2}));
  // findById is not a query: the recalled message is still there, with its recall date.
  EXPECT_EQ(find(1)->recall_date, std::optional<int64_t>(kBaseDate + 100));
}

TEST_P(MessageRepositoryContractTest, GroupQueryCoversTheGivenGroupsOnly) {
  insertAll({groupMessage(1, kAlice, kGroup, kBaseDate + 1),
             groupMessage(2, kBob, kOtherGroup, kBaseDate + 2),
             groupMessage(3, kCarol, 9999, kBaseDate + 3),
             // A private message to a user whose id equals the group's id is not a group message.
             privateMessage(4, kAlice, kGroup, kBaseDate + 4)});
  EXPECT_EQ(queryIds(groupQuery({kGroup})), std::vector<int64_t>{1});
  EXPECT_EQ(queryIds(groupQuery({kGroup, kOtherGroup})), (std::vector<int64_t>{1, 2}));
  MessageQuery descending = groupQuery({kOtherGroup, kGroup});
  descending.descending = true;
  EXPECT_EQ(queryIds(descending), (std::vector<int64_t>{2, 1}));
  EXPECT_TRUE(queryIds(groupQuery({})).empty());
  EXPECT_TRUE(counts(groupQuery({})).empty());
}

TEST_P(MessageRepositoryContractTest, CountByConversationUsesTheFiltersButNotMaxCount) {
  insertAll({privateMessage(1, kAlice, kBob, kBaseDate + 1),
             privateMessage(2, kAlice, kBob, kBaseDate + 2),
             privateMessage(3, kAlice, kBob, kBaseDate + 3),
             privateMessage(4, kCarol, kBob, kBaseDate + 4),
             privateMessage(5, kBob, kAlice, kBaseDate + 5),
             groupMessage(6, kAlice, kGroup, kBaseDate + 1),
             groupMessage(7, kBob, kGroup, kBaseDate + 2),
             groupMessage(8, kBob, kOtherGroup, kBaseDate + 3)});
  MessageQuery query = privateQuery(kBob);
  query.max_count = 1;
  EXPECT_EQ(counts(query), (std::vector<std::pair<int64_t, int64_t>>{{kAlice, 3}, {kCarol, 1}}));
  query.delivery_date_start = kBaseDate + 2;
  query.delivery_date_end = kBaseDate + 4;
  EXPECT_EQ(counts(query), (std::vector<std::pair<int64_t, int64_t>>{{kAlice, 2}}));
  query.delivery_date_start.reset();
  query.delivery_date_end.reset();
  query.peer_ids = {kCarol};
  EXPECT_EQ(counts(query), (std::vector<std::pair<int64_t, int64_t>>{{kCarol, 1}}));

  MessageQuery groups = groupQuery({kGroup, kOtherGroup});
  groups.max_count = 1;
  EXPECT_EQ(counts(groups),
            (std::vector<std::pair<int64_t, int64_t>>{{kGroup, 2}, {kOtherGroup, 1}}));
}

TEST_P(MessageRepositoryContractTest, UpdateChangesOnlyGivenFields) {
  MessageRecord original = privateMessage(1, kAlice, kBob, kBaseDate);
  original.records = {"a", "b"};
  original.sequence_id = 3;
  insertAll({original});

  MessageUpdate edit_text;
  edit_text.text = "edited";
  edit_text.modification_date = kBaseDate + 10;
  auto updated = messages().update(1, edit_text);
  ASSERT_TRUE(updated.ok());
  EXPECT_TRUE(updated.value());
  MessageRecord expected = original;
  expected.text = "edited";
  expected.modification_date = kBaseDate + 10;
  expectSameMessage(*find(1), expected);

  MessageUpdate edit_records;
  edit_records.records = std::vector<std::string>{std::string("\x00\x01", 2)};
  edit_records.modification_date = kBaseDate + 20;
  ASSERT_TRUE(messages().update(1, edit_records).value());
  expected.records = {std::string("\x00\x01", 2)};
  expected.modification_date = kBaseDate + 20;
  expectSameMessage(*find(1), expected);

  MessageUpdate clear;
  clear.text = "";
  clear.records = std::vector<std::string>{};
  clear.modification_date = kBaseDate + 30;
  ASSERT_TRUE(messages().update(1, clear).value());
  expected.text = "";
  expected.records.clear();
  expected.modification_date = kBaseDate + 30;
  expectSameMessage(*find(1), expected);
}

TEST_P(MessageRepositoryContractTest, UpdateOfUnknownMessageReturnsFalse) {
  MessageUpdate update;
  update.text = "ghost";
  update.modification_date = 1;
  auto updated = messages().update(404, update);
  ASSERT_TRUE(updated.ok());
  EXPECT_FALSE(updated.value());
  EXPECT_FALSE(find(404).has_value());
}

TEST_P(MessageRepositoryContractTest, MaxSequenceIdIsPerConversation) {
  auto none = messages().maxSequenceId(false, kAlice, kBob);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none.value(), 0);

  auto with_sequence = [](MessageRecord message, int64_t sequence_id) {
    message.sequence_id = sequence_id;
    return message;
  };
  insertAll({with_sequence(privateMessage(1, kAlice, kBob, kBaseDate + 1), 1),
             with_sequence(privateMessage(2, kBob, kAlice, kBaseDate + 2), 5),
             with_sequence(privateMessage(3, kAlice, kBob, kBaseDate + 3), 4),
             with_sequence(privateMessage(4, kAlice, kCarol, kBaseDate + 4), 9),
             with_sequence(groupMessage(5, kAlice, kGroup, kBaseDate + 5), 7),
             with_sequence(groupMessage(6, kBob, kGroup, kBaseDate + 6), 6),
             // A group and a user pair that share numbers with the conversations above.
             with_sequence(groupMessage(7, kAlice, kBob, kBaseDate + 7), 50),
             privateMessage(8, kAlice, kBob, kBaseDate + 8)});  // no sequence id
  // Both directions of a private conversation count, and the argument order does not matter.
  EXPECT_EQ(messages().maxSequenceId(false, kAlice, kBob).value(), 5);
  EXPECT_EQ(messages().maxSequenceId(false, kBob, kAlice).value(), 5);
  EXPECT_EQ(messages().maxSequenceId(false, kCarol, kAlice).value(), 9);
  EXPECT_EQ(messages().maxSequenceId(true, kGroup, 0).value(), 7);
  EXPECT_EQ(messages().maxSequenceId(true, kBob, 0).value(), 50);
  EXPECT_EQ(messages().maxSequenceId(true, kOtherGroup, 0).value(), 0);
}

TEST_P(MessageRepositoryContractTest, DataSurvivesReopening) {
  MessageRecord message = privateMessage(1, kAlice, kBob, kBaseDate);
  message.records = {std::string("\x01\x02", 2)};
  insertAll({message});
  reopen();
  expectSameMessage(*find(1), message);
}

TEST_P(MessageRepositoryContractTest, SequenceIdsCountFromOnePerConversation) {
  const ConversationKey alice_bob = ConversationKey::privateOf(kAlice, kBob);
  const ConversationKey bob_alice = ConversationKey::privateOf(kBob, kAlice);
  EXPECT_EQ(nextSequence(alice_bob), 1);
  EXPECT_EQ(nextSequence(bob_alice), 2);  // one conversation, whoever sends
  EXPECT_EQ(nextSequence(alice_bob), 3);
  EXPECT_EQ(nextSequence(ConversationKey::privateOf(kAlice, kCarol)), 1);
  EXPECT_EQ(nextSequence(ConversationKey::groupOf(kGroup)), 1);
  EXPECT_EQ(nextSequence(ConversationKey::groupOf(kGroup)), 2);
  // A group whose id equals a user id is still another conversation.
  EXPECT_EQ(nextSequence(ConversationKey::groupOf(kAlice)), 1);
  // A key built by hand with the users in the "wrong" order is the same conversation.
  EXPECT_EQ(nextSequence(ConversationKey{false, kBob, kAlice}), 4);
}

TEST_P(MessageRepositoryContractTest, SequenceIdsNeverGoBackwardsAcrossReopening) {
  const ConversationKey key = ConversationKey::privateOf(kAlice, kBob);
  EXPECT_EQ(nextSequence(key), 1);
  EXPECT_EQ(nextSequence(key), 2);
  EXPECT_EQ(nextSequence(ConversationKey::groupOf(kGroup)), 1);
  reopen();  // no flush: every id handed out was already durable
  EXPECT_EQ(nextSequence(key), 3);
  EXPECT_EQ(nextSequence(ConversationKey::groupOf(kGroup)), 2);
}

TEST_P(MessageRepositoryContractTest, ConcurrentSequenceIdsAreUniqueAndGapless) {
  const ConversationKey key = ConversationKey::groupOf(kGroup);
  expectUniqueGaplessIds([&](int, int) {
    auto next = sequenceIds().next(key);
    return next.ok() ? next.value() : -1;
  });
}

// Every message a client sends takes this path: the id it is stored with is the id returned.
TEST_P(MessageRepositoryContractTest, NumberedMessagesAreStoredWithTheirIds) {
  EXPECT_EQ(numberAndStore(privateMessage(1, kAlice, kBob, kBaseDate)), 1);
  EXPECT_EQ(numberAndStore(privateMessage(2, kBob, kAlice, kBaseDate + 1)), 2);  // one sequence
  EXPECT_EQ(numberAndStore(groupMessage(3, kAlice, kGroup, kBaseDate + 2)), 1);
  EXPECT_EQ(numberAndStore(privateMessage(4, kAlice, kCarol, kBaseDate + 3)), 1);
  ASSERT_TRUE(find(2).has_value());
  EXPECT_EQ(find(2)->sequence_id, 2);
  EXPECT_EQ(find(3)->sequence_id, 1);
  EXPECT_EQ(messages().maxSequenceId(false, kAlice, kBob).value(), 2);
}

// next() (ids whose message comes later, e.g. a recall notice) and numbered messages share one
// sequence, also across reopening: no id is ever handed out twice.
TEST_P(MessageRepositoryContractTest, NumberedMessagesAndNextShareOneSequence) {
  const ConversationKey key = ConversationKey::privateOf(kAlice, kBob);
  EXPECT_EQ(numberAndStore(privateMessage(1, kAlice, kBob, kBaseDate)), 1);
  EXPECT_EQ(nextSequence(key), 2);
  EXPECT_EQ(numberAndStore(privateMessage(2, kBob, kAlice, kBaseDate + 1)), 3);
  reopen();
  EXPECT_EQ(numberAndStore(privateMessage(3, kAlice, kBob, kBaseDate + 2)), 4);
  EXPECT_EQ(nextSequence(key), 5);
  EXPECT_EQ(nextSequence(key), 6);
  EXPECT_EQ(numberAndStore(privateMessage(4, kAlice, kBob, kBaseDate + 3)), 7);
}

// A message that cannot be stored (its id is taken by another message) is refused, and the
// next message still gets an id no stored message has.
TEST_P(MessageRepositoryContractTest, ARefusedMessageLeavesTheSequenceUsable) {
  EXPECT_EQ(numberAndStore(privateMessage(1, kAlice, kBob, kBaseDate)), 1);
  std::promise<Result<int64_t>> answer;
  sequenceIds().numberAndStoreAsync(privateMessage(1, kAlice, kBob, kBaseDate + 5), messages(),
                                    [&answer](Result<int64_t> id) { answer.set_value(id); });
  const Result<int64_t> refused = answer.get_future().get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code, StatusCode::kRecordContainsDuplicateKey);
  EXPECT_EQ(find(1)->delivery_date, kBaseDate) << "the stored message is untouched";
  const int64_t next = numberAndStore(privateMessage(2, kAlice, kBob, kBaseDate + 6));
  EXPECT_GE(next, 2);
}

TEST_P(MessageRepositoryContractTest, ConcurrentNumberedMessagesGetUniqueGaplessIds) {
  expectUniqueGaplessIds([&](int caller, int i) {
    const int64_t id = 1 + caller * kIdsPerCaller + i;
    return numberAndStore(groupMessage(id, kAlice, kGroup, kBaseDate + id));
  });
  EXPECT_EQ(messages().maxSequenceId(true, kGroup, 0).value(), kCallers * kIdsPerCaller);
}

}  // namespace parley::contract
