// libFuzzer target for the node-to-node frame decoder: arbitrary bytes, split at fuzzer-chosen
// points. Invariants: no crash, frames never exceed the limit, every frame has a body, and
// splitting the input never changes the frames decoded (compared by re-encoding them).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "nodes/rpc_frame.h"

using parley::nodes::RpcFrameDecoder;

namespace {

std::vector<std::string> decodeAll(std::string_view bytes, size_t chunk, bool* error) {
  constexpr size_t kLimit = 4096;
  RpcFrameDecoder decoder(kLimit);
  std::vector<std::string> frames;
  parley::rpc::RpcFrame frame;
  for (size_t offset = 0; offset < bytes.size() && !*error; offset += chunk) {
    decoder.feed(bytes.substr(offset, chunk));
    for (;;) {
      auto state = decoder.next(&frame);
      if (state == RpcFrameDecoder::State::kNeedMore) break;
      if (state == RpcFrameDecoder::State::kError) {
        *error = true;
        break;
      }
      if (frame.body_case() == parley::rpc::RpcFrame::BODY_NOT_SET) std::abort();
      frames.push_back(parley::nodes::encodeRpcFrame(frame));
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
  if (whole != split) std::abort();
  return 0;
}
