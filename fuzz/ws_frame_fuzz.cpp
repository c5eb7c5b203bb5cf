// Feeds arbitrary bytes, split at fuzzer-chosen points, to the WebSocket frame reader and checks
// its invariants: messages never exceed the limit, nothing stays held once everything is
// consumed, and splitting the input never changes the events.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "net/ws_frame.h"

using parley::net::WsFrameReader;

namespace {

constexpr size_t kLimit = 1024;

struct Event {
  WsFrameReader::State state;
  std::string payload;
  bool operator==(const Event&) const = default;
};

std::vector<Event> readAll(std::string bytes, size_t chunk) {
  WsFrameReader reader(kLimit);
  std::vector<Event> events;
  for (size_t offset = 0; offset < bytes.size(); offset += chunk) {
    reader.feed(bytes.data() + offset, std::min(chunk, bytes.size() - offset));
    std::string_view payload;
    for (;;) {
      const auto state = reader.next(&payload);
      if (state == WsFrameReader::State::kNeedMore) break;
      if (state == WsFrameReader::State::kError) {
        if (reader.error().empty()) std::abort();
        events.push_back({state, reader.error()});
        return events;
      }
      if (payload.size() > kLimit) std::abort();
      events.push_back({state, std::string(payload)});
    }
    // The reader must have copied what it still needs: the caller reuses its buffer.
    std::fill_n(bytes.data() + offset, std::min(chunk, bytes.size() - offset), '\xAA');
    // Held bytes are at most one incomplete frame (header + payload) plus the rest of one chunk,
    // and fragments of one message.
    if (reader.buffered() > 2 * kLimit + 14 + chunk) std::abort();
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 17;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (readAll(bytes, bytes.size() + 1) != readAll(bytes, chunk)) std::abort();
  return 0;
}
