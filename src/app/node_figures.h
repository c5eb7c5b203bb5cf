#pragma once
// The cluster view of the console (Overview's cluster charts, the Nodes page): every clustered
// node writes its figures (nodeFiguresJson of admin/metrics_stream.h) to Redis once a second
// with a short TTL, and reads the other live nodes' in one MGET, but only while someone watches
// (a metrics stream or GET /cluster asked within the last 10 s). Nothing to heal after a Redis
// data loss: the next second writes them again. Costs one small SET per node per second, and
// while watched one MGET per node per second of about 2 KB per live node.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace parley::redis {
class RedisDeployment;
}  // namespace parley::redis

namespace parley {

class Clock;
class Metrics;
class PeriodicJob;

class NodeFigures {
 public:
  // live_node_ids: the membership's live nodes, this one included. Everything must outlive the
  // object.
  NodeFigures(redis::RedisDeployment& redis, Metrics& metrics, const Clock& clock,
              std::string node_id, std::function<std::vector<std::string>()> live_node_ids);
  ~NodeFigures();
  NodeFigures(const NodeFigures&) = delete;
  NodeFigures& operator=(const NodeFigures&) = delete;

  // Writes this node's figures now and then every second, on a thread of its own.
  void start();
  // The other live nodes' figures as last read; returns at once. Asking is what makes the job
  // read them (the first answer after a quiet spell is empty or a few seconds old).
  std::vector<std::string> others();

 private:
  void tick();
  void publish();
  void readOthers();

  redis::RedisDeployment& redis_;
  Metrics& metrics_;
  const Clock& clock_;
  const std::string node_id_;
  const std::function<std::vector<std::string>()> live_node_ids_;
  std::atomic<int64_t> asked_at_millis_{0};
  std::mutex mutex_;
  std::vector<std::string> others_;  // guarded by mutex_
  bool failing_ = false;             // the job's thread only: logs an outage once
  std::unique_ptr<PeriodicJob> job_;
};

}  // namespace parley
