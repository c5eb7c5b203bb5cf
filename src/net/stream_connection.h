#pragma once
// Private to src/net: what the TCP and WebSocket client connections share — readiness waits and
// non-blocking reads into the io thread's buffer, the gathered write queue, the close timeout
// and the socket drop — so that each transport keeps only its framing. An idle connection owns
// no read buffer, timer or write state.
//
// Derived (CRTP, befriending this base) provides:
//   static constexpr size_t kMaxHeaderBytes;  // largest frame header it writes
//   static Frame dataFrame(Payload payload);  // a frame carrying send()/close() payloads
//   static const Payload& payloadOf(const Frame& frame);
//   static size_t encodeHeader(const Frame& frame, size_t payload_size, char* out);
//   void onStarted();                         // the socket is non-blocking; start reading
//   void onBytes(std::span<char> bytes);      // received bytes, valid during the call only
// and may replace the hooks marked "default" below.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/connection.h"
#include "net/gather_write.h"
#include "net/read_buffer.h"

namespace parley::net {

template <typename Derived, typename Frame>
class StreamConnection : public Connection, public std::enable_shared_from_this<Derived> {
 public:
  // Both transports are served by one io thread per connection: everything below except
  // send(), close() and post() runs on it.
  void start() {
    boost::system::error_code ec;
    // Reads happen only after the socket reported readable, and must never block the io thread.
    socket_.non_blocking(true, ec);
    derived().onStarted();
  }

  uint64_t id() const override { return id_; }
  const std::string& remoteAddress() const override { return remote_address_; }

  void send(Payload payload) override {
    // From the connection's own io thread (a response, a push between two of its connections)
    // the frame is queued at once: a post would cost a closure and a queue round per frame. Only
    // while no frame posted from elsewhere is still on its way, so frames keep the order of the
    // send() and close() calls.
    if (posted_frames_.load(std::memory_order_acquire) == 0 && onOwnThread()) {
      queueFrame(std::move(payload));
      return;
    }
    posted_frames_.fetch_add(1, std::memory_order_acq_rel);
    post([self = this->shared_from_this(), payload = std::move(payload)]() mutable {
      self->posted_frames_.fetch_sub(1, std::memory_order_acq_rel);
      self->queueFrame(std::move(payload));
    });
  }

  void close(Payload last_frame) override {
    posted_frames_.fetch_add(1, std::memory_order_acq_rel);
    post([self = this->shared_from_this(), last = std::move(last_frame)]() mutable {
      self->posted_frames_.fetch_sub(1, std::memory_order_acq_rel);
      if (self->closing_ || self->finished_) return;
      if (last) self->queue_.push_back(Derived::dataFrame(std::move(last)));
      self->closing_ = true;
      if (!self->batch_) self->writeNext();
    });
  }

  void post(std::function<void()> fn) override {
    boost::asio::post(socket_.get_executor(), std::move(fn));
  }

