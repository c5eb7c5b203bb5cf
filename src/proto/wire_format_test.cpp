// Pins our schema to the bytes real Turms clients put on the wire. The reference strings were
// produced by the generated TypeScript code of turms-client-js (its protobuf encoding of the same
// requests).

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <vector>

#include "turms/turms_notification.pb.h"
#include "turms/turms_request.pb.h"

namespace im::turms::proto {
namespace {

constexpr int64_t kTimestamp = 1700000000000;

std::string Bytes(std::initializer_list<uint8_t> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// Encodes `message` and checks the bytes, then decodes the bytes and checks the result equals
// `message` field for field, presence included.
template <typename Message>
void ExpectWireBytes(const Message& message, const std::string& expected) {
  std::string encoded;
  ASSERT_TRUE(message.SerializeToString(&encoded));
  EXPECT_EQ(Hex(encoded), Hex(expected));

  Message decoded;
  ASSERT_TRUE(decoded.ParseFromString(expected));
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(decoded, message))
      << "decoded: " << decoded.ShortDebugString() << "\nexpected: " << message.ShortDebugString();
}

TEST(WireFormatTest, CreateSessionRequest) {
  TurmsRequest request;
  request.set_request_id(42);
  CreateSessionRequest* login = request.mutable_create_session_request();
  login->set_version(1);
  login->set_user_id(1);
  login->set_password("123");
  login->set_user_status(AVAILABLE);
  login->set_device_type(DESKTOP);
  const std::string wire = Bytes(
      {0x08, 0x2a, 0x1a, 0x0b, 0x08, 0x01, 0x10, 0x01, 0x1a, 0x03, 0x31, 0x32, 0x33, 0x20, 0x00});
  ExpectWireBytes(request, wire);

  TurmsRequest decoded;
  ASSERT_TRUE(decoded.ParseFromString(wire));
  ASSERT_EQ(decoded.kind_case(), TurmsRequest::kCreateSessionRequest);
  // user_status has explicit presence, so an explicit AVAILABLE (0) survives the round trip;
  // device_type does not, and DESKTOP is simply absent.
  EXPECT_TRUE(decoded.create_session_request().has_user_status());
  EXPECT_EQ(decoded.create_session_request().device_type(), DESKTOP);
  EXPECT_TRUE(decoded.create_session_request().has_password());
  EXPECT_FALSE(decoded.create_session_request().has_location());
}

TEST(WireFormatTest, DeleteSessionRequest) {
  TurmsRequest request;
  request.set_request_id(43);
  request.mutable_delete_session_request();
  ExpectWireBytes(request, Bytes({0x08, 0x2b, 0x22, 0x00}));
}

TEST(WireFormatTest, LoginResponse) {
  TurmsNotification response;
  response.set_timestamp(kTimestamp);
  response.set_request_id(42);
  response.set_code(1000);
  ExpectWireBytes(response,
                  Bytes({0x08, 0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31, 0x20, 0x2a, 0x28, 0xe8, 0x07}));
}

TEST(WireFormatTest, SessionInfoPush) {
  TurmsNotification push;
  push.set_timestamp(kTimestamp);
  UserSession* session = push.mutable_data()->mutable_user_session();
  session->set_session_id("7");
  session->set_server_id("gw1");
  ExpectWireBytes(push, Bytes({0x08, 0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31, 0x3a, 0x0a, 0x42, 0x08,
                               0x0a, 0x01, 0x37, 0x12, 0x03, 0x67, 0x77, 0x31}));
}

TEST(WireFormatTest, CloseNotification) {
  TurmsNotification close;
  close.set_timestamp(kTimestamp);
  close.set_close_status(501);
  close.set_code(2102);
  ExpectWireBytes(
      close, Bytes({0x08, 0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31, 0x28, 0xb6, 0x10, 0x58, 0xf5, 0x03}));
}

TEST(WireFormatTest, LongDataResponse) {
  TurmsNotification response;
  response.set_timestamp(kTimestamp);
  response.set_request_id(44);
  response.set_code(1000);
  response.mutable_data()->set_long_(12345);
  ExpectWireBytes(response, Bytes({0x08, 0x80, 0xd0, 0x95, 0xff, 0xbc, 0x31, 0x20, 0x2c, 0x28, 0xe8,
                                   0x07, 0x3a, 0x03, 0x08, 0xb9, 0x60}));
}

std::vector<int> Range(int first, int last) {
  std::vector<int> numbers;
  for (int n = first; n <= last; ++n) numbers.push_back(n);
  return numbers;
}

std::set<int> Union(std::initializer_list<std::vector<int>> parts) {
  std::set<int> all;
  for (const auto& part : parts) all.insert(part.begin(), part.end());
  return all;
}

std::set<int> KindFieldNumbers(const google::protobuf::Descriptor* descriptor) {
  EXPECT_EQ(descriptor->real_oneof_decl_count(), 1);
  const google::protobuf::OneofDescriptor* kind = descriptor->FindOneofByName("kind");
  EXPECT_NE(kind, nullptr);
  std::set<int> numbers;
  if (kind == nullptr) return numbers;
  EXPECT_FALSE(kind->is_synthetic());
  for (int i = 0; i < kind->field_count(); ++i) numbers.insert(kind->field(i)->number());
  return numbers;
}

TEST(WireFormatTest, TurmsRequestKindsMatchUpstream) {
  const std::set<int> expected = Union(
      {Range(3, 14), Range(100, 108), Range(200, 212), Range(300, 305), Range(400, 403),
       Range(500, 512), Range(900, 904), Range(1000, 1004), Range(1100, 1102), Range(1200, 1201)});
  EXPECT_EQ(KindFieldNumbers(TurmsRequest::descriptor()), expected);
}

TEST(WireFormatTest, TurmsNotificationDataKindsMatchUpstream) {
  const std::set<int> expected = Union({Range(1, 20), {40, 50, 200, 400}});
  EXPECT_EQ(KindFieldNumbers(TurmsNotification::Data::descriptor()), expected);
}

TEST(WireFormatTest, EnvelopeFieldNumbers) {
  auto numbers = [](const google::protobuf::Descriptor* descriptor) {
    std::set<int> result;
    for (int i = 0; i < descriptor->field_count(); ++i) {
      result.insert(descriptor->field(i)->number());
    }
    return result;
  };
  EXPECT_EQ(numbers(TurmsNotification::descriptor()),
            (std::set<int>{1, 2, 4, 5, 6, 7, 10, 11, 12}));
  // Request envelope: request_id, custom_attributes, then the kinds.
  std::set<int> request = KindFieldNumbers(TurmsRequest::descriptor());
  request.insert({1, 2});
  EXPECT_EQ(numbers(TurmsRequest::descriptor()), request);
}

}  // namespace
}  // namespace im::turms::proto
