#include "nodes/rpc_auth.h"

#include <sodium.h>

#include <initializer_list>

namespace parley::nodes {

namespace {

std::string hmac(std::string_view secret, std::initializer_list<std::string_view> parts) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  for (std::string_view part : parts) {
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(part.data()),
                                  part.size());
  }
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&state, sizeof state);
  return out;
}

}  // namespace

std::string newRpcNonce() {
  // Idempotent and thread-safe; it picks the best randomness source once.
  static const int sodium_ready = sodium_init();
  (void)sodium_ready;
  std::string nonce(kRpcNonceSize, '\0');
  randombytes_buf(nonce.data(), nonce.size());
  return nonce;
}

// The nonces have a fixed size and the node id comes last, so the concatenation is unambiguous.
std::string rpcClientProof(std::string_view secret, std::string_view server_nonce,
                           std::string_view client_nonce, std::string_view node_id) {
  return hmac(secret, {"parley-rpc-client", server_nonce, client_nonce, node_id});
}

std::string rpcServerProof(std::string_view secret, std::string_view client_nonce,
                           std::string_view server_nonce) {
  return hmac(secret, {"parley-rpc-server", client_nonce, server_nonce});
}

bool sameRpcProof(std::string_view expected, std::string_view received) {
  // The size of a proof is public (always crypto_auth_hmacsha256_BYTES).
  if (expected.size() != received.size()) return false;
  return sodium_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

}  // namespace parley::nodes
