#include "net/varint_frame.h"

#include <gtest/gtest.h>

#include <vector>

namespace parley::net {
namespace {

std::string frame(std::string_view payload) {
  std::string out;
  appendVarint32(out, static_cast<uint32_t>(payload.size()));
  out.append(payload);
  return out;
}

std::vector<std::string> drain(VarintFrameDecoder& decoder) {
  std::vector<std::string> frames;
  std::string_view payload;
  while (decoder.next(&payload) == VarintFrameDecoder::State::kFrame) {
    frames.emplace_back(payload);
  }
  return frames;
}

TEST(Varint, EncodesLikeProtobuf) {
  std::string out;
  appendVarint32(out, 0);
  EXPECT_EQ(out, std::string("\x00", 1));
  out.clear();
  appendVarint32(out, 300);
  EXPECT_EQ(out, "\xAC\x02");
  out.clear();
  appendVarint32(out, 0xFFFFFFFFu);
  EXPECT_EQ(out, "\xFF\xFF\xFF\xFF\x0F");
}

TEST(VarintFrameDecoder, MergedFramesComeOutOneByOne) {
  VarintFrameDecoder decoder(1024);
  decoder.feed(frame("abc") + frame("") + frame("defg"));
  EXPECT_EQ(drain(decoder), (std::vector<std::string>{"abc", "", "defg"}));
}

TEST(VarintFrameDecoder, SplitFramesWaitForTheRest) {
  VarintFrameDecoder decoder(100000);
  std::string payload(300, 'x');  // two-byte length prefix
  std::string bytes = frame(payload) + frame("z");
  std::vector<std::string> frames;
  for (char c : bytes) {  // worst case: one byte at a time, splitting the varint too
    decoder.feed(std::string_view(&c, 1));
    for (auto& f : drain(decoder)) frames.push_back(f);
  }
  EXPECT_EQ(frames, (std::vector<std::string>{payload, "z"}));
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(VarintFrameDecoder, EmptyFrameIsAHeartbeat) {
  VarintFrameDecoder decoder(16);
  decoder.feed(std::string("\x00", 1));
  std::string_view payload = "not empty";
  ASSERT_EQ(decoder.next(&payload), VarintFrameDecoder::State::kFrame);
  EXPECT_TRUE(payload.empty());
}

TEST(VarintFrameDecoder, SixByteVarintIsAnError) {
  VarintFrameDecoder decoder(16);
  decoder.feed("\x80\x80\x80\x80\x80\x01");
  std::string_view payload;
  EXPECT_EQ(decoder.next(&payload), VarintFrameDecoder::State::kError);
  EXPECT_NE(decoder.error().find("5 bytes"), std::string::npos);
}

TEST(VarintFrameDecoder, FiveByteVarintIsAccepted) {
  VarintFrameDecoder decoder(16);
  decoder.feed(
      std::string("\x83\x80\x80\x80\x00"
                  "abc",
                  8));  // 3, padded to five bytes
  std::string_view payload;
  ASSERT_EQ(decoder.next(&payload), VarintFrameDecoder::State::kFrame);
  EXPECT_EQ(payload, "abc");
}

TEST(VarintFrameDecoder, OversizedFrameIsAnErrorBeforeItsBodyArrives) {
  VarintFrameDecoder decoder(16);
  decoder.feed(frame(std::string(17, 'x')).substr(0, 1));
  std::string_view payload;
  EXPECT_EQ(decoder.next(&payload), VarintFrameDecoder::State::kError);
  EXPECT_NE(decoder.error().find("exceeds"), std::string::npos);
}

TEST(VarintFrameDecoder, LengthAboveInt32IsAnError) {
  VarintFrameDecoder decoder(1u << 31);
  decoder.feed("\xFF\xFF\xFF\xFF\x0F");
  std::string_view payload;
  EXPECT_EQ(decoder.next(&payload), VarintFrameDecoder::State::kError);
}

TEST(VarintFrameDecoder, PartialVarintNeedsMore) {
  VarintFrameDecoder decoder(100000);
  decoder.feed("\xAC");
  std::string_view payload;
  EXPECT_EQ(decoder.next(&payload), VarintFrameDecoder::State::kNeedMore);
  decoder.feed("\x02");
  EXPECT_EQ(decoder.next(&payload), VarintFrameDecoder::State::kNeedMore);
}

}  // namespace
}  // namespace parley::net
