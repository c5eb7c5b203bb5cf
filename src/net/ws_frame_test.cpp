#include "net/ws_frame.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace parley::net {
namespace {

using State = WsFrameReader::State;

struct FrameOptions {
  bool fin = true;
  bool masked = true;
  uint8_t rsv = 0;
  int length_bytes = -1;  // force a 0/2/8-byte extended length; -1: minimal
};

std::string clientFrame(uint8_t opcode, std::string_view payload, FrameOptions options = {}) {
  std::string out;
  out.push_back(static_cast<char>((options.fin ? 0x80 : 0) | (options.rsv << 4) | opcode));
  const uint8_t mask_bit = options.masked ? 0x80 : 0;
  int length_bytes = options.length_bytes;
  if (length_bytes < 0) length_bytes = payload.size() < 126 ? 0 : payload.size() <= 0xFFFF ? 2 : 8;
  if (length_bytes == 0) {
    out.push_back(static_cast<char>(mask_bit | payload.size()));
  } else {
    out.push_back(static_cast<char>(mask_bit | (length_bytes == 2 ? 126 : 127)));
    for (int i = length_bytes - 1; i >= 0; --i) {
      out.push_back(static_cast<char>(static_cast<uint64_t>(payload.size()) >> (8 * i)));
    }
  }
  const char mask[4] = {0x12, 0x34, 0x56, 0x78};
  if (options.masked) out.append(mask, 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    out.push_back(options.masked ? static_cast<char>(payload[i] ^ mask[i & 3]) : payload[i]);
  }
  return out;
}

std::string header64(uint64_t length) {
  std::string out = {static_cast<char>(0x82), static_cast<char>(0xFF)};
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(length >> (8 * i)));
  return out;
}

struct Event {
  State state;
  std::string payload;
  bool operator==(const Event&) const = default;
};

// Feeds bytes in chunks of chunk bytes and collects every event up to the first error.
std::vector<Event> readAll(WsFrameReader& reader, std::string bytes, size_t chunk) {
  std::vector<Event> events;
  for (size_t offset = 0; offset < bytes.size(); offset += chunk) {
    reader.feed(bytes.data() + offset, std::min(chunk, bytes.size() - offset));
    std::string_view payload;
    for (;;) {
      const State state = reader.next(&payload);
      if (state == State::kNeedMore) break;
      events.push_back({state, std::string(state == State::kError ? "" : payload)});
      if (state == State::kError) return events;
    }
    // The reader must have copied what it still needs: the caller reuses its buffer.
    std::fill_n(bytes.data() + offset, std::min(chunk, bytes.size() - offset), '\xAA');
  }
  return events;
}

std::vector<Event> readAll(std::string bytes, size_t limit = 1 << 20) {
  WsFrameReader whole(limit);
  auto events = readAll(whole, bytes, bytes.size());
  WsFrameReader split(limit);
  EXPECT_EQ(readAll(split, bytes, 1), events) << "byte-at-a-time input changed the result";
  return events;
}

State firstError(std::string bytes, std::string* error = nullptr, uint16_t* code = nullptr) {
  WsFrameReader reader(1000);
  auto events = readAll(reader, bytes, bytes.size());
  if (error) *error = reader.error();
  if (code) *code = reader.closeCode();
  return events.empty() ? State::kNeedMore : events.back().state;
}

TEST(WsFrameReader, UnmasksBinaryMessages) {
  EXPECT_EQ(readAll(clientFrame(ws_opcode::kBinary, "hello") + clientFrame(ws_opcode::kBinary, "")),
            (std::vector<Event>{{State::kBinary, "hello"}, {State::kBinary, ""}}));
}

TEST(WsFrameReader, ExtendedLengths) {
  const std::string medium(300, 'm'), large(70000, 'L');
  EXPECT_EQ(
      readAll(clientFrame(ws_opcode::kBinary, medium) + clientFrame(ws_opcode::kBinary, large)),
      (std::vector<Event>{{State::kBinary, medium}, {State::kBinary, large}}));
}

TEST(WsFrameReader, ReassemblesFragmentsAroundControlFrames) {
  const std::string bytes =
      clientFrame(ws_opcode::kBinary, "ab", {.fin = false}) + clientFrame(ws_opcode::kPing, "p") +
      clientFrame(ws_opcode::kContinuation, "cd", {.fin = false}) +
      clientFrame(ws_opcode::kPong, "") + clientFrame(ws_opcode::kContinuation, "e") +
      clientFrame(ws_opcode::kBinary, "next");
  EXPECT_EQ(readAll(bytes), (std::vector<Event>{{State::kPing, "p"},
                                                {State::kPong, ""},
                                                {State::kBinary, "abcde"},
                                                {State::kBinary, "next"}}));
}

TEST(WsFrameReader, TextMessagesAreReportedWithoutPayload) {
  const std::string bytes = clientFrame(ws_opcode::kText, "hi") +
                            clientFrame(ws_opcode::kText, "a", {.fin = false}) +
                            clientFrame(ws_opcode::kContinuation, "b");
  EXPECT_EQ(readAll(bytes), (std::vector<Event>{{State::kText, ""}, {State::kText, ""}}));
}

TEST(WsFrameReader, CloseFrames) {
  EXPECT_EQ(readAll(clientFrame(ws_opcode::kClose, std::string("\x03\xE8"
                                                               "bye",
                                                               5))),
            (std::vector<Event>{{State::kClose, std::string("\x03\xE8"
                                                            "bye",
                                                            5)}}));
  EXPECT_EQ(readAll(clientFrame(ws_opcode::kClose, "")), (std::vector<Event>{{State::kClose, ""}}));
  EXPECT_EQ(firstError(clientFrame(ws_opcode::kClose, "x")), State::kError);
  EXPECT_EQ(firstError(clientFrame(ws_opcode::kClose, std::string("\x03\xED", 2))),  // 1005
            State::kError);
  EXPECT_EQ(firstError(clientFrame(ws_opcode::kClose, std::string("\x0B\xB8", 2))),  // 3000
            State::kClose);
}

