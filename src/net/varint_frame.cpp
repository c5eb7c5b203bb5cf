#include "net/varint_frame.h"

namespace parley::net {

void appendVarint32(std::string& out, uint32_t value) {
  char bytes[5];
  out.append(bytes, encodeVarint32(value, bytes));
}

size_t encodeVarint32(uint32_t value, char* out) {
  size_t n = 0;
  while (value >= 0x80) {
    out[n++] = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  out[n++] = static_cast<char>(value);
  return n;
}

VarintFrameDecoder::VarintFrameDecoder(size_t max_frame_size) : max_frame_size_(max_frame_size) {}

VarintFrameDecoder::~VarintFrameDecoder() = default;

void VarintFrameDecoder::holdBorrowedRest() {
  if (borrowed_.empty()) return;
  if (!held_) held_ = std::make_unique<std::string>();
  held_->append(borrowed_);
  borrowed_ = {};
}

void VarintFrameDecoder::feed(std::string_view bytes) {
  holdBorrowedRest();
  if (bytes.empty()) return;
  if (!held_) held_ = std::make_unique<std::string>();
  held_->append(bytes);
}

void VarintFrameDecoder::feedBorrowed(std::string_view bytes) {
  if (held_ || !borrowed_.empty()) {
    feed(bytes);
  } else {
    borrowed_ = bytes;
  }
}

size_t VarintFrameDecoder::buffered() const {
  return borrowed_.size() + (held_ ? held_->size() - held_consumed_ : 0);
}

VarintFrameDecoder::State VarintFrameDecoder::next(std::string_view* payload) {
  if (error_ != Error::kNone) return State::kError;
  if (held_) {
    // Compact once everything handed out so far is no longer referenced by the caller.
    if (held_consumed_ == held_->size()) {
      held_.reset();
      held_consumed_ = 0;
    } else if (held_consumed_ > 4096 && held_consumed_ * 2 > held_->size()) {
      held_->erase(0, held_consumed_);
      held_consumed_ = 0;
    }
  }
  const std::string_view input =
      held_ ? std::string_view(*held_).substr(held_consumed_) : borrowed_;
  uint64_t length = 0;
  size_t varint_bytes = 0;
  bool complete = false;
  for (; varint_bytes < input.size() && varint_bytes < 5; ++varint_bytes) {
    const auto byte = static_cast<uint8_t>(input[varint_bytes]);
    length |= static_cast<uint64_t>(byte & 0x7F) << (7 * varint_bytes);
    if ((byte & 0x80) == 0) {
      complete = true;
      ++varint_bytes;
      break;
    }
  }
  if (!complete) {
    if (varint_bytes >= 5) {
      error_ = Error::kVarintTooLong;
      return State::kError;
    }
    holdBorrowedRest();
    return State::kNeedMore;
  }
  // Five 7-bit groups can exceed 32 bits; Netty's decoder treats that as a negative length.
  if (length > 0x7FFFFFFFu) {
    error_ = Error::kOverInt32;
    return State::kError;
  }
  if (length > max_frame_size_) {
    error_ = Error::kOverLimit;
    error_length_ = static_cast<uint32_t>(length);
    return State::kError;
  }
  if (input.size() - varint_bytes < length) {
    holdBorrowedRest();
    return State::kNeedMore;
  }
  *payload = input.substr(varint_bytes, length);
  if (held_) {
    held_consumed_ += varint_bytes + length;
  } else {
    borrowed_.remove_prefix(varint_bytes + length);
  }
  return State::kFrame;
}

std::string VarintFrameDecoder::error() const {
  switch (error_) {
    case Error::kNone:
      return {};
    case Error::kVarintTooLong:
      return "frame length varint is longer than 5 bytes";
    case Error::kOverInt32:
      return "frame length does not fit in int32";
    case Error::kOverLimit:
      return "frame of " + std::to_string(error_length_) + " bytes exceeds the limit of " +
             std::to_string(max_frame_size_);
  }
  return {};
}

}  // namespace parley::net
