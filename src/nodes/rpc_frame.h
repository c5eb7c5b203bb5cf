#pragma once
// Node-to-node RPC framing: a 4-byte big-endian length, then one serialized parley.rpc.RpcFrame.
// Pure (no sockets) so that it can be unit-tested and fuzzed: the bytes come from the network.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nodes/node_rpc.pb.h"

namespace parley::nodes {

inline constexpr size_t kDefaultMaxRpcFrameSize = 1024 * 1024;
inline constexpr size_t kRpcFrameHeaderSize = 4;
// A push to more users is split into several frames, so that a push frame is its notification
// plus at most kMaxPushFrameOverhead bytes (ids are varints of up to 10 bytes) whatever the size
// of the group: the frame limit only has to cover the largest notification.
inline constexpr size_t kMaxUsersPerPushFrame = 4096;
inline constexpr size_t kMaxPushFrameOverhead = 64 * 1024;

// The length a frame's 4-byte header announces.
inline size_t rpcFrameLength(const uint8_t* header) {
  return (size_t{header[0]} << 24) | (size_t{header[1]} << 16) | (size_t{header[2]} << 8) |
         header[3];
}

// Appends the length prefix and the serialized frame.
void appendRpcFrame(std::string& out, const rpc::RpcFrame& frame);
std::string encodeRpcFrame(const rpc::RpcFrame& frame);

// Incremental decoder: feed bytes as they arrive, then take complete frames.
class RpcFrameDecoder {
 public:
  enum class State { kNeedMore, kFrame, kError };

  explicit RpcFrameDecoder(size_t max_frame_size = kDefaultMaxRpcFrameSize)
      : max_frame_size_(max_frame_size) {}

  void feed(std::string_view bytes);

  // kFrame: *frame holds the next frame. kError: the length is over the limit, the payload is
  // not an RpcFrame, or the frame has no body; the state is sticky and the connection must be
  // closed (error() says why).
  State next(rpc::RpcFrame* frame);

  const std::string& error() const { return error_; }
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  State fail(std::string message);

  size_t max_frame_size_;
  std::string buffer_;
  size_t consumed_ = 0;  // bytes of buffer_ already decoded; compacted lazily
  std::string error_;
};

}  // namespace parley::nodes
