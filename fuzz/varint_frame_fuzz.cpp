// Feeds arbitrary bytes, split at fuzzer-chosen points, to the TCP frame decoder and checks its
// invariants: frames never exceed the limit, and neither splitting the input nor lending the
// decoder a buffer that is overwritten after each chunk (feedBorrowed) changes the frames.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "net/varint_frame.h"

using parley::net::VarintFrameDecoder;

namespace {

std::vector<std::string> decodeAll(std::string_view bytes, size_t chunk, bool borrowed,
                                   bool* error) {
  constexpr size_t kLimit = 1024;
  VarintFrameDecoder decoder(kLimit);
  std::vector<std::string> frames;
  std::string scratch;
  for (size_t offset = 0; offset < bytes.size() && !*error; offset += chunk) {
    if (borrowed) {
      scratch.assign(bytes.substr(offset, chunk));
      decoder.feedBorrowed(scratch);
    } else {
      decoder.feed(bytes.substr(offset, chunk));
    }
    std::string_view payload;
    for (;;) {
      auto state = decoder.next(&payload);
      if (state == VarintFrameDecoder::State::kNeedMore) break;
      if (state == VarintFrameDecoder::State::kError) {
        *error = true;
        break;
      }
      if (payload.size() > kLimit) std::abort();
      frames.emplace_back(payload);
    }
    // The decoder must have kept what it still needs.
    scratch.assign(scratch.size(), '\xAA');
  }
  return frames;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 17;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool whole_error = false, split_error = false, borrowed_error = false;
  auto whole = decodeAll(bytes, bytes.size() + 1, false, &whole_error);
  auto split = decodeAll(bytes, chunk, false, &split_error);
  auto borrowed = decodeAll(bytes, chunk, true, &borrowed_error);
  if (whole_error != split_error || whole_error != borrowed_error) std::abort();
  if (!whole_error && (whole != split || whole != borrowed)) std::abort();
  return 0;
}
