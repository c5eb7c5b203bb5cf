#include "redis/resp.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <utility>

namespace parley::redis {

RespValue RespValue::simpleString(std::string text) {
  RespValue value;
  value.type = RespType::kSimpleString;
  value.str = std::move(text);
  return value;
}

RespValue RespValue::error(std::string message) {
  RespValue value;
  value.type = RespType::kError;
  value.str = std::move(message);
  return value;
}

RespValue RespValue::fromInteger(int64_t number) {
  RespValue value;
  value.type = RespType::kInteger;
  value.integer = number;
  return value;
}

RespValue RespValue::bulk(std::string bytes) {
  RespValue value;
  value.type = RespType::kBulkString;
  value.str = std::move(bytes);
  return value;
}

RespValue RespValue::array(std::vector<RespValue> elements) {
  RespValue value;
  value.type = RespType::kArray;
  value.elements = std::move(elements);
  return value;
}

bool RespValue::isErrorCode(std::string_view code) const {
  if (type != RespType::kError || str.size() < code.size()) return false;
  return str.compare(0, code.size(), code) == 0 &&
         (str.size() == code.size() || str[code.size()] == ' ');
}

std::string toDebugString(const RespValue& value) {
  switch (value.type) {
    case RespType::kSimpleString:
    case RespType::kBulkString:
      return "\"" + value.str + "\"";
    case RespType::kError:
      return "(error) " + value.str;
    case RespType::kInteger:
      return "(integer) " + std::to_string(value.integer);
    case RespType::kNull:
      return "nil";
    case RespType::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < value.elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += toDebugString(value.elements[i]);
      }
      return out + "]";
    }
  }
  return "?";
}

namespace {

// Strict: an optional '-' and digits, nothing else, no overflow. Redis never sends '+' or spaces,
// so anything else means the stream is not what we think it is.
bool parseInt64(std::string_view text, int64_t* out) {
  if (text.empty() || text[0] == '+') return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

void RespParser::feed(std::string_view bytes) {
  compact();
  buffer_.append(bytes);
}

void RespParser::reset() {
  buffer_.clear();
  consumed_ = 0;
  scan_from_ = 0;
  stack_.clear();
  error_.clear();
}

void RespParser::compact() {
  if (consumed_ == 0) return;
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
  } else if (consumed_ >= 64 * 1024 && consumed_ * 2 >= buffer_.size()) {
    // Only when the dead prefix is big and at least half the buffer, so each byte moves O(1)
    // times on average.
    buffer_.erase(0, consumed_);
  } else {
    return;
  }
  scan_from_ -= std::min(scan_from_, consumed_);
  consumed_ = 0;
}

bool RespParser::fail(std::string message) {
  error_ = std::move(message);
  return false;
}

size_t RespParser::findLineEnd(size_t from) {
  // Resume the search where the previous one stopped, so a long line arriving in small pieces is
  // scanned once. The last byte may be a '\r' whose '\n' is still on its way.
  const size_t start = std::max(from, scan_from_);
  const size_t found = buffer_.find("\r\n", start);
  if (found != std::string::npos) return found;
  scan_from_ = buffer_.empty() ? 0 : buffer_.size() - 1;
  return std::string::npos;
}

RespParser::Step RespParser::parseItem(RespValue* value) {
  const size_t start = consumed_;
  if (start >= buffer_.size()) return Step::kNeedMore;
  const size_t line_end = findLineEnd(start);
  // The same message whether the CRLF has arrived or not, so the outcome does not depend on how
  // the stream was split.
  const auto line_too_long = [this] {
    fail("RESP line longer than " + std::to_string(limits_.max_line_size) + " bytes");
    return Step::kError;
  };
  if (line_end == std::string::npos) {
    // At least avail - 2 bytes of content (type byte and a trailing '\r' excluded) are known.
    if (buffer_.size() - start > limits_.max_line_size + 2) return line_too_long();
    return Step::kNeedMore;
  }
  const std::string_view line(buffer_.data() + start + 1, line_end - start - 1);
  if (line.size() > limits_.max_line_size) return line_too_long();
  const size_t after_line = line_end + 2;
  const char type = buffer_[start];

  const auto take = [&](size_t next_item) {
    consumed_ = next_item;
    scan_from_ = next_item;
  };

  switch (type) {
    case '+':
      *value = RespValue::simpleString(std::string(line));
      take(after_line);
      return Step::kValue;
    case '-':
      *value = RespValue::error(std::string(line));
      take(after_line);
      return Step::kValue;
    case ':': {
      int64_t number = 0;
      if (!parseInt64(line, &number)) {
        fail("RESP integer is malformed");
        return Step::kError;
      }
      *value = RespValue::fromInteger(number);
      take(after_line);
      return Step::kValue;
    }
    case '$': {
      int64_t length = 0;
      if (!parseInt64(line, &length) || length < -1) {
        fail("RESP bulk string length is malformed");
        return Step::kError;
      }
      if (length == -1) {
        *value = RespValue::null();
        take(after_line);
        return Step::kValue;
      }
      if (static_cast<uint64_t>(length) > limits_.max_bulk_size) {
        fail("RESP bulk string of " + std::to_string(length) + " bytes exceeds the limit of " +
             std::to_string(limits_.max_bulk_size));
        return Step::kError;
      }
      const size_t size = static_cast<size_t>(length);
      if (buffer_.size() - after_line < size + 2) return Step::kNeedMore;
      if (buffer_[after_line + size] != '\r' || buffer_[after_line + size + 1] != '\n') {
        fail("RESP bulk string is not followed by CRLF");
        return Step::kError;
      }
      *value = RespValue::bulk(buffer_.substr(after_line, size));
      take(after_line + size + 2);
      return Step::kValue;
    }
    case '*': {
      int64_t count = 0;
      if (!parseInt64(line, &count) || count < -1) {
        fail("RESP array length is malformed");
        return Step::kError;
      }
      if (count == -1) {
        *value = RespValue::null();
        take(after_line);
        return Step::kValue;
      }
      if (static_cast<uint64_t>(count) > limits_.max_array_size) {
        fail("RESP array of " + std::to_string(count) + " elements exceeds the limit of " +
             std::to_string(limits_.max_array_size));
        return Step::kError;
      }
      if (count == 0) {
        *value = RespValue::array({});
        take(after_line);
        return Step::kValue;
      }
      if (stack_.size() + 1 > limits_.max_depth) {
        fail("RESP arrays nested deeper than " + std::to_string(limits_.max_depth));
        return Step::kError;
      }
      Frame frame;
      frame.array.type = RespType::kArray;
      // The count came from the network: reserve a little, let real elements grow the rest.
      frame.array.elements.reserve(std::min<size_t>(static_cast<size_t>(count), 1024));
      frame.remaining = static_cast<size_t>(count);
      stack_.push_back(std::move(frame));
      take(after_line);
      return Step::kArrayOpened;
    }
    default: {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "0x%02x", static_cast<unsigned char>(type));
      fail(std::string("unknown RESP type byte ") + hex);
      return Step::kError;
    }
  }
}

