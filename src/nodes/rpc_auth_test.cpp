// The proofs of the RPC handshake: only the holder of the same secret produces them, and each is
// bound to its connection's nonces and to its direction.
#include "nodes/rpc_auth.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::nodes {
namespace {

const std::string kSecret = "0123456789abcdef-cluster";

TEST(RpcAuthTest, NoncesAreFreshAndOfTheAgreedSize) {
  const std::string a = newRpcNonce();
  const std::string b = newRpcNonce();
  EXPECT_EQ(a.size(), kRpcNonceSize);
  EXPECT_NE(a, b);
}

TEST(RpcAuthTest, TheSameSecretAndNoncesGiveTheSameProof) {
  const std::string server = newRpcNonce();
  const std::string client = newRpcNonce();
  EXPECT_TRUE(sameRpcProof(rpcClientProof(kSecret, server, client, "node-a"),
                           rpcClientProof(kSecret, server, client, "node-a")));
  EXPECT_TRUE(sameRpcProof(rpcServerProof(kSecret, client, server),
                           rpcServerProof(kSecret, client, server)));
}

TEST(RpcAuthTest, AnyDifferenceChangesTheProof) {
  const std::string server = newRpcNonce();
  const std::string client = newRpcNonce();
  const std::string proof = rpcClientProof(kSecret, server, client, "node-a");
  EXPECT_FALSE(sameRpcProof(proof, rpcClientProof(kSecret + "x", server, client, "node-a")));
  EXPECT_FALSE(sameRpcProof(proof, rpcClientProof(kSecret, newRpcNonce(), client, "node-a")));
  EXPECT_FALSE(sameRpcProof(proof, rpcClientProof(kSecret, server, newRpcNonce(), "node-a")));
  EXPECT_FALSE(sameRpcProof(proof, rpcClientProof(kSecret, server, client, "node-b")));
}

// A server's proof replayed as a client's (or the reverse) must not pass: the labels differ.
TEST(RpcAuthTest, ServerAndClientProofsDiffer) {
  const std::string a = newRpcNonce();
  const std::string b = newRpcNonce();
  EXPECT_FALSE(sameRpcProof(rpcClientProof(kSecret, a, b, ""), rpcServerProof(kSecret, b, a)));
  EXPECT_FALSE(sameRpcProof(rpcClientProof(kSecret, a, b, ""), rpcServerProof(kSecret, a, b)));
}

TEST(RpcAuthTest, ProofsOfAnotherSizeNeverMatch) {
  const std::string proof = rpcServerProof(kSecret, newRpcNonce(), newRpcNonce());
  EXPECT_FALSE(sameRpcProof(proof, ""));
  EXPECT_FALSE(sameRpcProof(proof, proof.substr(0, 16)));
  EXPECT_FALSE(sameRpcProof(proof, proof + "x"));
}

}  // namespace
}  // namespace parley::nodes
