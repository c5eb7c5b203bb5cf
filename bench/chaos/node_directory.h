#pragma once
// Where each Parley node of the run listens, and whether it is up: written by the main thread as
// it kills and starts nodes, read by the client threads to (re)connect and by the checks to ask
// every live node. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace parley::chaos {

struct NodeEndpoint {
  std::string node_id;
  bool up = false;
  uint16_t ws_port = 0;
  uint16_t tcp_port = 0;
  uint16_t admin_port = 0;
};

class NodeDirectory {
 public:
  explicit NodeDirectory(std::vector<std::string> node_ids);

  size_t size() const;
  NodeEndpoint get(size_t index) const;
  std::vector<size_t> upNodes() const;
  bool isUp(size_t index) const;

  void markUp(size_t index, uint16_t ws_port, uint16_t tcp_port, uint16_t admin_port);
  // Before the node is killed or stopped, so that a client seeing its connection drop knows why.
  void markDown(size_t index);

 private:
  mutable std::mutex mutex_;
  std::vector<NodeEndpoint> nodes_;
};

}  // namespace parley::chaos
