#pragma once
// RESP2, the Redis wire protocol: an incremental reply parser and a command encoder. Pure (no
// sockets, no Asio) so that it can be unit-tested and fuzzed; replies come from the network, so
// every length is checked against a limit before anything is allocated for it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley::redis {

enum class RespType : uint8_t {
  kSimpleString,  // +OK
  kError,         // -ERR ...
  kInteger,       // :42
  kBulkString,    // $3 foo
  kArray,         // *2 ...
  kNull,          // $-1 or *-1: RESP2's two nils mean the same to every caller, as in hiredis
};

struct RespValue {
  RespType type = RespType::kNull;
  std::string str;  // kSimpleString, kError, kBulkString
  int64_t integer = 0;
  std::vector<RespValue> elements;  // kArray

  static RespValue simpleString(std::string text);
  static RespValue error(std::string message);
  static RespValue fromInteger(int64_t value);
  static RespValue bulk(std::string bytes);
  static RespValue array(std::vector<RespValue> elements);
  static RespValue null() { return {}; }

  bool isError() const { return type == RespType::kError; }
  bool isNull() const { return type == RespType::kNull; }
  // True for an error reply whose code (first word) is `code`, e.g. "NOSCRIPT", "MOVED".
  bool isErrorCode(std::string_view code) const;

  bool operator==(const RespValue&) const = default;
};

// For logs and test failure messages: `"OK"`, `(error) ERR x`, `(integer) 3`, `[1, "a"]`, `nil`.
std::string toDebugString(const RespValue& value);

struct RespLimits {
  // Redis's own proto-max-bulk-len default; a larger reply means a corrupt or hostile stream.
  size_t max_bulk_size = 512u * 1024 * 1024;
  size_t max_array_size = 64u * 1024 * 1024;
  // Deepest Redis reply we use is CLUSTER SLOTS (3); the limit bounds the parser's stack.
  size_t max_depth = 32;
  // Simple strings, errors and numbers are short; without a limit a stream that never sends CRLF
  // would be buffered forever.
  size_t max_line_size = 64u * 1024;
};

// Incremental reply parser: feed bytes as they arrive, then take complete replies. A partly
// received array is kept on an explicit stack, so a large reply arriving in many reads is parsed
// once, not once per read.
class RespParser {
 public:
  enum class State { kNeedMore, kReply, kError };

  explicit RespParser(RespLimits limits = {}) : limits_(limits) {}

  // Appends received bytes to the internal buffer.
  void feed(std::string_view bytes);

  // kReply: *reply holds the next complete reply. kError: the stream is malformed or over a limit
  // (error() says which); the state is sticky and the connection must be dropped.
  State next(RespValue* reply);

  const std::string& error() const { return error_; }
  size_t buffered() const { return buffer_.size() - consumed_; }
  // Forgets buffered bytes, partial replies and a previous error (for a new connection).
  void reset();

 private:
  struct Frame {
    RespValue array;
    size_t remaining = 0;
  };
  enum class Step { kValue, kArrayOpened, kNeedMore, kError };

  // Parses one item at consumed_; a scalar (or empty/null array) goes to *value.
  Step parseItem(RespValue* value);
  // Finds the CRLF ending the line that starts at `from`; npos when it has not arrived yet.
  size_t findLineEnd(size_t from);
  bool fail(std::string message);
  void compact();

  RespLimits limits_;
  std::string buffer_;
  size_t consumed_ = 0;   // bytes of buffer_ already parsed; compacted lazily
  size_t scan_from_ = 0;  // where the search for the current line's CRLF resumes
  std::vector<Frame> stack_;
  std::string error_;
};

// Appends a command as RESP2 sends it: an array of bulk strings. Binary-safe.
void appendCommand(std::string& out, const std::vector<std::string>& args);
// The two halves of appendCommand, for callers that build a command from several vectors
// without copying them into one.
void appendArrayHeader(std::string& out, size_t count);
void appendBulkString(std::string& out, std::string_view bytes);
std::string encodeCommand(const std::vector<std::string>& args);

// Appends the wire form of a reply (a null is written as the null bulk string). Used by tests,
// the fuzz target's round-trip check, and fake servers.
void appendReply(std::string& out, const RespValue& value);

}  // namespace parley::redis
