#include "redis/redis_cluster_process.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "testing/test_processes.h"

namespace parley::redis::testing {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kReplyTimeout = 10s;
constexpr auto kClusterReadyTimeout = 60s;

std::string cliPath() {
  if (const char* path = std::getenv("PARLEY_REDIS_CLI"); path != nullptr && *path != '\0') {
    return path;
  }
  return "redis-cli";
}

// Runs a program to completion (bounded), its output to a file; returns exit status and output.
std::pair<int, std::string> runProgram(const std::vector<std::string>& args) {
  std::string log_path = (std::filesystem::temp_directory_path() / "parley-cli-XXXXXX").string();
  const int log_fd = mkstemp(log_path.data());
  if (log_fd < 0) throw std::runtime_error("mkstemp failed");
  close(log_fd);
  const pid_t pid =
      parley::testing::spawnChild(args, {.log_path = log_path, .null_stdin = true}).pid;
  const int status = parley::testing::reapOrKill(pid, kClusterReadyTimeout);
  std::ifstream in(log_path);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove(log_path);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
}

void expectOk(const RespValue& reply, const std::string& what) {
  if (reply.type != RespType::kSimpleString || reply.str != "OK") {
    throw std::runtime_error(what + ": " + toDebugString(reply));
  }
}

// (start, end, primary port) per range, sorted: what two nodes must agree on.
std::vector<std::tuple<int64_t, int64_t, int64_t>> slotOwners(uint16_t port) {
  const RespValue reply = syncCommand(port, {"CLUSTER", "SLOTS"});
  std::vector<std::tuple<int64_t, int64_t, int64_t>> owners;
  if (reply.type != RespType::kArray) return owners;
  for (const auto& range : reply.elements) {
    if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) continue;
    owners.emplace_back(range.elements[0].integer, range.elements[1].integer,
                        range.elements[2].elements[1].integer);
  }
  std::sort(owners.begin(), owners.end());
  return owners;
}

// "0-5460:7001 5461-10922:7002 ...": enough to see which ranges two nodes disagree on.
std::string describe(const std::vector<std::tuple<int64_t, int64_t, int64_t>>& owners) {
  std::string text;
  for (const auto& [start, end, port] : owners) {
    if (!text.empty()) text += ' ';
    text += std::to_string(start) + '-' + std::to_string(end) + ':' + std::to_string(port);
  }
  return text.empty() ? "no slots" : text;
}

// Polls `problem` (empty = fine) until it is empty; throws with its last answer after 60 s.
void waitUntilNoProblem(const std::string& what, const std::function<std::string()>& problem) {
  const auto deadline = Clock::now() + kClusterReadyTimeout;
  std::string last_problem;
  while (Clock::now() < deadline) {
    last_problem = problem();
    if (last_problem.empty()) return;
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error("Redis Cluster " + what + " within 60 s: " + last_problem);
}

// Node id -> config epoch of every primary that serves slots, as CLUSTER NODES at `port` shows
// them. A line: <id> <address> <flags> <primary> <ping> <pong> <config-epoch> <link> <slots...>.
std::map<std::string, int64_t> slotServingEpochs(uint16_t port) {
  const RespValue reply = syncCommand(port, {"CLUSTER", "NODES"});
  if (reply.type != RespType::kBulkString) {
    throw std::runtime_error("CLUSTER NODES: " + toDebugString(reply));
  }
  std::map<std::string, int64_t> epochs;
  std::istringstream lines(reply.str);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::vector<std::string> field{std::istream_iterator<std::string>(fields), {}};
    if (field.size() <= 8 || field[2].find("master") == std::string::npos) continue;
    epochs[field[0]] = std::stoll(field[6]);
  }
  return epochs;
}

// What ROLE says of a node: a primary, or a replica and whether its link to its primary is up.
struct Role {
  bool primary = false;
  bool in_sync = false;
};