RespParser::State RespParser::next(RespValue* reply) {
  if (!error_.empty()) return State::kError;
  for (;;) {
    RespValue value;
    switch (parseItem(&value)) {
      case Step::kNeedMore:
        return State::kNeedMore;
      case Step::kError:
        return State::kError;
      case Step::kArrayOpened:
        continue;
      case Step::kValue:
        break;
    }
    // Attach the value to the innermost open array; each array completed this way becomes the
    // value attached to its parent.
    bool complete = true;
    while (!stack_.empty()) {
      Frame& top = stack_.back();
      top.array.elements.push_back(std::move(value));
      if (--top.remaining > 0) {
        complete = false;
        break;
      }
      value = std::move(top.array);
      stack_.pop_back();
    }
    if (complete) {
      *reply = std::move(value);
      return State::kReply;
    }
  }
}

void appendArrayHeader(std::string& out, size_t count) {
  out += '*';
  out += std::to_string(count);
  out += "\r\n";
}

void appendBulkString(std::string& out, std::string_view bytes) {
  out += '$';
  out += std::to_string(bytes.size());
  out += "\r\n";
  out.append(bytes);
  out += "\r\n";
}

void appendCommand(std::string& out, const std::vector<std::string>& args) {
  appendArrayHeader(out, args.size());
  for (const auto& arg : args) appendBulkString(out, arg);
}

std::string encodeCommand(const std::vector<std::string>& args) {
  std::string out;
  appendCommand(out, args);
  return out;
}

void appendReply(std::string& out, const RespValue& value) {
  switch (value.type) {
    case RespType::kSimpleString:
      out += '+';
      out += value.str;
      out += "\r\n";
      return;
    case RespType::kError:
      out += '-';
      out += value.str;
      out += "\r\n";
      return;
    case RespType::kInteger:
      out += ':';
      out += std::to_string(value.integer);
      out += "\r\n";
      return;
    case RespType::kBulkString:
      appendBulkString(out, value.str);
      return;
    case RespType::kNull:
      out += "$-1\r\n";
      return;
    case RespType::kArray:
      appendArrayHeader(out, value.elements.size());
      for (const auto& element : value.elements) appendReply(out, element);
      return;
  }
}

}  // namespace parley::redis