TEST(WsFrameReader, HoldsNothingBetweenFrames) {
  WsFrameReader reader(1 << 20);
  std::string bytes = clientFrame(ws_opcode::kBinary, std::string(1000, 'x'));
  readAll(reader, bytes.substr(0, 500), 500);
  EXPECT_GT(reader.buffered(), 0u);
  readAll(reader, bytes.substr(500), 1000);
  EXPECT_EQ(reader.buffered(), 0u);
  bytes = clientFrame(ws_opcode::kBinary, "a", {.fin = false}) +
          clientFrame(ws_opcode::kContinuation, "b");
  EXPECT_EQ(readAll(reader, bytes, bytes.size()), (std::vector<Event>{{State::kBinary, "ab"}}));
  std::string_view payload;
  EXPECT_EQ(reader.next(&payload), State::kNeedMore);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(WsFrameReader, OversizedMessagesFailFromTheHeader) {
  std::string error;
  uint16_t code = 0;
  EXPECT_EQ(firstError(clientFrame(ws_opcode::kBinary, std::string(1001, 'x')).substr(0, 4), &error,
                       &code),
            State::kError);
  EXPECT_EQ(error, "frame exceeds the limit of 1000 bytes");
  EXPECT_EQ(code, ws_close_code::kTooBig);
  // Fragments add up.
  EXPECT_EQ(firstError(clientFrame(ws_opcode::kBinary, std::string(600, 'x'), {.fin = false}) +
                       clientFrame(ws_opcode::kContinuation, std::string(401, 'x')).substr(0, 4)),
            State::kError);
  // A 64-bit length fails before anything is allocated for it.
  WsFrameReader reader(1000);
  std::string huge = header64(uint64_t{1} << 62);
  reader.feed(huge.data(), huge.size());
  std::string_view payload;
  EXPECT_EQ(reader.next(&payload), State::kError);
  EXPECT_EQ(reader.closeCode(), ws_close_code::kTooBig);
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_EQ(firstError(clientFrame(ws_opcode::kText, std::string(1001, 'x'))), State::kError);
}

TEST(WsFrameReader, ProtocolViolations) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {clientFrame(ws_opcode::kBinary, "x", {.masked = false}), "unmasked"},
      {clientFrame(ws_opcode::kBinary, "x", {.rsv = 4}), "reserved bits"},
      {clientFrame(0x3, "x"), "reserved opcode"},
      {clientFrame(0xB, "x"), "reserved opcode"},
      {clientFrame(ws_opcode::kPing, "x", {.fin = false}), "fragmented control"},
      {clientFrame(ws_opcode::kPing, std::string(126, 'x')), "over 125"},
      {clientFrame(ws_opcode::kContinuation, "x"), "continuation frame without"},
      {clientFrame(ws_opcode::kBinary, "a", {.fin = false}) + clientFrame(ws_opcode::kBinary, "b"),
       "new message inside"},
      {clientFrame(ws_opcode::kBinary, "x", {.length_bytes = 2}), "non-minimal"},
      {clientFrame(ws_opcode::kBinary, std::string(200, 'x'), {.length_bytes = 8}), "non-minimal"},
      {header64(uint64_t{1} << 63), "63 bits"},
  };
  for (const auto& [bytes, expected] : cases) {
    std::string error;
    uint16_t code = 0;
    EXPECT_EQ(firstError(bytes, &error, &code), State::kError) << expected;
    EXPECT_EQ(error.rfind("websocket: ", 0), 0u) << error;
    EXPECT_NE(error.find(expected), std::string::npos) << error;
    EXPECT_EQ(code, ws_close_code::kProtocolError) << expected;
  }
}

TEST(WsFrameReader, StaysFailed) {
  WsFrameReader reader(1000);
  std::string bytes = clientFrame(ws_opcode::kBinary, "x", {.masked = false});
  reader.feed(bytes.data(), bytes.size());
  std::string_view payload;
  EXPECT_EQ(reader.next(&payload), State::kError);
  EXPECT_EQ(reader.next(&payload), State::kError);
}

TEST(WsFrameHeader, UsesTheShortestLength) {
  char out[kWsMaxServerHeaderBytes];
  EXPECT_EQ(encodeWsFrameHeader(ws_opcode::kBinary, 0, out), 2u);
  EXPECT_EQ(std::string(out, 2), std::string("\x82\x00", 2));
  EXPECT_EQ(encodeWsFrameHeader(ws_opcode::kBinary, 125, out), 2u);
  EXPECT_EQ(static_cast<uint8_t>(out[1]), 125);
  EXPECT_EQ(encodeWsFrameHeader(ws_opcode::kBinary, 126, out), 4u);
  EXPECT_EQ(std::string(out, 4), std::string("\x82\x7E\x00\x7E", 4));
  EXPECT_EQ(encodeWsFrameHeader(ws_opcode::kClose, 65535, out), 4u);
  EXPECT_EQ(std::string(out, 4), std::string("\x88\x7E\xFF\xFF", 4));
  EXPECT_EQ(encodeWsFrameHeader(ws_opcode::kBinary, 65536, out), 10u);
  EXPECT_EQ(std::string(out, 10), std::string("\x82\x7F\x00\x00\x00\x00\x00\x01\x00\x00", 10));
}

}  // namespace
}  // namespace parley::net
