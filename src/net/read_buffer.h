#pragma once
// Private to src/net: connections wait for readability and then read into their io thread's
// buffer, so an idle connection owns no read buffer; the frame decoders keep only the bytes of
// an incomplete frame.
#include <boost/asio/ip/tcp.hpp>
#include <span>

namespace parley::net {

// Reads what the (non-blocking) socket has ready into the calling io thread's buffer. The bytes
// may be modified and are valid until the calling completion handler returns. Empty with
// ec == would_block when nothing was ready; empty with ec set at EOF or on an error.
std::span<char> readReady(boost::asio::ip::tcp::socket& socket, boost::system::error_code& ec);

}  // namespace parley::net
