// Feeds arbitrary bytes, split at fuzzer-chosen points, to the RESP reply parser and checks its
// invariants: splitting the input never changes the replies or the outcome, and every reply
// survives an encode/parse round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "redis/resp.h"

using parley::redis::RespLimits;
using parley::redis::RespParser;
using parley::redis::RespValue;

namespace {

// Small limits so that the fuzzer reaches every limit check with short inputs.
RespLimits smallLimits() {
  RespLimits limits;
  limits.max_bulk_size = 64;
  limits.max_array_size = 64;
  limits.max_depth = 4;
  limits.max_line_size = 32;
  return limits;
}

struct Outcome {
  std::vector<RespValue> replies;
  RespParser::State last = RespParser::State::kNeedMore;
  std::string error;
  size_t buffered = 0;
};

Outcome parseAll(std::string_view bytes, size_t chunk) {
  RespParser parser(smallLimits());
  Outcome outcome;
  for (size_t offset = 0; offset < bytes.size(); offset += chunk) {
    parser.feed(bytes.substr(offset, chunk));
    RespValue reply;
    while ((outcome.last = parser.next(&reply)) == RespParser::State::kReply) {
      outcome.replies.push_back(std::move(reply));
    }
    if (outcome.last == RespParser::State::kError) break;
  }
  outcome.error = parser.error();
  outcome.buffered = parser.buffered();
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 17;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto whole = parseAll(bytes, bytes.size() + 1);
  const auto split = parseAll(bytes, chunk);
  if (whole.last != split.last || whole.error != split.error) std::abort();
  if (whole.replies != split.replies) std::abort();
  if (whole.last == RespParser::State::kNeedMore && whole.buffered != split.buffered) std::abort();
  for (const auto& reply : whole.replies) {
    std::string wire;
    parley::redis::appendReply(wire, reply);
    const auto again = parseAll(wire, wire.size() + 1);
    if (again.replies.size() != 1 || !(again.replies[0] == reply)) std::abort();
  }
  return 0;
}
