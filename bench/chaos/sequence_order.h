#pragma once
// The ordering rule for the sequence ids of one conversation: a message sent after another
// message's acknowledgement must get a larger sequence id (unique and increasing in
// acknowledgement order). Messages in flight at the same time may be numbered either way.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace parley::chaos {

struct NumberedMessage {
  std::chrono::steady_clock::time_point sent;
  std::chrono::steady_clock::time_point answered;
  int64_t sequence_id = 0;
};

struct SequenceRegression {
  size_t message = 0;  // index into the input
  int64_t highest_before = 0;
  // The input's message that held highest_before; none when it came from an earlier trial.
  std::optional<size_t> holder;
};

// Every message whose sequence id is not above all those acknowledged before it was sent,
// counting highest_earlier (the largest acknowledged in earlier trials, all of which ended
// before any of these was sent).
std::vector<SequenceRegression> findSequenceRegressions(
    const std::vector<NumberedMessage>& messages, int64_t highest_earlier);

}  // namespace parley::chaos
