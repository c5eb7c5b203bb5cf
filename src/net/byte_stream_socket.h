#pragma once
// The read and write loops of a TCP connection that streams frames both ways, shared by the
// node-to-node RPC server and clients and by the Redis client. (The client connections have a
// loop of their own, stream_connection.h: readiness-based reads into the io thread's buffer and
// writes handed to the kernel inline, so that an idle client connection owns no buffer; these
// few long-lived connections keep a read buffer each.) Includes Asio: for .cpp files only.
//
// Everything runs on the socket's executor (a strand, or an io_context run by one thread): the
// owner calls from there and the hooks are called there. One write is in flight at a time and
// takes everything queued meanwhile (up to max_items_per_write items), so frames submitted while
// a write runs leave together. close() ends both loops: completions of a socket that was closed,
// and perhaps connected again since, find their generation changed and do nothing.
//
// With useTls() every connection started afterwards carries TLS (tls_engine.h): the hooks see
// plaintext, items are encrypted as they are taken into a write, and items wait while the
// handshake runs.
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/gather_write.h"
#include "net/tls_context.h"
#include "net/tls_engine.h"

namespace parley::net {

// Item is what is queued for writing: bufferOf(item) (found by argument-dependent lookup, or the
// overloads below) gives its bytes, valid while the item lives.
inline boost::asio::const_buffer bufferOf(const std::string& bytes) {
  return boost::asio::buffer(bytes);
}
inline boost::asio::const_buffer bufferOf(const std::shared_ptr<const std::string>& bytes) {
  return boost::asio::buffer(*bytes);
}

template <typename Item>
class ByteStreamSocket {
 public:
  struct Hooks {
    // Bytes read, valid during the call. Returns false when it closed the socket.
    std::function<bool(std::string_view bytes)> on_bytes;
    // Reading or writing failed (EOF included); the socket is still open: the owner decides.
    std::function<void(const std::string& why)> on_failed;
    // A batch reached the kernel completely.
    std::function<void(std::vector<Item>& written)> on_written;
  };

  // A socket to connect later (on executor), or one already connected (accepted).
  template <typename Executor>
  ByteStreamSocket(const Executor& executor, size_t read_chunk, size_t max_items_per_write)
      : socket_(executor), read_buffer_(read_chunk), max_items_(max_items_per_write) {}
  ByteStreamSocket(boost::asio::ip::tcp::socket socket, size_t read_chunk,
                   size_t max_items_per_write)
      : socket_(std::move(socket)), read_buffer_(read_chunk), max_items_(max_items_per_write) {}

  boost::asio::ip::tcp::socket& socket() { return socket_; }

  // TLS on the connections started from now on; null = plaintext. The client role checks the
  // server's certificate against server_name when it is not empty.
  void useTls(std::shared_ptr<const TlsContext> context, TlsEngine::Role role,
              std::string server_name = {}) {
    tls_context_ = std::move(context);
    tls_role_ = role;
    tls_server_name_ = std::move(server_name);
  }

  // On a connected socket: reads, and writes what is queued and what comes. owner is the object
  // that holds this one: a completion that finds it gone does nothing.
  void start(Hooks hooks, std::weak_ptr<void> owner) {
    hooks_ = std::move(hooks);
    owner_ = std::move(owner);
    open_ = true;
    tls_.reset();
    if (tls_context_) {
      tls_ = std::make_unique<TlsEngine>(*tls_context_, tls_role_, tls_server_name_);
      if (tls_role_ == TlsEngine::Role::kClient) tls_->startHandshake();
    }
    readNext();
    flush();
  }

  // Queued behind what waits; written in order while the socket is open.
  void write(Item item) {
    queue_.push_back(std::move(item));
    flush();
  }

  std::deque<Item>& queue() { return queue_; }
  bool isOpen() const { return open_; }

  // Closes the socket and ends both loops. Returns the items of the write in flight: they may or
  // may not have reached the peer. Queued items stay queued for the next start().
  std::vector<Item> close() {
    ++generation_;
    open_ = false;
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    std::vector<Item> lost;
    if (writing_) lost = std::move(writing_->items);
    writing_.reset();
    return lost;
  }

