#pragma once
// A FerretDB v1 server (build/ferretdb-test, a MongoDB-wire-compatible server on SQLite) for the
// tests labelled `mongo`: on a free loopback port, with its data in a temp dir of its own, stopped
// by pid. Restarting it keeps the port and the data, as a database coming back after an outage.
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "testing/temp_dir.h"

namespace parley::testing {

// TLS only on the port, with this certificate; with ca_file, clients must present a certificate
// it signed.
struct FerretDbTlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
};

class FerretDbProcess {
 public:
  // Starts the server and waits for "ferretdb ready". Throws std::runtime_error with the reason
  // (a missing binary names PARLEY_FERRETDB and scripts/build-ferretdb.sh) and the server's log.
  FerretDbProcess();
  explicit FerretDbProcess(FerretDbTlsFiles tls);
  // Stops the server (SIGTERM, then SIGKILL) and removes its data.
  ~FerretDbProcess();
  FerretDbProcess(const FerretDbProcess&) = delete;
  FerretDbProcess& operator=(const FerretDbProcess&) = delete;

  // The binary: $PARLEY_FERRETDB when set, else the build dir's ferretdb-test.
  static std::string binaryPath();

  // SIGTERM and wait for the exit; a no-op when not running.
  void stop();
  // SIGKILL, as a crash or a pulled cable.
  void kill();
  // Starts again on the same port and data dir (after stop() or kill()).
  void start();
  bool running() const { return pid_ > 0; }

  uint16_t port() const { return port_; }
  // mongodb://127.0.0.1:<port>/ (with TLS, the URI's TLS options are the caller's to add)
  std::string uri() const;
  // What the server wrote to stderr so far.
  std::string log() const;

 private:
  // One attempt on port_; false when the server exited before becoming ready (port taken).
  bool tryStart(std::string& failure);
  void closeOutput();

  FerretDbTlsFiles tls_;  // empty cert_file: plaintext
  TempDir dir_{"parley-ferretdb"};
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  // Held open while the server runs: a Go program writing to a closed stdout pipe dies.
  int stdout_fd_ = -1;
};

}  // namespace parley::testing
