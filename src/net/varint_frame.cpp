#include "net/varint_frame.h"

namespace parley::net {

void appendVarint32(std::string& out, uint32_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

VarintFrameDecoder::State VarintFrameDecoder::next(std::string_view* payload) {
  if (!error_.empty()) return State::kError;
  // Compact once everything handed out so far is no longer referenced by the caller.
  if (consumed_ > 0 && consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
  } else if (consumed_ > 4096 && consumed_ * 2 > buffer_.size()) {
    buffer_.erase(0, consumed_);
    consumed_ = 0;
  }
  const size_t available = buffer_.size() - consumed_;
  uint64_t length = 0;
  size_t varint_bytes = 0;
  bool complete = false;
  for (; varint_bytes < available && varint_bytes < 5; ++varint_bytes) {
    const auto byte = static_cast<uint8_t>(buffer_[consumed_ + varint_bytes]);
    length |= static_cast<uint64_t>(byte & 0x7F) << (7 * varint_bytes);
    if ((byte & 0x80) == 0) {
      complete = true;
      ++varint_bytes;
      break;
    }
  }
  if (!complete) {
    if (varint_bytes >= 5) {
      error_ = "frame length varint is longer than 5 bytes";
      return State::kError;
    }
    return State::kNeedMore;
  }
  // Five 7-bit groups can exceed 32 bits; Netty's decoder treats that as a negative length.
  if (length > 0x7FFFFFFFu) {
    error_ = "frame length does not fit in int32";
    return State::kError;
  }
  if (length > max_frame_size_) {
    error_ = "frame of " + std::to_string(length) + " bytes exceeds the limit of " +
             std::to_string(max_frame_size_);
    return State::kError;
  }
  if (available - varint_bytes < length) return State::kNeedMore;
  *payload = std::string_view(buffer_).substr(consumed_ + varint_bytes, length);
  consumed_ += varint_bytes + length;
  return State::kFrame;
}

}  // namespace parley::net