 protected:
  StreamConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                   const TransportLimits& limits)
      : socket_(std::move(socket)), id_(id), handler_(handler), limits_(limits) {
    boost::system::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    remote_address_ =
        ec ? "unknown" : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  ~StreamConnection() override = default;

  // Hooks with a default; Derived hides them to change it.
  // Whether to wait for more bytes after onBytes() (the connection is not finished).
  bool readsOn() const { return true; }
  // Reading failed (EOF, reset); the connection finishes right after.
  void onReadFailed(const boost::system::error_code&) {}
  // The queue was just taken into a write.
  void onQueueTaken() {}
  // A write completed and the connection is not finished.
  void onWritten() { writeNext(); }
  // The client did not close within close_timeout of the last frame being flushed.
  void onCloseTimeout() { finish(); }

  // What both transports share, called by Derived and by this base alike.

  // The client is not reading: its frames are let go now, and the connection is dropped from a
  // post, since send() may run inside a handler call that must not see the connection close.
  void dropNotReading() {
    const size_t unsent = queued_bytes_ + batch_unsent_bytes_;
    closing_ = true;  // nothing more is queued
    queue_ = std::vector<Frame>();
    queued_bytes_ = 0;
    post([self = this->shared_from_this(), unsent] {
      if (self->finished_) return;
      self->handler_.onNotReading(self, unsent);
      self->finish();
    });
  }

  bool onOwnThread() {
    const auto& executor = socket_.get_executor();
    const auto* own = executor.template target<boost::asio::io_context::executor_type>();
    return own != nullptr && own->running_in_this_thread();
  }

  // On the io thread: queues a data frame and makes sure a write starts at the end of this turn.
  void queueFrame(Payload payload) {
    if (closing_ || finished_) return;
    // Judged on what already waits, so that one frame of any size (a large query answer) goes
    // out; a client still not reading when the next arrives is dropped.
    if (queued_bytes_ + batch_unsent_bytes_ > limits_.max_unsent_bytes) {
      dropNotReading();
      return;
    }
    queued_bytes_ += payload ? payload->size() : 0;
    queue_.push_back(Derived::dataFrame(std::move(payload)));
    // The write starts from a post, not here: frames queued in the same turn (a login's answer
    // and its session info, a response and a push) then leave in one write.
    if (!batch_ && !flush_posted_) {
      flush_posted_ = true;
      post([self = this->shared_from_this()] {
        self->flush_posted_ = false;
        if (!self->batch_ && !self->finished_) self->writeNext();
      });
    }
  }

  void waitReadable() {
    socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                       [self = this->shared_from_this()](boost::system::error_code ec) {
                         if (self->finished_) return;
                         if (ec) {
                           self->finish();
                           return;
                         }
                         self->onReadable();
                       });
  }

  // Tells the handler the connection is open; from now on it hears onClosed() too.
  void open() {
    opened_ = true;
    handler_.onOpen(this->shared_from_this());
  }

  // Writes the queue; when it is empty, gives back the write state and, once closing, starts
  // the close timeout.
  void writeNext() {
    if (queue_.empty()) {
      // Idle again: give back the write state.
      batch_.reset();
      queue_ = std::vector<Frame>();
      if (closing_) afterFlush();
      return;
    }
    derived().onQueueTaken();
    // Most writes fit in the socket's send buffer: hand them to the kernel now, from this io
    // thread's scratch buffers, and keep no write state at all. Only what the kernel did not
    // take moves into a batch and waits for the socket (profiles showed the posted completion
    // and the batch's allocations of every write as a tenth of an io thread's time).
    static thread_local Gather scratch;
    const size_t total = gather(queue_, scratch);
    boost::system::error_code ec;
    const size_t written = socket_.write_some(ConstBufferRange(scratch.buffers), ec);
    if (ec && ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) {
      finish();
      return;
    }
    queued_bytes_ = 0;
    if (written == total) {
      queue_.clear();
      derived().onWritten();
      return;
    }
    batch_unsent_bytes_ = total - written;
    if (!batch_) batch_ = std::make_unique<WriteBatch>();
    auto& batch = *batch_;
    batch.frames.clear();
    batch.frames.swap(queue_);
    gather(batch.frames, batch.gather);
    skipWritten(batch.gather.buffers, written);
    boost::asio::async_write(
        socket_, ConstBufferRange(batch.gather.buffers),
        [self = this->shared_from_this()](boost::system::error_code ec, size_t) {
          // finish() (e.g. on the peer's EOF) may have run while this
          // write's success was already queued.
          self->batch_unsent_bytes_ = 0;
          if (ec || self->finished_) {
            self->batch_.reset();
            self->finish();
            return;
          }
          self->onWritten();
        });
  }