Role roleOf(uint16_t port) {
  const RespValue reply = syncCommand(port, {"ROLE"});
  if (reply.type != RespType::kArray || reply.elements.empty()) {
    throw std::runtime_error("ROLE: " + toDebugString(reply));
  }
  Role role;
  role.primary = reply.elements[0].str == "master";
  // A replica: ["slave", host, port, "connect" | "connecting" | "sync" | "connected", offset].
  role.in_sync =
      role.primary || (reply.elements.size() >= 4 && reply.elements[3].str == "connected");
  return role;
}

}  // namespace

RespValue syncCommand(uint16_t port, const std::vector<std::string>& args) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval timeout{};
  timeout.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(kReplyTimeout).count();
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  const std::string request = encodeCommand(args);
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      throw std::runtime_error("send to 127.0.0.1:" + std::to_string(port) + " failed");
    }
    sent += static_cast<size_t>(n);
  }
  RespParser parser;
  RespValue reply;
  char buffer[16 * 1024];
  for (;;) {
    const auto state = parser.next(&reply);
    if (state == RespParser::State::kReply) break;
    if (state == RespParser::State::kError) {
      close(fd);
      throw std::runtime_error("bad reply from redis: " + parser.error());
    }
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) {
      close(fd);
      throw std::runtime_error("no reply from 127.0.0.1:" + std::to_string(port));
    }
    parser.feed(std::string_view(buffer, static_cast<size_t>(n)));
  }
  close(fd);
  return reply;
}

RedisClusterProcess::RedisClusterProcess(int primaries)
    : RedisClusterProcess(RedisClusterOptions{.primaries = primaries}) {}

RedisClusterProcess::RedisClusterProcess(const RedisClusterOptions& options) {
  std::vector<std::string> args{
      "--cluster-enabled",      "yes",
      "--cluster-config-file",  "nodes.conf",
      "--cluster-node-timeout", std::to_string(options.node_timeout_millis)};
  if (options.replicas_per_primary > 0) {
    // A replica's full sync starts at once instead of waiting 5 s for other replicas to join it.
    args.insert(args.end(), {"--repl-diskless-sync-delay", "0"});
  }
  const int node_count = options.primaries * (1 + options.replicas_per_primary);
  for (int i = 0; i < node_count; ++i) {
    nodes_.push_back(std::make_unique<RedisServerProcess>(args, RedisPorts::kClientAndClusterBus,
                                                          options.persistence));
  }
  std::vector<std::string> create{cliPath(), "--cluster", "create"};
  for (const auto& node : nodes_) create.push_back("127.0.0.1:" + std::to_string(node->port()));
  create.insert(create.end(), {"--cluster-replicas", std::to_string(options.replicas_per_primary),
                               "--cluster-yes"});
  const auto [status, output] = runProgram(create);
  if (status != 0) {
    throw std::runtime_error("redis-cli --cluster create failed (" + std::to_string(status) +
                             "):\n" + output);
  }
  waitUntilConsistent();
  waitUntilReplicasInSync();
}

RedisClusterProcess::~RedisClusterProcess() = default;

std::vector<uint16_t> RedisClusterProcess::ports() const {
  std::vector<uint16_t> ports;
  for (const auto& node : nodes_) ports.push_back(node->port());
  return ports;
}

std::vector<std::string> RedisClusterProcess::seedUris() const {
  std::vector<std::string> uris;
  for (const auto& node : nodes_) {
    uris.push_back("redis+cluster://127.0.0.1:" + std::to_string(node->port()));
  }
  return uris;
}

uint16_t RedisClusterProcess::ownerOf(uint16_t slot) const {
  for (const auto& [start, end, port] : slotOwners(nodes_[0]->port())) {
    if (start <= slot && slot <= end) return static_cast<uint16_t>(port);
  }
  throw std::runtime_error("slot " + std::to_string(slot) + " has no owner");
}

std::string RedisClusterProcess::nodeId(uint16_t port) const {
  const RespValue reply = syncCommand(port, {"CLUSTER", "MYID"});
  if (reply.type != RespType::kBulkString) {
    throw std::runtime_error("CLUSTER MYID: " + toDebugString(reply));
  }
  return reply.str;
}

