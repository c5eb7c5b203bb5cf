#include "net/tls_engine.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "net/openssl_errors.h"
#include "net/tls_context.h"

namespace parley::net {

namespace {

// The largest plaintext a record carries: one SSL_read never leaves part of a record behind.
constexpr size_t kMaxRecordPlaintext = 16 * 1024;

long bioControl(BIO*, int command, long, void*) {
  // The session flushes after writing; everything else this BIO does not support.
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

bool isIpAddress(const std::string& name) {
  unsigned char address[16];
  return inet_pton(AF_INET, name.c_str(), address) == 1 ||
         inet_pton(AF_INET6, name.c_str(), address) == 1;
}

}  // namespace

int TlsEngine::bioRead(BIO* bio, char* out, int size) {
  auto* engine = static_cast<TlsEngine*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (engine->input_.empty()) {
    BIO_set_retry_read(bio);
    return -1;
  }
  const size_t n = std::min(engine->input_.size(), static_cast<size_t>(size));
  std::memcpy(out, engine->input_.data(), n);
  engine->input_.remove_prefix(n);
  return static_cast<int>(n);
}

int TlsEngine::bioWrite(BIO* bio, const char* data, int size) {
  auto* engine = static_cast<TlsEngine*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  engine->output_.append(data, static_cast<size_t>(size));
  return size;
}

TlsEngine::TlsEngine(const TlsContext& context, Role role, const std::string& server_name)
    : ssl_(SSL_new(context.native())) {
  // A BIO that reads from input_ and appends to output_: no buffer between socket and session.
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "parley-tls");
    BIO_meth_set_read(m, &TlsEngine::bioRead);
    BIO_meth_set_write(m, &TlsEngine::bioWrite);
    BIO_meth_set_ctrl(m, &bioControl);
    BIO_meth_set_create(m, &bioCreate);
    return m;
  }();
  if (ssl_ == nullptr) throw std::runtime_error("cannot create a TLS session");
  BIO* bio = BIO_new(method);
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);
  if (role == Role::kServer) {
    SSL_set_accept_state(ssl_);
    return;
  }
  SSL_set_connect_state(ssl_);
  if (server_name.empty()) return;
  if (isIpAddress(server_name)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), server_name.c_str());
  } else {
    SSL_set_tlsext_host_name(ssl_, server_name.c_str());
    SSL_set1_host(ssl_, server_name.c_str());
  }
}

TlsEngine::~TlsEngine() { SSL_free(ssl_); }

void TlsEngine::startHandshake() {
  ERR_clear_error();
  const int result = SSL_do_handshake(ssl_);
  if (result != 1 && SSL_get_error(ssl_, result) != SSL_ERROR_WANT_READ) {
    setError(SSL_get_error(ssl_, result));
  }
}

TlsEngine::FeedResult TlsEngine::feed(std::string_view ciphertext,
                                      const OnPlaintext& on_plaintext) {
  std::string held;
  if (!unread_.empty()) {
    held = std::move(unread_);
    unread_.clear();
    held.append(ciphertext);
    ciphertext = held;
  }
  input_ = ciphertext;
  thread_local char plaintext[kMaxRecordPlaintext];
  FeedResult result = FeedResult::kOk;
  ERR_clear_error();
  while (true) {
    const int size = SSL_read(ssl_, plaintext, sizeof plaintext);
    if (size > 0) {
      if (on_plaintext(std::span<char>(plaintext, static_cast<size_t>(size)))) continue;
      unread_.assign(input_);
      break;
    }
    const int code = SSL_get_error(ssl_, size);
    if (code == SSL_ERROR_WANT_READ) break;
    if (code == SSL_ERROR_ZERO_RETURN) {
      result = FeedResult::kPeerClosed;
      break;
    }
    setError(code);
    result = FeedResult::kFailed;
    break;
  }
  input_ = {};
  return result;
}

bool TlsEngine::hasUnread() const { return !unread_.empty() || SSL_pending(ssl_) > 0; }

bool TlsEngine::encrypt(std::string_view plaintext) {
  ERR_clear_error();
  while (!plaintext.empty()) {
    size_t written = 0;
    const int result = SSL_write_ex(ssl_, plaintext.data(), plaintext.size(), &written);
    if (result != 1) {
      setError(SSL_get_error(ssl_, result));
      return false;
    }
    plaintext.remove_prefix(written);
  }
  return true;
}

void TlsEngine::closeNotify() {
  ERR_clear_error();
  SSL_shutdown(ssl_);
}

bool TlsEngine::established() const { return SSL_is_init_finished(ssl_) == 1; }

std::string TlsEngine::peerSubject() const {
  X509* cert = SSL_get0_peer_certificate(ssl_);
  if (cert == nullptr) return {};
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  return subject;
}

void TlsEngine::setError(int ssl_error) {
  const long verify = SSL_get_verify_result(ssl_);
  std::string text = takeOpenSslErrors();
  if (verify != X509_V_OK) {
    text += std::string(text.empty() ? "" : "; ") +
            "certificate: " + X509_verify_cert_error_string(verify);
  }
  if (text.empty()) {
    text = ssl_error == SSL_ERROR_SYSCALL ? "the connection ended during the TLS handshake"
                                          : "TLS error " + std::to_string(ssl_error);
  }
  error_ = std::move(text);
}

}  // namespace parley::net