 private:
  struct Batch {
    std::vector<Item> items;
    std::vector<boost::asio::const_buffer> buffers;
    std::string ciphertext;  // with TLS: what buffers point to
  };

  void readNext() {
    socket_.async_read_some(
        boost::asio::buffer(read_buffer_), [this, owner = owner_, generation = generation_](
                                               boost::system::error_code ec, size_t size) {
          const auto alive = owner.lock();
          if (!alive || generation != generation_) return;
          if (ec) {
            hooks_.on_failed(ec == boost::asio::error::eof ? "closed by the peer" : ec.message());
            return;
          }
          if (tls_) {
            onCiphertext(std::string_view(read_buffer_.data(), size), generation);
            return;
          }
          if (!hooks_.on_bytes(std::string_view(read_buffer_.data(), size))) return;
          if (generation == generation_) readNext();
        });
  }

  void onCiphertext(std::string_view ciphertext, uint64_t generation) {
    bool owner_reading = true;
    const auto result = tls_->feed(ciphertext, [&](std::span<char> plain) {
      owner_reading = hooks_.on_bytes(std::string_view(plain.data(), plain.size()));
      return owner_reading && generation == generation_;
    });
    if (!owner_reading || generation != generation_) return;
    if (result == TlsEngine::FeedResult::kFailed) {
      hooks_.on_failed("TLS: " + tls_->error());
      return;
    }
    if (result == TlsEngine::FeedResult::kPeerClosed) {
      hooks_.on_failed("closed by the peer");
      return;
    }
    flush();  // handshake records, and items that waited for the handshake
    if (generation == generation_) readNext();
  }

  // Takes queued items into writing_ (at most max_items_; with TLS, only once the handshake is
  // done, and the session's records with them); false when there is nothing to write.
  bool takeBatch() {
    const bool take_items = !queue_.empty() && (!tls_ || tls_->established());
    if (!take_items && !(tls_ && !tls_->output().empty())) return false;
    writing_ = std::make_shared<Batch>();
    while (take_items && !queue_.empty() && writing_->items.size() < max_items_) {
      writing_->items.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    if (!tls_) {
      for (const Item& item : writing_->items) writing_->buffers.push_back(bufferOf(item));
      return true;
    }
    for (const Item& item : writing_->items) {
      const boost::asio::const_buffer bytes = bufferOf(item);
      tls_->encrypt(std::string_view(static_cast<const char*>(bytes.data()), bytes.size()));
    }
    writing_->ciphertext = std::move(tls_->output());
    tls_->output().clear();
    writing_->buffers.push_back(boost::asio::buffer(writing_->ciphertext));
    return true;
  }

  void flush() {
    // writing_ is owned by the handler too: its buffers must outlive the write even if close()
    // comes first.
    if (!open_ || writing_ || !takeBatch()) return;
    boost::asio::async_write(socket_, ConstBufferRange(writing_->buffers),
                             [this, owner = owner_, batch = writing_, generation = generation_](
                                 boost::system::error_code ec, size_t) {
                               const auto alive = owner.lock();
                               if (!alive || generation != generation_) return;
                               writing_.reset();
                               if (ec) {
                                 // Handed back as lost by the owner's close().
                                 writing_ = batch;
                                 hooks_.on_failed("write failed: " + ec.message());
                                 return;
                               }
                               hooks_.on_written(batch->items);
                               if (generation == generation_) flush();
                             });
  }

  boost::asio::ip::tcp::socket socket_;
  std::shared_ptr<const TlsContext> tls_context_;  // null: plaintext
  TlsEngine::Role tls_role_ = TlsEngine::Role::kClient;
  std::string tls_server_name_;
  std::unique_ptr<TlsEngine> tls_;  // the current connection's session
  std::vector<char> read_buffer_;
  const size_t max_items_;
  Hooks hooks_;
  std::weak_ptr<void> owner_;
  std::deque<Item> queue_;
  std::shared_ptr<Batch> writing_;
  uint64_t generation_ = 0;
  bool open_ = false;
};

}  // namespace parley::net