void RedisClusterProcess::beginSlotMigration(uint16_t slot, uint16_t from_port, uint16_t to_port) {
  waitUntilEpochsSettled();
  const std::string slot_text = std::to_string(slot);
  expectOk(syncCommand(to_port, {"CLUSTER", "SETSLOT", slot_text, "IMPORTING", nodeId(from_port)}),
           "SETSLOT IMPORTING");
  expectOk(syncCommand(from_port, {"CLUSTER", "SETSLOT", slot_text, "MIGRATING", nodeId(to_port)}),
           "SETSLOT MIGRATING");
}

void RedisClusterProcess::finishSlotMigration(uint16_t slot, uint16_t from_port, uint16_t to_port) {
  const std::string slot_text = std::to_string(slot);
  for (;;) {
    const RespValue keys = syncCommand(from_port, {"CLUSTER", "GETKEYSINSLOT", slot_text, "100"});
    if (keys.type != RespType::kArray) {
      throw std::runtime_error("GETKEYSINSLOT: " + toDebugString(keys));
    }
    if (keys.elements.empty()) break;
    std::vector<std::string> migrate{"MIGRATE", "127.0.0.1", std::to_string(to_port), "", "0",
                                     "5000",    "KEYS"};
    for (const auto& key : keys.elements) migrate.push_back(key.str);
    expectOk(syncCommand(from_port, migrate), "MIGRATE");
  }
  // As redis-cli does: the target first, so it owns the slot before the source lets it go.
  const std::string target_id = nodeId(to_port);
  expectOk(syncCommand(to_port, {"CLUSTER", "SETSLOT", slot_text, "NODE", target_id}),
           "SETSLOT NODE on the target");
  expectOk(syncCommand(from_port, {"CLUSTER", "SETSLOT", slot_text, "NODE", target_id}),
           "SETSLOT NODE on the source");
  for (const auto& node : nodes_) {
    if (node->port() == from_port || node->port() == to_port) continue;
    expectOk(syncCommand(node->port(), {"CLUSTER", "SETSLOT", slot_text, "NODE", target_id}),
             "SETSLOT NODE");
  }
  waitUntilConsistent();
  waitUntilEpochsSettled();
}

std::vector<size_t> RedisClusterProcess::primaryIndexes() const {
  std::vector<size_t> primaries;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i]->running() && roleOf(nodes_[i]->port()).primary) primaries.push_back(i);
  }
  return primaries;
}

std::vector<uint16_t> RedisClusterProcess::primaryPorts() const {
  std::vector<uint16_t> ports;
  for (const size_t index : primaryIndexes()) ports.push_back(nodes_[index]->port());
  return ports;
}

std::string RedisClusterProcess::consistencyProblem() const {
  const RedisServerProcess* first = nullptr;
  for (const auto& node : nodes_) {
    if (node->running()) {
      first = node.get();
      break;
    }
  }
  if (first == nullptr) return "no node is running";
  try {
    const auto reference = slotOwners(first->port());
    int64_t covered = 0;
    for (const auto& [start, end, port] : reference) covered += end - start + 1;
    if (covered != 16384) return "slots covered: " + std::to_string(covered);
    for (const auto& node : nodes_) {
      if (!node->running()) continue;
      const RespValue info = syncCommand(node->port(), {"CLUSTER", "INFO"});
      if (info.str.find("cluster_state:ok") == std::string::npos) {
        return "node " + std::to_string(node->port()) + " not ok";
      }
      const auto owners = slotOwners(node->port());
      if (owners != reference) {
        return "node " + std::to_string(node->port()) + " disagrees on slot owners: it says " +
               describe(owners) + ", node " + std::to_string(first->port()) + " says " +
               describe(reference);
      }
    }
  } catch (const std::exception& e) {
    // A node that is still starting refuses connections for a moment.
    return e.what();
  }
  return "";
}

