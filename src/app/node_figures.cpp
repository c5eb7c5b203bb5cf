#include "app/node_figures.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "admin/metrics_stream.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/periodic_job.h"
#include "online/redis_keys.h"
#include "redis/redis_deployment.h"

namespace parley {
namespace {

constexpr std::chrono::milliseconds kInterval{1000};
// Five missed writes and a node drops out of the others' view.
constexpr const char* kTtlMillis = "5000";
// How long after the last question the others' figures are still read.
constexpr int64_t kWatchMillis = 10'000;

}  // namespace

NodeFigures::NodeFigures(redis::RedisDeployment& redis, Metrics& metrics, const Clock& clock,
                         std::string node_id,
                         std::function<std::vector<std::string>()> live_node_ids)
    : redis_(redis),
      metrics_(metrics),
      clock_(clock),
      node_id_(std::move(node_id)),
      live_node_ids_(std::move(live_node_ids)) {}

NodeFigures::~NodeFigures() = default;

void NodeFigures::start() {
  job_ = std::make_unique<PeriodicJob>("node-figures", kInterval, [this] { tick(); });
}

std::vector<std::string> NodeFigures::others() {
  asked_at_millis_.store(clock_.nowMillis(), std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  return others_;
}

void NodeFigures::tick() {
  publish();
  if (clock_.nowMillis() - asked_at_millis_.load(std::memory_order_relaxed) < kWatchMillis) {
    readOthers();
  }
}

void NodeFigures::publish() {
  const std::string key = redis_keys::nodeFigures(node_id_);
  const std::string figures = nodeFiguresJson(metrics_.snapshot(), clock_.nowMillis(), node_id_);
  const Result<redis::RespValue> written =
      redis_.commandSync(key, {"SET", key, figures, "PX", kTtlMillis});
  const bool ok = written.ok() && !written->isError();
  if (!ok && !failing_) {
    spdlog::warn(
        "cannot publish this node's figures to Redis ({}); other nodes' consoles miss it "
        "until it can",
        written.ok() ? written->str : written.status().reason);
  } else if (ok && failing_) {
    spdlog::info("this node's figures reach Redis again");
  }
  failing_ = !ok;
}

void NodeFigures::readOthers() {
  std::vector<std::string> command = {"MGET"};
  for (const std::string& id : live_node_ids_()) {
    if (id != node_id_) command.push_back(redis_keys::nodeFigures(id));
  }
  std::vector<std::string> read;
  if (command.size() > 1) {
    const std::string routing_key = command[1];
    const Result<redis::RespValue> reply = redis_.commandSync(routing_key, std::move(command));
    // A failed read keeps the last figures: publish() logs the outage already.
    if (!reply.ok() || reply->type != redis::RespType::kArray) return;
    for (const redis::RespValue& value : reply->elements) {
      if (value.type == redis::RespType::kBulkString) read.push_back(value.str);
    }
  }
  std::lock_guard lock(mutex_);
  others_ = std::move(read);
}

}  // namespace parley
