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
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/gather_write.h"

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

  // On a connected socket: reads, and writes what is queued and what comes. owner is the object
  // that holds this one: a completion that finds it gone does nothing.
  void start(Hooks hooks, std::weak_ptr<void> owner) {
    hooks_ = std::move(hooks);
    owner_ = std::move(owner);
    open_ = true;
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
          if (!hooks_.on_bytes(std::string_view(read_buffer_.data(), size))) return;
          if (generation == generation_) readNext();
        });
  }

  void flush() {
    if (!open_ || writing_ || queue_.empty()) return;
    // Owned by the handler too: its buffers must outlive the write even if close() comes first.
    writing_ = std::make_shared<Batch>();
    while (!queue_.empty() && writing_->items.size() < max_items_) {
      writing_->items.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    for (const Item& item : writing_->items) writing_->buffers.push_back(bufferOf(item));
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
