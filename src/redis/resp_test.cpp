#include "redis/resp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::redis {
namespace {

using State = RespParser::State;

// Every reply in `bytes`, fed `chunk` bytes at a time; stops at the first error.
std::vector<RespValue> parseAll(std::string_view bytes, size_t chunk, State* last = nullptr,
                                std::string* error = nullptr, RespLimits limits = {}) {
  RespParser parser(limits);
  std::vector<RespValue> replies;
  State state = State::kNeedMore;
  for (size_t offset = 0; offset < bytes.size() && state != State::kError; offset += chunk) {
    parser.feed(bytes.substr(offset, chunk));
    RespValue reply;
    while ((state = parser.next(&reply)) == State::kReply) replies.push_back(std::move(reply));
  }
  if (last != nullptr) *last = state;
  if (error != nullptr) *error = parser.error();
  return replies;
}

RespValue parseOne(std::string_view bytes) {
  State state;
  std::string error;
  auto replies = parseAll(bytes, bytes.size(), &state, &error);
  EXPECT_EQ(state, State::kNeedMore) << error;
  EXPECT_EQ(replies.size(), 1u);
  return replies.empty() ? RespValue::error("no reply") : replies[0];
}

std::string parseError(std::string_view bytes, RespLimits limits = {}) {
  State state;
  std::string error;
  parseAll(bytes, bytes.size(), &state, &error, limits);
  EXPECT_EQ(state, State::kError);
  return error;
}

TEST(RespParserTest, SimpleString) {
  EXPECT_EQ(parseOne("+OK\r\n"), RespValue::simpleString("OK"));
  EXPECT_EQ(parseOne("+\r\n"), RespValue::simpleString(""));
}

TEST(RespParserTest, ErrorReply) {
  const auto reply = parseOne("-NOSCRIPT No matching script. Please use EVAL.\r\n");
  EXPECT_TRUE(reply.isError());
  EXPECT_TRUE(reply.isErrorCode("NOSCRIPT"));
  EXPECT_FALSE(reply.isErrorCode("NOSCRIPTX"));
  EXPECT_FALSE(reply.isErrorCode("ERR"));
  EXPECT_TRUE(parseOne("-ERR\r\n").isErrorCode("ERR"));
}

TEST(RespParserTest, Integers) {
  EXPECT_EQ(parseOne(":0\r\n"), RespValue::fromInteger(0));
  EXPECT_EQ(parseOne(":-42\r\n"), RespValue::fromInteger(-42));
  EXPECT_EQ(parseOne(":9223372036854775807\r\n"), RespValue::fromInteger(INT64_MAX));
  EXPECT_EQ(parseOne(":-9223372036854775808\r\n"), RespValue::fromInteger(INT64_MIN));
}

TEST(RespParserTest, BulkStrings) {
  EXPECT_EQ(parseOne("$3\r\nfoo\r\n"), RespValue::bulk("foo"));
  EXPECT_EQ(parseOne("$0\r\n\r\n"), RespValue::bulk(""));
  // Binary-safe: CR, LF and NUL inside the payload are data.
  EXPECT_EQ(parseOne(std::string("$5\r\na\r\n\0b\r\n", 11)),
            RespValue::bulk(std::string("a\r\n\0b", 5)));
  EXPECT_TRUE(parseOne("$-1\r\n").isNull());
}

TEST(RespParserTest, Arrays) {
  EXPECT_EQ(parseOne("*0\r\n"), RespValue::array({}));
  EXPECT_TRUE(parseOne("*-1\r\n").isNull());
  EXPECT_EQ(parseOne("*3\r\n:1\r\n$1\r\na\r\n$-1\r\n"),
            RespValue::array({RespValue::fromInteger(1), RespValue::bulk("a"), RespValue::null()}));
  // CLUSTER SLOTS shape: arrays of arrays, with an empty array and an error inside.
  EXPECT_EQ(
      parseOne("*2\r\n*2\r\n:0\r\n*1\r\n+x\r\n*2\r\n*0\r\n-ERR e\r\n"),
      RespValue::array({RespValue::array({RespValue::fromInteger(0),
                                          RespValue::array({RespValue::simpleString("x")})}),
                        RespValue::array({RespValue::array({}), RespValue::error("ERR e")})}));
}

TEST(RespParserTest, SplitAtEveryByteGivesTheSameReplies) {
  const std::string stream =
      "+OK\r\n-ERR x\r\n:7\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n"
      "*2\r\n*3\r\n:1\r\n:2\r\n$2\r\n\r\n\r\n$3\r\nabc\r\n+PONG\r\n";
  const auto whole = parseAll(stream, stream.size());
  ASSERT_EQ(whole.size(), 9u);
  EXPECT_EQ(whole[7], RespValue::array(
                          {RespValue::array({RespValue::fromInteger(1), RespValue::fromInteger(2),
                                             RespValue::bulk("\r\n")}),
                           RespValue::bulk("abc")}));
  for (size_t chunk = 1; chunk < stream.size(); ++chunk) {
    EXPECT_EQ(parseAll(stream, chunk), whole) << "chunk " << chunk;
  }
}

TEST(RespParserTest, MergedRepliesComeOutOneByOne) {
  RespParser parser;
  parser.feed("+A\r\n+B\r\n+C");
  RespValue reply;
  ASSERT_EQ(parser.next(&reply), State::kReply);
  EXPECT_EQ(reply.str, "A");
  ASSERT_EQ(parser.next(&reply), State::kReply);
  EXPECT_EQ(reply.str, "B");
  EXPECT_EQ(parser.next(&reply), State::kNeedMore);
  parser.feed("\r");
  EXPECT_EQ(parser.next(&reply), State::kNeedMore);
  parser.feed("\n");
  ASSERT_EQ(parser.next(&reply), State::kReply);
  EXPECT_EQ(reply.str, "C");
  EXPECT_EQ(parser.buffered(), 0u);
}

TEST(RespParserTest, ManyPipelinedRepliesInOneBuffer) {
  std::string stream;
  for (int i = 0; i < 10000; ++i) appendReply(stream, RespValue::fromInteger(i));
  const auto replies = parseAll(stream, 4096);
  ASSERT_EQ(replies.size(), 10000u);
  for (int i = 0; i < 10000; ++i) EXPECT_EQ(replies[i].integer, i);
}

TEST(RespParserTest, LargeBulkArrivingInSmallReads) {
  const std::string payload(1 << 20, 'x');
  std::string stream;
  appendReply(stream, RespValue::bulk(payload));
  const auto replies = parseAll(stream, 1000);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].str, payload);
}

