// The node-to-node frame codec: round trips, frames split across reads, and the ways a peer's
// bytes can be bad (oversized, not protobuf, no body).
#include "nodes/rpc_frame.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::nodes {
namespace {

rpc::RpcFrame pushFrame() {
  rpc::RpcFrame frame;
  auto* push = frame.mutable_push();
  push->add_user_ids(1);
  push->add_user_ids(-2);
  push->add_user_ids(int64_t{1} << 62);
  push->set_notification(std::string("\x00\x01notification\xff", 15));
  push->set_except_user_id(7);
  push->set_except_device_type(3);
  return frame;
}

TEST(RpcFrameTest, RoundTripsAPushWithItsExactBytes) {
  const auto frame = pushFrame();
  const std::string wire = encodeRpcFrame(frame);
  ASSERT_EQ(wire.size(), kRpcFrameHeaderSize + frame.ByteSizeLong());
  // Big-endian length prefix.
  const size_t size = frame.ByteSizeLong();
  EXPECT_EQ(static_cast<uint8_t>(wire[0]), (size >> 24) & 0xff);
  EXPECT_EQ(static_cast<uint8_t>(wire[3]), size & 0xff);

  RpcFrameDecoder decoder;
  decoder.feed(wire);
  rpc::RpcFrame decoded;
  ASSERT_EQ(decoder.next(&decoded), RpcFrameDecoder::State::kFrame);
  ASSERT_TRUE(decoded.has_push());
  EXPECT_EQ(decoded.push().notification(), frame.push().notification());
  ASSERT_EQ(decoded.push().user_ids_size(), 3);
  EXPECT_EQ(decoded.push().user_ids(1), -2);
  EXPECT_EQ(decoded.push().user_ids(2), int64_t{1} << 62);
  EXPECT_EQ(decoded.push().except_user_id(), 7);
  EXPECT_EQ(decoded.push().except_device_type(), 3);
  EXPECT_EQ(decoder.next(&decoded), RpcFrameDecoder::State::kNeedMore);
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(RpcFrameTest, DecodesFramesFedOneByteAtATime) {
  rpc::RpcFrame close;
  close.set_request_id(42);
  close.mutable_close_sessions()->set_user_id(9);
  close.mutable_close_sessions()->add_device_types(2);
  close.mutable_close_sessions()->set_reason("replaced");
  rpc::RpcFrame response;
  response.set_request_id(42);
  response.mutable_response()->set_code(1000);
  std::string wire = encodeRpcFrame(close);
  appendRpcFrame(wire, pushFrame());
  appendRpcFrame(wire, response);

  RpcFrameDecoder decoder;
  std::vector<rpc::RpcFrame> frames;
  for (char byte : wire) {
    decoder.feed(std::string_view(&byte, 1));
    rpc::RpcFrame frame;
    while (decoder.next(&frame) == RpcFrameDecoder::State::kFrame) frames.push_back(frame);
  }
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].request_id(), 42);
  EXPECT_EQ(frames[0].close_sessions().reason(), "replaced");
  EXPECT_TRUE(frames[1].has_push());
  EXPECT_EQ(frames[2].response().code(), 1000);
}

TEST(RpcFrameTest, RejectsAnOversizedLengthBeforeItsBytesArrive) {
  RpcFrameDecoder decoder(1024);
  decoder.feed(std::string("\x00\x00\x04\x01", 4));  // 1025 bytes announced
  rpc::RpcFrame frame;
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kError);
  EXPECT_NE(decoder.error().find("exceeds"), std::string::npos);
  // Sticky: the connection must go.
  decoder.feed(encodeRpcFrame(pushFrame()));
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kError);
}

TEST(RpcFrameTest, AcceptsAFrameOfExactlyTheLimit) {
  const auto frame = pushFrame();
  RpcFrameDecoder decoder(frame.ByteSizeLong());
  decoder.feed(encodeRpcFrame(frame));
  rpc::RpcFrame decoded;
  EXPECT_EQ(decoder.next(&decoded), RpcFrameDecoder::State::kFrame);
}

TEST(RpcFrameTest, RejectsBytesThatAreNotAnRpcFrame) {
  RpcFrameDecoder decoder;
  // Field 1 announced as a length-delimited field longer than the payload.
  decoder.feed(std::string("\x00\x00\x00\x03\x0a\x7f\x01", 7));
  rpc::RpcFrame frame;
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kError);
}

TEST(RpcFrameTest, RejectsAFrameWithoutABody) {
  rpc::RpcFrame empty;
  empty.set_request_id(5);
  RpcFrameDecoder decoder;
  decoder.feed(encodeRpcFrame(empty));
  rpc::RpcFrame frame;
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kError);
  EXPECT_EQ(decoder.error(), "frame without a body");
}

TEST(RpcFrameTest, WaitsForAnIncompleteHeaderOrPayload) {
  const std::string wire = encodeRpcFrame(pushFrame());
  RpcFrameDecoder decoder;
  rpc::RpcFrame frame;
  decoder.feed(wire.substr(0, 3));
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kNeedMore);
  decoder.feed(wire.substr(3, wire.size() - 4));
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kNeedMore);
  decoder.feed(wire.substr(wire.size() - 1));
  EXPECT_EQ(decoder.next(&frame), RpcFrameDecoder::State::kFrame);
}

}  // namespace
}  // namespace parley::nodes
