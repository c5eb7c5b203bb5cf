#include "chaos/sequence_order.h"

#include <algorithm>
#include <numeric>

namespace parley::chaos {

std::vector<SequenceRegression> findSequenceRegressions(
    const std::vector<NumberedMessage>& messages, int64_t highest_earlier) {
  std::vector<size_t> by_answer(messages.size());
  std::iota(by_answer.begin(), by_answer.end(), size_t{0});
  std::vector<size_t> by_send = by_answer;
  std::sort(by_answer.begin(), by_answer.end(),
            [&](size_t a, size_t b) { return messages[a].answered < messages[b].answered; });
  std::sort(by_send.begin(), by_send.end(),
            [&](size_t a, size_t b) { return messages[a].sent < messages[b].sent; });

  std::vector<SequenceRegression> regressions;
  int64_t highest = highest_earlier;
  std::optional<size_t> holder;
  size_t answered = 0;
  for (const size_t index : by_send) {
    // Everything acknowledged before this one was sent.
    while (answered < by_answer.size() &&
           messages[by_answer[answered]].answered < messages[index].sent) {
      const size_t earlier = by_answer[answered++];
      if (messages[earlier].sequence_id > highest) {
        highest = messages[earlier].sequence_id;
        holder = earlier;
      }
    }
    if (messages[index].sequence_id <= highest) {
      regressions.push_back(SequenceRegression{index, highest, holder});
    }
  }
  return regressions;
}

}  // namespace parley::chaos