TEST(RespParserTest, BulkSizeLimit) {
  RespLimits limits;
  limits.max_bulk_size = 4;
  EXPECT_EQ(parseAll("$4\r\nabcd\r\n", 100, nullptr, nullptr, limits).size(), 1u);
  // Rejected on the header alone: nothing is buffered or allocated for the payload.
  EXPECT_EQ(parseError("$5\r\n", limits), "RESP bulk string of 5 bytes exceeds the limit of 4");
  EXPECT_NE(parseError("$99999999999999999999\r\n").find("malformed"), std::string::npos);
}

TEST(RespParserTest, ArraySizeLimit) {
  RespLimits limits;
  limits.max_array_size = 2;
  EXPECT_EQ(parseError("*3\r\n", limits), "RESP array of 3 elements exceeds the limit of 2");
}

TEST(RespParserTest, DepthLimit) {
  RespLimits limits;
  limits.max_depth = 3;
  EXPECT_EQ(parseAll("*1\r\n*1\r\n*1\r\n:1\r\n", 100, nullptr, nullptr, limits).size(), 1u);
  EXPECT_EQ(parseError("*1\r\n*1\r\n*1\r\n*1\r\n", limits), "RESP arrays nested deeper than 3");
  // The default limit keeps a hostile stream of nested headers from growing the stack.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "*1\r\n";
  EXPECT_EQ(parseError(deep), "RESP arrays nested deeper than 32");
}

