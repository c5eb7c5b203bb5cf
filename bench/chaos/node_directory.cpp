#include "chaos/node_directory.h"

namespace parley::chaos {

NodeDirectory::NodeDirectory(std::vector<std::string> node_ids) {
  for (auto& id : node_ids) nodes_.push_back(NodeEndpoint{.node_id = std::move(id)});
}

size_t NodeDirectory::size() const {
  std::lock_guard lock(mutex_);
  return nodes_.size();
}

NodeEndpoint NodeDirectory::get(size_t index) const {
  std::lock_guard lock(mutex_);
  return nodes_.at(index);
}

std::vector<size_t> NodeDirectory::upNodes() const {
  std::lock_guard lock(mutex_);
  std::vector<size_t> up;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].up) up.push_back(i);
  }
  return up;
}

bool NodeDirectory::isUp(size_t index) const {
  std::lock_guard lock(mutex_);
  return nodes_.at(index).up;
}

void NodeDirectory::markUp(size_t index, uint16_t ws_port, uint16_t tcp_port, uint16_t admin_port) {
  std::lock_guard lock(mutex_);
  NodeEndpoint& node = nodes_.at(index);
  node.up = true;
  node.ws_port = ws_port;
  node.tcp_port = tcp_port;
  node.admin_port = admin_port;
}

void NodeDirectory::markDown(size_t index) {
  std::lock_guard lock(mutex_);
  nodes_.at(index).up = false;
}

}  // namespace parley::chaos
