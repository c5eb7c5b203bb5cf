#include "net/read_buffer.h"

#include <boost/asio/buffer.hpp>
#include <memory>

namespace parley::net {

namespace {
// Large enough that one read usually takes everything a busy client sent since the last one.
constexpr size_t kReadBufferBytes = 64 * 1024;
}  // namespace

std::span<char> readReady(boost::asio::ip::tcp::socket& socket, boost::system::error_code& ec) {
  thread_local std::unique_ptr<char[]> buffer;
  if (!buffer) buffer = std::make_unique<char[]>(kReadBufferBytes);
  const size_t n = socket.read_some(boost::asio::buffer(buffer.get(), kReadBufferBytes), ec);
  if (ec) return {};
  return {buffer.get(), n};
}

}  // namespace parley::net
