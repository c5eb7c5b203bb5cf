// Feeds arbitrary bytes, split at fuzzer-chosen points, to the TCP frame decoder and checks its
// invariants: frames never exceed the limit, and splitting the input never changes the frames.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "net/varint_frame.h"

using parley::net::VarintFrameDecoder;

namespace {

std::vector<std::string> decodeAll(std::string_view bytes, size_t chunk, bool* error) {
  constexpr size_t kLimit = 1024;
  VarintFrameDecoder decoder(kLimit);
  std::vector<std::string> frames;
  for (size_t offset = 0; offset < bytes.size() && !*error; offset += chunk) {
    decoder.feed(bytes.substr(offset, chunk));
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
  }
  return frames;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 17;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool whole_error = false, split_error = false;
  auto whole = decodeAll(bytes, bytes.size() + 1, &whole_error);
  auto split = decodeAll(bytes, chunk, &split_error);
  if (whole_error != split_error) std::abort();
  if (!whole_error && whole != split) std::abort();
  return 0;
}
