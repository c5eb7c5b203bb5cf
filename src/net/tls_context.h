#pragma once
// A TLS configuration (certificate, key, trusted CAs) loaded into OpenSSL once and shared by
// every connection made with it. Reloading builds a new one: a connection keeps the context it
// began with, so certificates are replaced (SIGHUP) without touching the sessions already open.
// OpenSSL stays in the .cpp.
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

struct ssl_ctx_st;

namespace parley::net {

struct TlsServerFiles {
  std::string cert_file;             // PEM: the certificate, then the intermediates that sign it
  std::string key_file;              // PEM private key
  std::string client_ca_file;        // PEM CAs whose client certificates are accepted; empty = none
  bool require_client_cert = false;  // with client_ca_file: refuse a client without one
};

struct TlsClientFiles {
  std::string ca_file;    // PEM CAs trusted to sign the server's certificate; empty = the system's
  std::string cert_file;  // PEM client certificate, for servers that ask for one; optional
  std::string key_file;
};

// TLS 1.2 and 1.3 only; TLS 1.2 with forward-secret AEAD suites only; no renegotiation.
class TlsContext {
 public:
  // Throw std::runtime_error naming the file and OpenSSL's reason.
  static std::shared_ptr<const TlsContext> forServer(const TlsServerFiles& files);
  static std::shared_ptr<const TlsContext> forClient(const TlsClientFiles& files);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const { return ctx_; }
  // "subject CN=..., valid until Dec  8 10:00:00 2027 GMT" for the logs; empty without one.
  const std::string& certificateSummary() const { return summary_; }

 private:
  explicit TlsContext(ssl_ctx_st* ctx);
  ssl_ctx_st* ctx_;
  std::string summary_;
};

// A context that reload() replaces, for a listener or for the clients of a node. Thread-safe.
class ReloadableTlsContext {
 public:
  using Loader = std::function<std::shared_ptr<const TlsContext>()>;
  // Loads the files; throws as TlsContext::forServer / forClient.
  explicit ReloadableTlsContext(TlsServerFiles files);
  explicit ReloadableTlsContext(TlsClientFiles files);
  std::shared_ptr<const TlsContext> current() const;
  // Reads the files again. On failure the current context stays and the reason is returned.
  std::optional<std::string> reload();

 private:
  explicit ReloadableTlsContext(Loader load);
  const Loader load_;
  mutable std::mutex mutex_;
  std::shared_ptr<const TlsContext> current_;
};

}  // namespace parley::net
