#pragma once
// Private to src/net: what the TCP and WebSocket client connections share — readiness waits and
// non-blocking reads into the io thread's buffer, the gathered write queue, the close timeout
// and the socket drop — so that each transport keeps only its framing. An idle connection owns
// no read buffer, timer or write state.
//
// With a TLS context the same loops carry TLS (tls_engine.h): ciphertext read on readiness is fed
// to the session and Derived sees only plaintext; frames are gathered as before, encrypted
// together and the records written the same way. Derived writes outside the queue only through
// sendNow() and writeAnswer(), which encrypt too.
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
#include <string_view>
#include <utility>
#include <vector>

#include "net/connection.h"
#include "net/gather_write.h"
#include "net/read_buffer.h"
#include "net/tls_engine.h"

namespace parley::net {

// A client's TLS session failed (a bad handshake, plaintext on a TLS port, a broken record).
void logTlsFailure(std::string_view transport, const std::string& remote_address,
                   const std::string& error);

template <typename Derived, typename Frame>
class StreamConnection : public Connection, public std::enable_shared_from_this<Derived> {
 public:
  // Both transports are served by one io thread per connection: everything below except
  // send(), close() and post() runs on it.
  void start() {
    // With TLS the first bytes are the client's hello: Derived starts as usual and its reads
    // see plaintext once the handshake is done.
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
  // tls: null for plaintext.
  StreamConnection(boost::asio::ip::tcp::socket socket, uint64_t id, ConnectionHandler& handler,
                   const TransportLimits& limits, const TlsContext* tls)
      : socket_(std::move(socket)), id_(id), handler_(handler), limits_(limits) {
    if (tls != nullptr) tls_ = std::make_unique<Tls>(*tls);
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

  // At most one wait is armed, whoever asks: with TLS, Derived may resume reading (the
  // WebSocket 101 written) inside the turn that then asks again.
  void waitReadable() {
    if (tls_ && tls_->engine.hasUnread()) {
      // Records that arrived while Derived was not reading: the socket may never become
      // readable for them again.
      if (unread_posted_) return;
      unread_posted_ = true;
      post([self = this->shared_from_this()] {
        self->unread_posted_ = false;
        if (!self->finished_) self->onCiphertext({});
      });
      return;
    }
    if (wait_armed_) return;
    wait_armed_ = true;
    socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                       [self = this->shared_from_this()](boost::system::error_code ec) {
                         self->wait_armed_ = false;
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
    if (tls_) {
      writeNextTls();
      return;
    }
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

  // Sends bytes outside the queue now if the socket takes them (a refusal, a close frame); used
  // only when nothing else is being written, right before the socket is closed.
  void sendNow(std::string_view bytes) {
    boost::system::error_code ignored;
    if (!tls_) {
      socket_.send(boost::asio::buffer(bytes.data(), bytes.size()), 0, ignored);
      return;
    }
    if (!tls_->engine.established() || !tls_->engine.encrypt(bytes)) return;
    socket_.send(boost::asio::buffer(tls_->engine.output()), 0, ignored);
    tls_->engine.output().clear();
  }

  // Writes an answer to the client's opening (the WebSocket 101) ahead of any frame, then calls
  // then; a failed write finishes the connection.
  void writeAnswer(std::string bytes, void (*then)(Derived&)) {
    if (tls_) {
      if (!tls_->engine.encrypt(bytes)) {
        finish();
        return;
      }
      tls_->answer_then = then;
      if (!batch_) writeCiphertext();
      return;
    }
    auto owned = std::make_shared<std::string>(std::move(bytes));
    boost::asio::async_write(
        socket_, boost::asio::buffer(*owned),
        [self = this->shared_from_this(), owned, then](boost::system::error_code ec, size_t) {
          if (ec || self->finished_) {
            self->finish();
            return;
          }
          then(*self);
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
    std::string ciphertext;  // with TLS: the records the socket has not taken yet
  };

  struct Tls {
    explicit Tls(const TlsContext& context) : engine(context, TlsEngine::Role::kServer) {}
    TlsEngine engine;
    void (*answer_then)(Derived&) = nullptr;  // writeAnswer() waits for its bytes to leave
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
  std::unique_ptr<Tls> tls_;  // null for plaintext
  std::vector<Frame> queue_;
  bool opened_ = false;  // onOpen called
  bool closing_ = false;
  bool finished_ = false;
  bool flush_posted_ = false;   // a write start is posted (send() coalesces a turn's frames)
  bool wait_armed_ = false;     // a readiness wait is pending
  bool unread_posted_ = false;  // TLS: input the session kept is posted for Derived
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
    if (tls_) {
      onCiphertext(bytes);
      return;
    }
    derived().onBytes(bytes);
    if (!finished_ && derived().readsOn()) waitReadable();
  }

  // TLS: hands Derived the plaintext while it reads, and writes what the session answers.
  void onCiphertext(std::span<char> bytes) {
    const auto result =
        tls_->engine.feed({bytes.data(), bytes.size()}, [this](std::span<char> plain) {
          derived().onBytes(plain);
          return !finished_ && derived().readsOn();
        });
    if (finished_) return;
    if (result == TlsEngine::FeedResult::kFailed) {
      logTlsFailure(derived().transport(), remote_address_, tls_->engine.error());
      // The alert that says why, if the socket takes it.
      boost::system::error_code ignored;
      if (!batch_) socket_.send(boost::asio::buffer(tls_->engine.output()), 0, ignored);
      finish();
      return;
    }
    if (result == TlsEngine::FeedResult::kPeerClosed) {
      derived().onReadFailed(boost::asio::error::eof);
      finish();
      return;
    }
    // Handshake records and session tickets go out at once, and frames that waited for the
    // handshake behind them.
    if (!batch_ && (!tls_->engine.output().empty() || !queue_.empty())) writeNext();
    if (!finished_ && derived().readsOn()) waitReadable();
  }

  // TLS and no write in flight: encrypts the queue (once the handshake is done: frames wait for
  // it) and writes the records.
  void writeNextTls() {
    TlsEngine& engine = tls_->engine;
    if (engine.established() && !queue_.empty()) {
      derived().onQueueTaken();
      static thread_local Gather scratch;
      static thread_local std::string plaintext;
      gather(queue_, scratch);
      plaintext.clear();
      for (const auto& buffer : scratch.buffers) {
        plaintext.append(static_cast<const char*>(buffer.data()), buffer.size());
      }
      queue_.clear();
      queued_bytes_ = 0;
      if (!engine.encrypt(plaintext)) {
        finish();
        return;
      }
    }
    if (!engine.output().empty()) {
      writeCiphertext();
      return;
    }
    batch_.reset();
    if (!engine.established()) {
      // Frames wait for the handshake; a connection closed before it ends has nothing to flush.
      if (closing_) finish();
      return;
    }
    queue_ = std::vector<Frame>();
    if (closing_) afterFlush();
  }

  // TLS and no write in flight: writes the session's output, inline as far as the socket takes
  // it and the rest from a batch.
  void writeCiphertext() {
    std::string& output = tls_->engine.output();
    boost::system::error_code ec;
    const size_t written = socket_.write_some(boost::asio::buffer(output), ec);
    if (ec && ec != boost::asio::error::would_block && ec != boost::asio::error::try_again) {
      finish();
      return;
    }
    if (written == output.size()) {
      releaseOutput(output);
      afterCiphertextWritten();
      return;
    }
    if (!batch_) batch_ = std::make_unique<WriteBatch>();
    batch_->ciphertext.assign(output, written);
    releaseOutput(output);
    batch_unsent_bytes_ = batch_->ciphertext.size();
    boost::asio::async_write(
        socket_, boost::asio::buffer(batch_->ciphertext),
        [self = this->shared_from_this()](boost::system::error_code ec, size_t) {
          self->batch_unsent_bytes_ = 0;
          self->batch_.reset();
          if (ec || self->finished_) {
            self->finish();
            return;
          }
          self->afterCiphertextWritten();
        });
  }

  void afterCiphertextWritten() {
    // Records added meanwhile (an answer behind a session ticket) leave before the answer's
    // continuation runs.
    if (!tls_->engine.output().empty()) {
      writeCiphertext();
      return;
    }
    if (auto then = std::exchange(tls_->answer_then, nullptr)) {
      then(derived());
      return;
    }
    derived().onWritten();
  }

  // An idle connection keeps no large output buffer.
  static void releaseOutput(std::string& output) {
    constexpr size_t kKeptCapacity = 4096;
    if (output.capacity() > kKeptCapacity) {
      std::string().swap(output);
    } else {
      output.clear();
    }
  }

  void afterFlush() {
    // Once only: later flushes (a pong, a WebSocket close frame) must not restart the countdown.
    if (timer_ || finished_) return;
    startTimer(std::chrono::milliseconds(limits_.close_timeout_millis),
               [](Derived& self) { self.onCloseTimeout(); });
  }
};

}  // namespace parley::net
