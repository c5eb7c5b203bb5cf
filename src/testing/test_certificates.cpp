#include "testing/test_certificates.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace parley::testing {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test certificates: ") + what);
}

Key newKey() {
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation failed");
  return key;
}

void addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  check(extension != nullptr, "bad extension");
  X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
}

// A certificate for key named common_name, signed by issuer_key (itself when issuer is null).
Cert newCertificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                    EVP_PKEY* issuer_key) {
  Cert cert(X509_new());
  check(cert != nullptr, "X509_new failed");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // positive
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(cert.get()));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (issuer == nullptr) {
    addExtension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    addExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  }
  addExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  return cert;
}

void sign(X509* cert, EVP_PKEY* key) {
  check(X509_sign(cert, key, EVP_sha256()) > 0, "signing failed");
}

void writePem(const std::string& path, X509* cert) {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  check(bio != nullptr && PEM_write_bio_X509(bio, cert) == 1, "cannot write a certificate");
  BIO_free(bio);
}

void writePem(const std::string& path, EVP_PKEY* key) {
  BIO* bio = BIO_new_file(path.c_str(), "w");
  check(bio != nullptr &&
            PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "cannot write a key");
  BIO_free(bio);
}

}  // namespace

TestCertificates writeTestCertificates(const std::string& dir, const std::string& server_name) {
  TestCertificates files{dir + "/ca.pem", dir + "/server.pem", dir + "/server.key",
                         dir + "/client.pem", dir + "/client.key"};
  const Key ca_key = newKey();
  const Cert ca = newCertificate(ca_key.get(), "Parley Test CA", nullptr, nullptr);
  sign(ca.get(), ca_key.get());

  const Key server_key = newKey();
  const Cert server = newCertificate(server_key.get(), server_name, ca.get(), ca_key.get());
  addExtension(server.get(), ca.get(), NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
  addExtension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  sign(server.get(), ca_key.get());

  const Key client_key = newKey();
  const Cert client =
      newCertificate(client_key.get(), "parley-test-client", ca.get(), ca_key.get());
  addExtension(client.get(), ca.get(), NID_ext_key_usage, "clientAuth");
  sign(client.get(), ca_key.get());

  writePem(files.ca_file, ca.get());
  writePem(files.server_cert_file, server.get());
  writePem(files.server_key_file, server_key.get());
  writePem(files.client_cert_file, client.get());
  writePem(files.client_key_file, client_key.get());
  return files;
}

}  // namespace parley::testing
