#pragma once
// One TLS session over bytes its owner moves: ciphertext read from the socket is fed in and its
// plaintext handed out; plaintext to send is encrypted into output(), which the owner writes to
// the socket in order. No socket and no Asio, so connections that read on readiness into their
// io thread's shared buffer (stream_connection.h) use it as readily as blocking clients do; and
// no buffer of its own between calls except output() and, rarely, input the owner was not ready
// for. Not thread-safe: one thread at a time.
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct ssl_st;
struct bio_st;

namespace parley::net {

class TlsContext;

class TlsEngine {
 public:
  enum class Role { kServer, kClient };
  enum class FeedResult {
    kOk,          // everything fed was taken (or kept for later: hasUnread())
    kFailed,      // the session is broken (error()); output() may hold an alert for the peer
    kPeerClosed,  // the peer's close_notify: nothing more will come
  };
  // Plaintext, valid during the call. Returns false to stop: the rest is kept (hasUnread()).
  using OnPlaintext = std::function<bool(std::span<char> plaintext)>;

  // Client role: server_name is checked against the server's certificate (a DNS name or an IP
  // address) and sent as SNI; empty = no name check. The context must outlive nothing: the
  // session holds its own reference to it.
  TlsEngine(const TlsContext& context, Role role, const std::string& server_name = {});
  ~TlsEngine();
  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  // Client role: puts the ClientHello into output().
  void startHandshake();
  // Ciphertext from the peer, after what is still unread. Handshake answers, alerts and session
  // tickets go to output().
  FeedResult feed(std::string_view ciphertext, const OnPlaintext& on_plaintext);
  // Input fed earlier and not yet delivered because on_plaintext stopped: the next feed, even an
  // empty one, delivers it.
  bool hasUnread() const;
  // Appends the records carrying plaintext to output(). Only once established(). False when the
  // session is broken (error()).
  bool encrypt(std::string_view plaintext);
  // Appends a close_notify alert to output().
  void closeNotify();

  bool established() const;
  std::string& output() { return output_; }
  const std::string& error() const { return error_; }
  // The peer certificate's subject ("/CN=..."), or empty when it sent none.
  std::string peerSubject() const;

 private:
  static int bioRead(bio_st* bio, char* out, int size);
  static int bioWrite(bio_st* bio, const char* data, int size);
  void setError(int ssl_error);

  ssl_st* ssl_;
  std::string_view input_;  // what the session reads from during feed()
  std::string unread_;
  std::string output_;
  std::string error_;
};

}  // namespace parley::net
