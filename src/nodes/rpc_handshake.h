#pragma once
// Private to src/nodes (includes Asio): reads and writes the handshake frames of rpc_auth.h
// directly on a socket, before its ByteStreamSocket starts. Reads take exactly one frame, so the
// requests a peer pipelines behind its handshake stay in the socket for the frame loop.
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "nodes/node_rpc.pb.h"
#include "nodes/rpc_frame.h"

namespace parley::nodes::detail {

// Handshake frames are a nonce, a node id and a proof: anything larger is not one.
inline constexpr size_t kMaxHandshakeFrameSize = 1024;

// done(error, frame): error empty when *frame holds the frame. The socket must outlive the read
// or be closed (which ends it with an error).
inline void asyncReadHandshakeFrame(
    boost::asio::ip::tcp::socket& socket,
    std::function<void(const std::string& error, rpc::RpcFrame& frame)> done) {
  struct Read {
    std::array<uint8_t, kRpcFrameHeaderSize> header{};
    std::string payload;
    rpc::RpcFrame frame;
    std::function<void(const std::string&, rpc::RpcFrame&)> done;
  };
  auto read = std::make_shared<Read>();
  read->done = std::move(done);
  boost::asio::async_read(
      socket, boost::asio::buffer(read->header),
      [&socket, read](boost::system::error_code ec, size_t) {
        if (ec) {
          read->done(ec == boost::asio::error::eof ? "closed by the peer" : ec.message(),
                     read->frame);
          return;
        }
        const size_t size = rpcFrameLength(read->header.data());
        if (size > kMaxHandshakeFrameSize) {
          read->done("a first frame of " + std::to_string(size) + " bytes is no handshake",
                     read->frame);
          return;
        }
        read->payload.resize(size);
        boost::asio::async_read(
            socket, boost::asio::buffer(read->payload),
            [read](boost::system::error_code ec, size_t) {
              if (ec) {
                read->done(ec == boost::asio::error::eof ? "closed by the peer" : ec.message(),
                           read->frame);
                return;
              }
              if (!read->frame.ParseFromString(read->payload) ||
                  read->frame.body_case() == rpc::RpcFrame::BODY_NOT_SET) {
                read->done("a first frame that is not an RpcFrame", read->frame);
                return;
              }
              read->done({}, read->frame);
            });
      });
}

// done(error): empty once the whole frame is written.
inline void asyncWriteHandshakeFrame(boost::asio::ip::tcp::socket& socket,
                                     const rpc::RpcFrame& frame,
                                     std::function<void(const std::string& error)> done) {
  auto bytes = std::make_shared<std::string>(encodeRpcFrame(frame));
  boost::asio::async_write(socket, boost::asio::buffer(*bytes),
                           [bytes, done = std::move(done)](boost::system::error_code ec, size_t) {
                             done(ec ? ec.message() : std::string());
                           });
}

}  // namespace parley::nodes::detail
