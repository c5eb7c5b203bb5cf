#include "net/ws_frame.h"

#include <cstring>

namespace parley::net {

struct WsFrameReader::Held {
  std::string pending;  // the start of an incomplete frame (and whatever followed it)
  std::string message;  // binary fragments received so far
};

namespace {

bool isValidCloseCode(uint16_t code) {
  // RFC 6455 §7.4: 1004-1006 and 1015 are never sent; 1012-2999 are unassigned or reserved.
  if (code >= 3000 && code <= 4999) return true;
  return code >= 1000 && code <= 1011 && code != 1004 && code != 1005 && code != 1006;
}

void unmask(char* data, uint64_t size, const uint8_t key[4]) {
  // Eight bytes at a time: the key repeats every four, so offsets stay aligned with it.
  uint8_t key8[8];
  for (int i = 0; i < 8; ++i) key8[i] = key[i & 3];
  uint64_t mask;
  std::memcpy(&mask, key8, sizeof(mask));
  uint64_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, sizeof(word));
    word ^= mask;
    std::memcpy(data + i, &word, sizeof(word));
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i & 3]);
}

}  // namespace

size_t encodeWsFrameHeader(uint8_t opcode, uint64_t payload_size, char* out) {
  out[0] = static_cast<char>(0x80 | opcode);  // FIN: server frames are never fragmented
  if (payload_size < 126) {
    out[1] = static_cast<char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<char>(payload_size >> 8);
    out[3] = static_cast<char>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(payload_size >> (56 - 8 * i));
  return 10;
}

WsFrameReader::WsFrameReader(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

WsFrameReader::~WsFrameReader() = default;

WsFrameReader::Held& WsFrameReader::held() {
  if (!held_) held_ = std::make_unique<Held>();
  return *held_;
}

void WsFrameReader::releaseIfEmpty() {
  if (held_ && held_->pending.empty() && held_->message.empty()) held_.reset();
}

void WsFrameReader::feed(char* data, size_t size) {
  if (held_ && !held_->pending.empty()) {
    held_->pending.append(data, size);
    input_ = held_->pending.data();
    input_size_ = held_->pending.size();
    input_is_held_ = true;
  } else {
    input_ = data;
    input_size_ = size;
    input_is_held_ = false;
  }
  input_pos_ = 0;
}

size_t WsFrameReader::buffered() const {
  if (!held_) return 0;
  return held_->pending.size() + held_->message.size();
}

WsFrameReader::State WsFrameReader::fail(Error error) {
  error_ = error;
  held_.reset();
  input_ = nullptr;
  input_size_ = input_pos_ = 0;
  return State::kError;
}

WsFrameReader::State WsFrameReader::needMore() {
  const size_t rest = input_size_ - input_pos_;
  if (input_is_held_) {
    held_->pending.erase(0, input_pos_);
  } else if (rest > 0) {
    held().pending.assign(input_ + input_pos_, rest);
  }
  input_ = nullptr;
  input_size_ = input_pos_ = 0;
  input_is_held_ = false;
  releaseIfEmpty();
  return State::kNeedMore;
}

WsFrameReader::State WsFrameReader::next(std::string_view* payload) {
  if (error_ != Error::kNone) return State::kError;
  if (release_message_) {
    release_message_ = false;
    held_->message.clear();
    held_->message.shrink_to_fit();
  }
  for (;;) {
    const size_t available = input_size_ - input_pos_;
    const auto* p = reinterpret_cast<const uint8_t*>(input_ + input_pos_);
    if (available < 2) return needMore();
    const bool fin = (p[0] & 0x80) != 0;
    const uint8_t opcode = p[0] & 0x0F;
    // No extension is negotiated, so every reserved bit must be clear.
    if ((p[0] & 0x70) != 0) return fail(Error::kReservedBits);
    if (opcode > ws_opcode::kBinary && (opcode < ws_opcode::kClose || opcode > ws_opcode::kPong)) {
      return fail(Error::kReservedOpcode);
    }
    if ((p[1] & 0x80) == 0) return fail(Error::kUnmasked);
    const bool control = (opcode & 0x8) != 0;
    uint64_t length = p[1] & 0x7F;
    if (control && !fin) return fail(Error::kFragmentedControl);
    if (control && length > 125) return fail(Error::kControlTooLong);
    // The length is checked as soon as it is known, before the mask key and the payload.
    const size_t length_bytes = length == 126 ? 2 : length == 127 ? 8 : 0;
    if (available < 2 + length_bytes) return needMore();
    if (length == 126) {
      length = static_cast<uint64_t>(p[2]) << 8 | p[3];
      if (length < 126) return fail(Error::kNonMinimalLength);
    } else if (length == 127) {
      length = 0;
      for (int i = 0; i < 8; ++i) length = length << 8 | p[2 + i];
      if (length >> 63) return fail(Error::kLengthTooLong);
      if (length <= 0xFFFF) return fail(Error::kNonMinimalLength);
    }
    if (!control) {
      if (opcode == ws_opcode::kContinuation && message_opcode_ == 0) {
        return fail(Error::kUnexpectedContinuation);
      }
      if (opcode != ws_opcode::kContinuation && message_opcode_ != 0) {
        return fail(Error::kExpectedContinuation);
      }
      // Checked from the header alone, before any byte of the payload is kept.
      const uint64_t so_far = opcode == ws_opcode::kContinuation ? message_bytes_ : 0;
      if (length > max_message_bytes_ - so_far) return fail(Error::kTooBig);
    }
    const size_t header = 2 + length_bytes + 4;
    if (available < header || available - header < length) return needMore();

    char* data = input_ + input_pos_ + header;
    unmask(data, length, p + header - 4);
    input_pos_ += header + length;
    const std::string_view body(data, length);
    if (control) {
      if (opcode == ws_opcode::kClose) {
        if (length == 1) return fail(Error::kBadClosePayload);
        if (length >= 2) {
          const auto code = static_cast<uint16_t>(static_cast<uint8_t>(data[0]) << 8 |
                                                  static_cast<uint8_t>(data[1]));
          if (!isValidCloseCode(code)) return fail(Error::kBadCloseCode);
        }
        *payload = body;
        return State::kClose;
      }
      *payload = body;
      return opcode == ws_opcode::kPing ? State::kPing : State::kPong;
    }
    if (opcode != ws_opcode::kContinuation) {
      if (fin) {
        *payload = opcode == ws_opcode::kBinary ? body : std::string_view();
        return opcode == ws_opcode::kBinary ? State::kBinary : State::kText;
      }
      message_opcode_ = opcode;
      message_bytes_ = length;
      if (opcode == ws_opcode::kBinary) held().message.assign(body);
      continue;
    }
    message_bytes_ += length;
    if (message_opcode_ == ws_opcode::kBinary) held().message.append(body);
    if (!fin) continue;
    const uint8_t message_opcode = message_opcode_;
    message_opcode_ = 0;
    message_bytes_ = 0;
    if (message_opcode == ws_opcode::kText) {
      *payload = {};
      return State::kText;
    }
    release_message_ = true;
    *payload = held_->message;
    return State::kBinary;
  }
}

std::string WsFrameReader::error() const {
  switch (error_) {
    case Error::kNone:
      return {};
    case Error::kReservedBits:
      return "websocket: reserved bits set";
    case Error::kReservedOpcode:
      return "websocket: reserved opcode";
    case Error::kUnmasked:
      return "websocket: unmasked client frame";
    case Error::kFragmentedControl:
      return "websocket: fragmented control frame";
    case Error::kControlTooLong:
      return "websocket: control frame over 125 bytes";
    case Error::kNonMinimalLength:
      return "websocket: non-minimal frame length";
    case Error::kLengthTooLong:
      return "websocket: frame length over 63 bits";
    case Error::kUnexpectedContinuation:
      return "websocket: continuation frame without a message";
    case Error::kExpectedContinuation:
      return "websocket: new message inside a fragmented message";
    case Error::kBadClosePayload:
      return "websocket: close frame of 1 byte";
    case Error::kBadCloseCode:
      return "websocket: invalid close code";
    case Error::kTooBig:
      return "frame exceeds the limit of " + std::to_string(max_message_bytes_) + " bytes";
  }
  return {};
}

uint16_t WsFrameReader::closeCode() const {
  return error_ == Error::kTooBig ? ws_close_code::kTooBig : ws_close_code::kProtocolError;
}

}  // namespace parley::net
