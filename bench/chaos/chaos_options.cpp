#include "chaos/chaos_options.h"

#include <array>
#include <utility>

namespace parley::chaos {
namespace {

constexpr std::array<std::pair<Topology, std::string_view>, 3> kTopologies{{
    {Topology::kSingle, "single"},
    {Topology::kShards3, "shards3"},
    {Topology::kCluster3r1, "cluster3r1"},
}};

constexpr std::array<std::pair<Fault, std::string_view>, 7> kFaults{{
    {Fault::kNone, "none"},
    {Fault::kNodeKill, "node-kill"},
    {Fault::kFlushAll, "flushall"},
    {Fault::kRedisRestartEmpty, "redis-restart-empty"},
    {Fault::kRedisRestartOlderCopy, "redis-restart-older-copy"},
    {Fault::kClusterFailover, "cluster-failover"},
    {Fault::kFerretDbRestart, "ferretdb-restart"},
}};

}  // namespace

std::string_view topologyName(Topology topology) {
  for (const auto& [value, name] : kTopologies) {
    if (value == topology) return name;
  }
  return "?";
}

std::optional<Topology> parseTopology(std::string_view name) {
  for (const auto& [value, known] : kTopologies) {
    if (known == name) return value;
  }
  return std::nullopt;
}

std::string_view faultName(Fault fault) {
  for (const auto& [value, name] : kFaults) {
    if (value == fault) return name;
  }
  return "?";
}

std::optional<Fault> parseFault(std::string_view name) {
  for (const auto& [value, known] : kFaults) {
    if (known == name) return value;
  }
  return std::nullopt;
}

const std::vector<Fault>& allFaults() {
  static const std::vector<Fault> faults = [] {
    std::vector<Fault> all;
    for (const auto& [value, name] : kFaults) all.push_back(value);
    return all;
  }();
  return faults;
}

std::string_view whyNotApplicable(Fault fault, Topology topology) {
  if (fault == Fault::kClusterFailover && topology != Topology::kCluster3r1) {
    return "standalone servers have no replica to promote";
  }
  return "";
}

}  // namespace parley::chaos