std::string RedisClusterProcess::epochProblem() const {
  std::optional<std::map<std::string, int64_t>> reference;
  for (const auto& node : nodes_) {
    if (!node->running()) continue;
    std::map<std::string, int64_t> epochs;
    try {
      epochs = slotServingEpochs(node->port());
    } catch (const std::exception& e) {
      return e.what();
    }
    std::set<int64_t> distinct;
    for (const auto& [id, epoch] : epochs) distinct.insert(epoch);
    if (distinct.size() != epochs.size()) {
      return "node " + std::to_string(node->port()) + " sees two primaries with one config epoch";
    }
    if (!reference) {
      reference = std::move(epochs);
    } else if (epochs != *reference) {
      return "node " + std::to_string(node->port()) + " disagrees on config epochs";
    }
  }
  return "";
}

void RedisClusterProcess::waitUntilEpochsSettled() const {
  waitUntilNoProblem("config epochs not settled", [this] { return epochProblem(); });
}

void RedisClusterProcess::waitUntilConsistent() const {
  waitUntilNoProblem("not consistent", [this] { return consistencyProblem(); });
}

void RedisClusterProcess::waitUntilReplicasInSync() const {
  waitUntilNoProblem("replicas not in sync", [this]() -> std::string {
    for (const auto& node : nodes_) {
      if (!node->running()) continue;
      try {
        const Role role = roleOf(node->port());
        if (!role.primary && !role.in_sync) {
          return "replica " + std::to_string(node->port()) + " not in sync";
        }
      } catch (const std::exception& e) {
        return e.what();
      }
    }
    return "";
  });
}

size_t RedisClusterProcess::killPrimaryAndAwaitFailover(size_t index) {
  RedisServerProcess& victim = *nodes_.at(index);
  if (!victim.running() || !roleOf(victim.port()).primary) {
    throw std::logic_error("killPrimaryAndAwaitFailover: node " + std::to_string(index) +
                           " is not a running primary");
  }
  const int64_t victim_port = victim.port();
  std::vector<std::pair<int64_t, int64_t>> victim_ranges;
  for (const auto& [start, end, port] : slotOwners(victim.port())) {
    if (port == victim_port) victim_ranges.emplace_back(start, end);
  }
  if (victim_ranges.empty()) throw std::logic_error("killPrimaryAndAwaitFailover: no slots");
  victim.kill();

  const auto deadline = Clock::now() + kClusterReadyTimeout;
  std::string last_problem;
  while (Clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
    last_problem = consistencyProblem();
    if (!last_problem.empty()) continue;
    // Consistent also right after the kill, before anyone noticed it: wait for the new owner.
    int64_t new_owner = -1;
    try {
      for (const auto& node : nodes_) {
        if (!node->running()) continue;
        for (const auto& [start, end, port] : slotOwners(node->port())) {
          if (start == victim_ranges.front().first) new_owner = port;
        }
        break;
      }
    } catch (const std::exception& e) {
      last_problem = e.what();
      continue;
    }
    if (new_owner < 0 || new_owner == victim_port) {
      last_problem = "the killed primary still owns its slots";
      continue;
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i]->port() == new_owner) return i;
    }
    last_problem = "slots owned by an unknown port " + std::to_string(new_owner);
  }
  throw std::runtime_error("no replica took over from port " + std::to_string(victim_port) +
                           " within 60 s: " + last_problem);
}

void RedisClusterProcess::restartAsReplica(size_t index) {
  RedisServerProcess& node = *nodes_.at(index);
  node.start();
  const auto deadline = Clock::now() + kClusterReadyTimeout;
  std::string last_problem;
  while (Clock::now() < deadline) {
    try {
      const Role role = roleOf(node.port());
      if (role.primary) {
        last_problem = "still a primary";
      } else if (!role.in_sync) {
        last_problem = "not in sync with its primary";
      } else {
        waitUntilConsistent();
        return;
      }
    } catch (const std::exception& e) {
      last_problem = e.what();
    }
    std::this_thread::sleep_for(50ms);
  }
  throw std::runtime_error("port " + std::to_string(node.port()) +
                           " did not rejoin as a replica within 60 s: " + last_problem);
}

}  // namespace parley::redis::testing