  // One timer at a time, allocated on first use; expiry is ignored once finished.
  void startTimer(std::chrono::milliseconds after, void (*on_expiry)(Derived&)) {
    if (!timer_) timer_ = std::make_unique<boost::asio::steady_timer>(socket_.get_executor());
    timer_->expires_after(after);
    timer_->async_wait([self = this->shared_from_this(), on_expiry](boost::system::error_code ec) {
      if (ec || self->finished_) return;
      on_expiry(*self);
    });
  }

  void finish() {
    if (finished_) return;
    finished_ = true;
    closing_ = true;
    if (timer_) timer_->cancel();
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    // The write in progress (batch_) still references its frames until its handler runs.
    queue_ = std::vector<Frame>();
    queued_bytes_ = 0;
    if (opened_) handler_.onClosed(this->shared_from_this());
  }

  // Frame headers and the buffers that interleave them with the payloads, for one write.
  struct Gather {
    std::vector<char> headers;
    std::vector<boost::asio::const_buffer> buffers;
  };

  struct WriteBatch {  // while a write waits for the socket
    std::vector<Frame> frames;
    Gather gather;
  };

  // Encodes the frames' headers into out and lists the bytes to write; returns their size.
  static size_t gather(const std::vector<Frame>& frames, Gather& out) {
    out.headers.resize(frames.size() * Derived::kMaxHeaderBytes);
    out.buffers.clear();
    size_t total = 0;
    for (size_t i = 0; i < frames.size(); ++i) {
      const Payload& payload = Derived::payloadOf(frames[i]);
      const size_t payload_size = payload ? payload->size() : 0;
      char* header = out.headers.data() + i * Derived::kMaxHeaderBytes;
      const size_t header_size = Derived::encodeHeader(frames[i], payload_size, header);
      out.buffers.emplace_back(header, header_size);
      if (payload_size > 0) out.buffers.emplace_back(boost::asio::buffer(*payload));
      total += header_size + payload_size;
    }
    return total;
  }

  // Drops the first `written` bytes from buffers.
  static void skipWritten(std::vector<boost::asio::const_buffer>& buffers, size_t written) {
    size_t whole = 0;
    while (whole < buffers.size() && buffers[whole].size() <= written) {
      written -= buffers[whole].size();
      ++whole;
    }
    buffers.erase(buffers.begin(), buffers.begin() + static_cast<std::ptrdiff_t>(whole));
    if (written > 0) buffers.front() += written;
  }

  // Derived reads and changes this state directly: it is one object split in two for reuse.
  boost::asio::ip::tcp::socket socket_;
  uint64_t id_;
  ConnectionHandler& handler_;
  TransportLimits limits_;
  std::string remote_address_;
  std::unique_ptr<WriteBatch> batch_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  std::vector<Frame> queue_;
  bool opened_ = false;  // onOpen called
  bool closing_ = false;
  bool finished_ = false;
  bool flush_posted_ = false;  // a write start is posted (send() coalesces a turn's frames)
  // send() and close() calls posted from other threads that have not run yet.
  std::atomic<uint32_t> posted_frames_{0};
  // Payload bytes in queue_, and bytes of the write in progress the socket has not taken yet:
  // together bounded by limits_.max_unsent_bytes.
  size_t queued_bytes_ = 0;
  size_t batch_unsent_bytes_ = 0;

 private:
  Derived& derived() { return static_cast<Derived&>(*this); }

  void onReadable() {
    boost::system::error_code ec;
    const auto bytes = readReady(socket_, ec);
    if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
      waitReadable();
      return;
    }
    if (ec) {
      derived().onReadFailed(ec);
      finish();
      return;
    }
    derived().onBytes(bytes);
    if (!finished_ && derived().readsOn()) waitReadable();
  }

  void afterFlush() {
    // Once only: later flushes (a pong, a WebSocket close frame) must not restart the countdown.
    if (timer_ || finished_) return;
    startTimer(std::chrono::milliseconds(limits_.close_timeout_millis),
               [](Derived& self) { self.onCloseTimeout(); });
  }
};

}  // namespace parley::net
