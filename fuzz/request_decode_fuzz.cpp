// Decodes arbitrary frames as the gateway does (varint framing, then TurmsRequest) and checks
// that whatever decodes re-encodes and decodes to the same message.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "net/varint_frame.h"
#include "turms/turms_request.pb.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  parley::net::VarintFrameDecoder decoder(16 * 1024);
  decoder.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string_view payload;
  while (decoder.next(&payload) == parley::net::VarintFrameDecoder::State::kFrame) {
    im::turms::proto::TurmsRequest request;
    if (!request.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) continue;
    std::string encoded;
    if (!request.SerializeToString(&encoded)) std::abort();
    im::turms::proto::TurmsRequest again;
    if (!again.ParseFromString(encoded)) std::abort();
    std::string reencoded;
    again.SerializeToString(&reencoded);
    if (reencoded != encoded) std::abort();
  }
  return 0;
}
