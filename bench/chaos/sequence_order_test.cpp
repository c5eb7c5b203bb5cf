#include "chaos/sequence_order.h"

#include <gtest/gtest.h>

namespace parley::chaos {
namespace {

using std::chrono::milliseconds;

// A message sent at `sent` ms and acknowledged at `answered` ms.
NumberedMessage at(int sent, int answered, int64_t sequence_id) {
  const std::chrono::steady_clock::time_point zero{};
  return NumberedMessage{zero + milliseconds(sent), zero + milliseconds(answered), sequence_id};
}

TEST(SequenceOrderTest, IncreasingInAcknowledgementOrderIsFine) {
  EXPECT_TRUE(findSequenceRegressions({at(0, 10, 1), at(20, 30, 2), at(40, 50, 5)}, 0).empty());
}

TEST(SequenceOrderTest, MessagesInFlightTogetherMayBeNumberedEitherWay) {
  // The second was sent before the first was acknowledged.
  EXPECT_TRUE(findSequenceRegressions({at(0, 30, 2), at(10, 20, 1)}, 0).empty());
}

TEST(SequenceOrderTest, ASmallerIdAfterAnAcknowledgementIsARegression) {
  const auto regressions = findSequenceRegressions({at(0, 10, 7), at(20, 30, 3)}, 0);
  ASSERT_EQ(regressions.size(), 1u);
  EXPECT_EQ(regressions[0].message, 1u);
  EXPECT_EQ(regressions[0].highest_before, 7);
  EXPECT_EQ(regressions[0].holder, std::optional<size_t>(0));
}

TEST(SequenceOrderTest, TheSameIdTwiceIsARegression) {
  EXPECT_EQ(findSequenceRegressions({at(0, 10, 4), at(20, 30, 4)}, 0).size(), 1u);
}

TEST(SequenceOrderTest, EarlierTrialsCount) {
  // Counter lost and started again from 1 while earlier trials had reached 40.
  const auto regressions = findSequenceRegressions({at(0, 10, 1), at(20, 30, 41)}, 40);
  ASSERT_EQ(regressions.size(), 1u);
  EXPECT_EQ(regressions[0].message, 0u);
  EXPECT_FALSE(regressions[0].holder.has_value());
}

TEST(SequenceOrderTest, InputOrderDoesNotMatter) {
  EXPECT_EQ(findSequenceRegressions({at(20, 30, 3), at(0, 10, 7)}, 0).size(), 1u);
}

}  // namespace
}  // namespace parley::chaos
