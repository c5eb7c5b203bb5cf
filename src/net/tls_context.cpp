#include "net/tls_context.h"

#include "net/openssl_errors.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>
#include <utility>

namespace parley::net {

namespace {

std::string openSslErrors() {
  std::string text = takeOpenSslErrors();
  return text.empty() ? "unknown OpenSSL error" : text;
}

[[noreturn]] void fail(SSL_CTX* ctx, const std::string& what) {
  SSL_CTX_free(ctx);
  throw std::runtime_error(what + ": " + openSslErrors());
}

// What every context shares: the protocol floor, the suites and the options.
SSL_CTX* newContext(const SSL_METHOD* method) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (ctx == nullptr) throw std::runtime_error("cannot create a TLS context: " + openSslErrors());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  // Client-initiated renegotiation costs the server a handshake per request: a cheap way to
  // burn its CPU. TLS 1.3 has none at all.
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An idle connection gives its record buffers back: most client connections are idle.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20") != 1) {
    fail(ctx, "cannot set the TLS 1.2 cipher suites");
  }
  return ctx;
}

void loadCertificate(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1) {
    fail(ctx, "cannot load the TLS certificate from '" + cert_file + "'");
  }
  BIO* key_bio = BIO_new_file(key_file.c_str(), "r");
  EVP_PKEY* key =
      key_bio != nullptr ? PEM_read_bio_PrivateKey(key_bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(key_bio);
  if (key == nullptr) fail(ctx, "cannot load the TLS private key from '" + key_file + "'");
  const bool matches = SSL_CTX_use_PrivateKey(ctx, key) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  EVP_PKEY_free(key);
  if (!matches) {
    fail(ctx, "the TLS private key in '" + key_file + "' does not match the certificate in '" +
                  cert_file + "'");
  }
}

std::string summarize(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return {};
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof subject);
  std::string summary = std::string("subject ") + subject;
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio != nullptr && ASN1_TIME_print(bio, X509_get0_notAfter(cert)) == 1) {
    char* text = nullptr;
    const long size = BIO_get_mem_data(bio, &text);
    summary += ", valid until " + std::string(text, static_cast<size_t>(size));
  }
  BIO_free(bio);
  return summary;
}

}  // namespace

std::string takeOpenSslErrors() {
  std::string text;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

TlsContext::TlsContext(SSL_CTX* ctx) : ctx_(ctx), summary_(summarize(ctx)) {}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

std::shared_ptr<const TlsContext> TlsContext::forServer(const TlsServerFiles& files) {
  if (files.cert_file.empty() || files.key_file.empty()) {
    throw std::runtime_error("TLS needs both a certificate file and a key file");
  }
  SSL_CTX* ctx = newContext(TLS_server_method());
  loadCertificate(ctx, files.cert_file, files.key_file);
  if (!files.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, files.client_ca_file.c_str(), nullptr) != 1) {
      fail(ctx, "cannot load the client CA file '" + files.client_ca_file + "'");
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(files.client_ca_file.c_str());
    if (names == nullptr) fail(ctx, "no CA names in '" + files.client_ca_file + "'");
    SSL_CTX_set_client_CA_list(ctx, names);
    SSL_CTX_set_verify(
        ctx, SSL_VERIFY_PEER | (files.require_client_cert ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
        nullptr);
    // Resuming a session that was verified needs an id context; without one OpenSSL refuses.
    static constexpr unsigned char kSessionContext[] = "parley";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1);
  }
  return std::shared_ptr<const TlsContext>(new TlsContext(ctx));
}

std::shared_ptr<const TlsContext> TlsContext::forClient(const TlsClientFiles& files) {
  SSL_CTX* ctx = newContext(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const int loaded = files.ca_file.empty()
                         ? SSL_CTX_set_default_verify_paths(ctx)
                         : SSL_CTX_load_verify_locations(ctx, files.ca_file.c_str(), nullptr);
  if (loaded != 1) fail(ctx, "cannot load the CA file '" + files.ca_file + "'");
  if (!files.cert_file.empty() || !files.key_file.empty()) {
    loadCertificate(ctx, files.cert_file, files.key_file);
  }
  return std::shared_ptr<const TlsContext>(new TlsContext(ctx));
}

ReloadableTlsContext::ReloadableTlsContext(Loader load)
    : load_(std::move(load)), current_(load_()) {}

ReloadableTlsContext::ReloadableTlsContext(TlsServerFiles files)
    : ReloadableTlsContext(Loader([files] { return TlsContext::forServer(files); })) {}

ReloadableTlsContext::ReloadableTlsContext(TlsClientFiles files)
    : ReloadableTlsContext(Loader([files] { return TlsContext::forClient(files); })) {}

std::shared_ptr<const TlsContext> ReloadableTlsContext::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::optional<std::string> ReloadableTlsContext::reload() {
  std::shared_ptr<const TlsContext> loaded;
  try {
    loaded = load_();
  } catch (const std::exception& e) {
    return e.what();
  }
  std::lock_guard lock(mutex_);
  current_ = std::move(loaded);
  return std::nullopt;
}

}  // namespace parley::net