TEST(RespParserTest, LineLimitWithOrWithoutCrlf) {
  RespLimits limits;
  limits.max_line_size = 4;
  EXPECT_EQ(parseAll("+abcd\r\n", 100, nullptr, nullptr, limits).size(), 1u);
  EXPECT_EQ(parseError("+abcde\r\n", limits), "RESP line longer than 4 bytes");
  // No CRLF yet, but already too long to ever fit.
  EXPECT_EQ(parseError("+abcdefgh", limits), "RESP line longer than 4 bytes");
  State state;
  parseAll("+abcd\r", 100, &state, nullptr, limits);
  EXPECT_EQ(state, State::kNeedMore);
}

TEST(RespParserTest, MalformedInput) {
  EXPECT_EQ(parseError("?\r\n"), "unknown RESP type byte 0x3f");
  // RESP3 types are refused: we never send HELLO 3.
  EXPECT_EQ(parseError("%1\r\n"), "unknown RESP type byte 0x25");
  EXPECT_NE(parseError(":\r\n").find("integer"), std::string::npos);
  EXPECT_NE(parseError(":12a\r\n").find("integer"), std::string::npos);
  EXPECT_NE(parseError(":+1\r\n").find("integer"), std::string::npos);
  EXPECT_NE(parseError(": 1\r\n").find("integer"), std::string::npos);
  EXPECT_NE(parseError(":99999999999999999999\r\n").find("integer"), std::string::npos);
  EXPECT_NE(parseError("$-2\r\n").find("bulk"), std::string::npos);
  EXPECT_NE(parseError("$x\r\n").find("bulk"), std::string::npos);
  EXPECT_EQ(parseError("$3\r\nfooXY"), "RESP bulk string is not followed by CRLF");
  EXPECT_NE(parseError("*-2\r\n").find("array"), std::string::npos);
  EXPECT_NE(parseError("*1\r\n:x\r\n").find("integer"), std::string::npos);
}

TEST(RespParserTest, ErrorIsStickyUntilReset) {
  RespParser parser;
  parser.feed("!\r\n+OK\r\n");
  RespValue reply;
  EXPECT_EQ(parser.next(&reply), State::kError);
  EXPECT_EQ(parser.next(&reply), State::kError);
  parser.reset();
  EXPECT_TRUE(parser.error().empty());
  parser.feed("+OK\r\n");
  EXPECT_EQ(parser.next(&reply), State::kReply);
}

TEST(RespParserTest, ResetDropsPartialReplies) {
  RespParser parser;
  parser.feed("*2\r\n:1\r\n");
  RespValue reply;
  EXPECT_EQ(parser.next(&reply), State::kNeedMore);
  parser.reset();
  parser.feed(":5\r\n");
  ASSERT_EQ(parser.next(&reply), State::kReply);
  EXPECT_EQ(reply, RespValue::fromInteger(5));
}

TEST(RespEncoderTest, CommandIsAnArrayOfBulkStrings) {
  EXPECT_EQ(encodeCommand({"SET", "k", "v"}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
  EXPECT_EQ(encodeCommand({"GET", ""}), "*2\r\n$3\r\nGET\r\n$0\r\n\r\n");
  const std::string binary("a\r\n\0", 4);
  EXPECT_EQ(encodeCommand({binary}), std::string("*1\r\n$4\r\na\r\n\0\r\n", 14));
}

TEST(RespEncoderTest, EncodedCommandParsesBackAsBulkStrings) {
  // A server reads commands with the same grammar; this checks the encoder against our parser.
  const std::vector<std::string> args{"EVALSHA", "abc", "1", "key", std::string(70000, 'v')};
  const auto replies = parseAll(encodeCommand(args), 777);
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(replies[0].elements.size(), args.size());
  for (size_t i = 0; i < args.size(); ++i) EXPECT_EQ(replies[0].elements[i].str, args[i]);
}

TEST(RespEncoderTest, ReplyRoundTrip) {
  const auto value = RespValue::array({RespValue::simpleString("OK"), RespValue::error("ERR x"),
                                       RespValue::fromInteger(-3), RespValue::bulk("b\r\n"),
                                       RespValue::null(), RespValue::array({})});
  std::string wire;
  appendReply(wire, value);
  EXPECT_EQ(parseOne(wire), value);
  EXPECT_EQ(toDebugString(value), "[\"OK\", (error) ERR x, (integer) -3, \"b\r\n\", nil, []]");
}

}  // namespace
}  // namespace parley::redis
