#pragma once
// Proof that both ends of a node-to-node RPC connection hold the cluster.secret: a
// challenge-response keyed by it, run before any other frame (node_rpc.proto, AuthChallenge).
//
//   server -> client  AuthChallenge{server_nonce}
//   client -> server  AuthResponse{client_nonce, node_id,
//                       HMAC-SHA256(secret, "parley-rpc-client" || server_nonce || client_nonce
//                                   || node_id)}
//   server -> client  AuthAccepted{HMAC-SHA256(secret, "parley-rpc-server" || client_nonce
//                                               || server_nonce)}
//
// Fresh nonces on both sides make every proof good for one connection only (a recorded
// handshake replays nowhere), and the two labels keep a server's proof from passing as a
// client's. The secret never crosses the wire. Pure (libsodium only), so it is unit-tested.
#include <cstddef>
#include <string>
#include <string_view>

namespace parley::nodes {

inline constexpr size_t kRpcNonceSize = 32;

// kRpcNonceSize random bytes.
std::string newRpcNonce();
std::string rpcClientProof(std::string_view secret, std::string_view server_nonce,
                           std::string_view client_nonce, std::string_view node_id);
std::string rpcServerProof(std::string_view secret, std::string_view client_nonce,
                           std::string_view server_nonce);
// In constant time for proofs of the expected size (what an attacker sends must not leak, by
// timing, how much of it was right).
bool sameRpcProof(std::string_view expected, std::string_view received);

}  // namespace parley::nodes
