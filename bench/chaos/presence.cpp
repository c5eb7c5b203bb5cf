#include "chaos/presence.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_to.hpp>
#include <map>
#include <optional>
#include <tuple>

#include "support/http_client.h"
#include "turms/constants.pb.h"

namespace parley::chaos {
namespace {

namespace json = boost::json;
namespace pb = im::turms::proto;

constexpr size_t kMaxExamples = 5;

struct ShownDevice {
  int64_t user = 0;
  int device = 0;
  std::string node_id;
};

std::optional<std::vector<ShownDevice>> onlineDevicesSeenBy(uint16_t admin_port,
                                                            const std::vector<int64_t>& users,
                                                            const std::string& password,
                                                            std::string* failure) {
  std::string ids;
  for (const int64_t user : users) ids += (ids.empty() ? "" : ",") + std::to_string(user);
  try {
    const auto response =
        testing::httpRequest(admin_port, "GET", "/users/online-statuses?ids=" + ids, "",
                             {{"Authorization", testing::basicAuth("admin", password)}});
    const json::value body = json::parse(response.body);
    if (response.status != 200 || body.at("code").to_number<int>() != 1000) {
      *failure = "HTTP " + std::to_string(response.status) + " " + response.body.substr(0, 200);
      return std::nullopt;
    }
    std::vector<ShownDevice> shown;
    for (const json::value& status : body.at("data").as_array()) {
      const int64_t user = status.at("userId").to_number<int64_t>();
      const json::object& sessions = status.at("deviceTypeToSessionInfo").as_object();
      for (const auto& [name, info] : sessions) {
        pb::DeviceType device = pb::UNKNOWN;
        pb::DeviceType_Parse(std::string(name), &device);
        shown.push_back(ShownDevice{user, device, json::value_to<std::string>(info.at("nodeId"))});
      }
    }
    return shown;
  } catch (const std::exception& e) {
    *failure = e.what();
    return std::nullopt;
  }
}

std::string describe(int64_t user, int device) {
  return "user " + std::to_string(user) + " " +
         pb::DeviceType_Name(static_cast<pb::DeviceType>(device));
}

void addExample(PresenceReport& report, std::string example) {
  if (report.examples.size() < kMaxExamples) report.examples.push_back(std::move(example));
}

}  // namespace

PresenceReport checkPresence(const NodeDirectory& nodes, const Ledger& ledger,
                             const std::vector<int64_t>& users, const std::string& admin_password,
                             Clock::duration ghost_after, TimePoint judged_since) {
  PresenceReport report;
  report.complete = true;
  const auto asked_at = Clock::now();
  std::vector<std::pair<NodeEndpoint, std::optional<std::vector<ShownDevice>>>> views;
  for (const size_t index : nodes.upNodes()) {
    const NodeEndpoint node = nodes.get(index);
    std::string failure;
    auto view = onlineDevicesSeenBy(node.admin_port, users, admin_password, &failure);
    if (!view) {
      report.complete = false;
      addExample(report, node.node_id + " did not answer: " + failure);
    }
    views.emplace_back(node, std::move(view));
  }
  // Connected across the whole question: opened before it and still open after it.
  std::vector<EpochRecord> connected;
  for (EpochRecord& epoch : ledger.epochsSince(asked_at)) {
    if (!epoch.closed && epoch.logged_in < asked_at) connected.push_back(std::move(epoch));
  }
  // Read after the question: a device connected at any moment of it shows a time after asked_at.
  const auto last_connected = ledger.lastConnected();

  for (const auto& [node, view] : views) {
    if (!view) {
      for (const EpochRecord& epoch : connected) report.missing_users.insert(epoch.user);
      continue;
    }
    for (const EpochRecord& epoch : connected) {
      bool shown = false;
      for (const ShownDevice& device : *view) {
        shown = shown || (device.user == epoch.user && device.device == epoch.device &&
                          device.node_id == epoch.node_id);
      }
      if (!shown) {
        report.missing_users.insert(epoch.user);
        addExample(report, describe(epoch.user, epoch.device) + " connected to " + epoch.node_id +
                               " but not shown there by " + node.node_id);
      }
    }
    if (ghost_after == Clock::duration::zero()) continue;
    for (const ShownDevice& device : *view) {
      const auto found = last_connected.find({device.user, device.device});
      const std::optional<TimePoint> seen =
          found == last_connected.end() ? std::nullopt : std::optional(found->second);
      if (seen && *seen >= asked_at) continue;  // connected during the question
      if (seen && *seen > asked_at - ghost_after) {
        ++report.unjudged;
        continue;
      }
      if (seen && *seen < judged_since) {
        report.earlier_ghost_users.insert(device.user);
        continue;
      }
      report.ghost_users.insert(device.user);
      addExample(report,
                 node.node_id + " shows " + describe(device.user, device.device) + " online on " +
                     device.node_id + " with no connection for " +
                     (seen ? std::to_string(
                                 std::chrono::duration_cast<std::chrono::seconds>(asked_at - *seen)
                                     .count()) +
                                 " s"
                           : std::string("the whole run")));
    }
  }
  return report;
}

}  // namespace parley::chaos
