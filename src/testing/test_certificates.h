#pragma once
// A throwaway certificate authority with a server and a client certificate signed by it, written
// as PEM files, for tests of TLS. Keys are P-256; certificates are valid from an hour ago for a
// day. The server certificate names 127.0.0.1 and localhost.
#include <string>

namespace parley::testing {

struct TestCertificates {
  std::string ca_file;  // the CA's certificate: what clients (and the server, for clients) trust
  std::string server_cert_file;
  std::string server_key_file;
  std::string client_cert_file;
  std::string client_key_file;
};

// Writes <dir>/ca.pem, server.pem, server.key, client.pem and client.key. server_name becomes
// the server certificate's common name, so that tests can tell two certificates apart.
// Throws std::runtime_error on failure.
TestCertificates writeTestCertificates(const std::string& dir,
                                       const std::string& server_name = "parley-test-server");

}  // namespace parley::testing
