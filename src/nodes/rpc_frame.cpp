#include "nodes/rpc_frame.h"

#include <fmt/format.h>

#include <cstdint>

namespace parley::nodes {

void appendRpcFrame(std::string& out, const rpc::RpcFrame& frame) {
  const size_t size = frame.ByteSizeLong();
  const size_t start = out.size();
  out.resize(start + kRpcFrameHeaderSize + size);
  auto* p = reinterpret_cast<uint8_t*>(out.data() + start);
  p[0] = static_cast<uint8_t>(size >> 24);
  p[1] = static_cast<uint8_t>(size >> 16);
  p[2] = static_cast<uint8_t>(size >> 8);
  p[3] = static_cast<uint8_t>(size);
  frame.SerializeWithCachedSizesToArray(p + kRpcFrameHeaderSize);
}

std::string encodeRpcFrame(const rpc::RpcFrame& frame) {
  std::string out;
  appendRpcFrame(out, frame);
  return out;
}

void RpcFrameDecoder::feed(std::string_view bytes) {
  // Compacting only when the consumed prefix dominates keeps this amortized O(1) per byte.
  if (consumed_ > 0 && consumed_ >= buffer_.size() / 2) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  buffer_.append(bytes);
}

RpcFrameDecoder::State RpcFrameDecoder::fail(std::string message) {
  error_ = std::move(message);
  return State::kError;
}

RpcFrameDecoder::State RpcFrameDecoder::next(rpc::RpcFrame* frame) {
  if (!error_.empty()) return State::kError;
  if (buffered() < kRpcFrameHeaderSize) return State::kNeedMore;
  const size_t size = rpcFrameLength(reinterpret_cast<const uint8_t*>(buffer_.data() + consumed_));
  // protobuf parses at most INT_MAX bytes, whatever the configured limit.
  if (size > max_frame_size_ || size > static_cast<size_t>(INT32_MAX)) {
    return fail(fmt::format("frame of {} bytes exceeds the limit of {}", size, max_frame_size_));
  }
  if (buffered() < kRpcFrameHeaderSize + size) return State::kNeedMore;
  const char* payload = buffer_.data() + consumed_ + kRpcFrameHeaderSize;
  frame->Clear();
  if (!frame->ParseFromArray(payload, static_cast<int>(size))) {
    return fail(fmt::format("frame of {} bytes is not an RpcFrame", size));
  }
  if (frame->body_case() == rpc::RpcFrame::BODY_NOT_SET) {
    return fail("frame without a body");
  }
  consumed_ += kRpcFrameHeaderSize + size;
  return State::kFrame;
}

}  // namespace parley::nodes
