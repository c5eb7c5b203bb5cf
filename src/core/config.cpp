#include "core/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

namespace parley {
namespace {

// One settable key: where it lives and how to parse it. Members are reached through accessor
// lambdas so that nested structs need no pointer-to-member chains.
struct KeySpec {
  std::string key;
  std::string flag;
  std::string help;
  std::function<void(Config&, const std::string& value)> set;
  // A TOML array of this key holds integers rather than strings.
  bool integer_items = false;
  // The key's current value as text (configValues()); reads a copy, since the accessors that
  // reach members take a mutable Config.
  std::function<std::string(Config&)> show;
};

std::string joinList(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ",") + item;
  return joined;
}

// The value of an accessor as configuration text: numbers and booleans as TOML writes them,
// lists comma-separated as flags take them.
std::string valueText(const std::string& value) { return value; }
std::string valueText(bool value) { return value ? "true" : "false"; }
std::string valueText(int value) { return std::to_string(value); }
std::string valueText(uint64_t value) { return std::to_string(value); }
std::string valueText(const std::vector<std::string>& values) { return joinList(values); }
std::string valueText(const std::vector<int64_t>& values) {
  std::vector<std::string> items;
  for (const int64_t value : values) items.push_back(std::to_string(value));
  return joinList(items);
}
std::string valueText(const std::vector<CustomSetting>& settings) {
  std::vector<std::string> names;
  for (const CustomSetting& setting : settings) names.push_back(setting.name);
  return joinList(names);
}

std::string valueText(const std::vector<AutoBlockLevel>& levels) {
  std::vector<std::string> items;
  for (const AutoBlockLevel& level : levels) {
    items.push_back(std::to_string(level.block_millis) + ":" +
                    std::to_string(level.forgive_one_after_millis) + ":" +
                    std::to_string(level.offences));
  }
  return joinList(items);
}

template <typename Get>
KeySpec shown(KeySpec spec, Get get) {
  spec.show = [get](Config& c) { return valueText(get(c)); };
  return spec;
}

std::string envNameForFlag(const std::string& flag) {
  std::string env = "PARLEY_";
  for (char c : flag.substr(2)) {
    env += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return env;
}

template <typename Int>
Int parseInt(const std::string& key, const std::string& text, Int min, Int max) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw ConfigError("config key '" + key + "': '" + text + "' is not a whole number");
  }
  if (value < min || value > max) {
    throw ConfigError("config key '" + key + "': " + text + " is out of range [" +
                      std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

bool parseBool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  throw ConfigError("config key '" + key + "': '" + text + "' is not true or false");
}

template <typename Get>
KeySpec intKey(std::string key, std::string flag, std::string help, int min, int max, Get get) {
  return shown(KeySpec{key, std::move(flag), std::move(help),
                       [key, min, max, get](Config& c, const std::string& v) {
                         get(c) = parseInt<int>(key, v, min, max);
                       }},
               get);
}
template <typename Get>
KeySpec u64Key(std::string key, std::string flag, std::string help, uint64_t min, uint64_t max,
               Get get) {
  return shown(KeySpec{key, std::move(flag), std::move(help),
                       [key, min, max, get](Config& c, const std::string& v) {
                         get(c) = parseInt<uint64_t>(key, v, min, max);
                       }},
               get);
}
template <typename Get>
KeySpec boolKey(std::string key, std::string flag, std::string help, Get get) {
  return shown(KeySpec{key, std::move(flag), std::move(help),
                       [key, get](Config& c, const std::string& v) { get(c) = parseBool(key, v); }},
               get);
}
template <typename Get>
KeySpec stringKey(std::string key, std::string flag, std::string help,
                  std::vector<std::string> allowed, Get get) {
  return shown(
      KeySpec{key, std::move(flag), std::move(help),
              [key, allowed, get](Config& c, const std::string& v) {
                if (!allowed.empty() &&
                    std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
                  std::string list;
                  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
                  throw ConfigError("config key '" + key + "': '" + v + "' is not one of: " + list);
                }
                get(c) = v;
              }},
      get);
}

// A list of strings: a TOML array, or comma-separated text in flags and environment variables
// (commas inside a URI's userinfo must be percent-encoded). Blank items are dropped.
std::vector<std::string> splitList(const std::string& v) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    std::string item = v.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) items.push_back(std::move(item));
    start = comma + 1;
  }
  return items;
}

template <typename Get>
KeySpec listKey(std::string key, std::string flag, std::string help, Get get) {
  return shown(KeySpec{key, std::move(flag), std::move(help),
                       [get](Config& c, const std::string& v) { get(c) = splitList(v); }},
               get);
}

// Comma-separated whole numbers (a TOML array of integers), at most max_items, without repeats.
template <typename Get>
KeySpec int64ListKey(std::string key, std::string flag, std::string help, size_t max_items,
                     Get get) {
  return shown(
      KeySpec{key, std::move(flag), std::move(help),
              [key, max_items, get](Config& c, const std::string& v) {
                std::vector<int64_t> values;
                for (const std::string& item : splitList(v)) {
                  const int64_t value = parseInt<int64_t>(key, item, INT64_MIN, INT64_MAX);
                  if (std::find(values.begin(), values.end(), value) != values.end()) {
                    throw ConfigError("config key '" + key + "': " + item + " is listed twice");
                  }
                  values.push_back(value);
                }
                if (values.size() > max_items) {
                  throw ConfigError("config key '" + key + "': more than " +
                                    std::to_string(max_items) + " values");
                }
                get(c) = std::move(values);
              },
              /*integer_items=*/true},
      get);
}

// A list of allowed custom settings (core/custom_setting.h), one NAME:TYPE[:OPTION]... per item.
template <typename Get>
KeySpec customSettingsKey(std::string key, std::string flag, std::string help, Get get) {
  return shown(KeySpec{key, std::move(flag), std::move(help),
                       [key, get](Config& c, const std::string& v) {
                         std::vector<CustomSetting> allowed;
                         for (const std::string& item : splitList(v)) {
                           CustomSetting setting;
                           try {
                             setting = parseCustomSetting(item);
                           } catch (const ConfigError& e) {
                             throw ConfigError("config key '" + key + "': " + e.what());
                           }
                           for (const CustomSetting& earlier : allowed) {
                             if (earlier.name == setting.name) {
                               throw ConfigError("config key '" + key + "': '" + setting.name +
                                                 "' is listed twice");
                             }
                           }
                           allowed.push_back(std::move(setting));
                         }
                         get(c) = std::move(allowed);
                       }},
               get);
}

constexpr int kMaxPort = 65535;

// gateway.throttle.<name>.{capacity,tokens-per-period,refill-interval-millis}.
std::vector<KeySpec> tokenBucketKeys(const std::string& name, const std::string& what,
                                     TokenBucketConfig ThrottleConfig::*bucket) {
  const std::string key = "gateway.throttle." + name;
  const std::string flag = "--throttle-" + name;
  return {
      intKey(
          key + ".capacity", flag + "-capacity", what + ": the most allowed at once", 1,
          1000000, [bucket](Config & c) -> auto& { return (c.gateway.throttle.*bucket).capacity; }),
      intKey(
          key + ".tokens-per-period", flag + "-tokens-per-period",
          what + ": allowed again per refill interval", 1, 1000000,
          [bucket](Config & c) -> auto& { return (c.gateway.throttle.*bucket).tokens_per_period; }),
      intKey(
          key + ".refill-interval-millis", flag + "-refill-interval-millis",
          what + ": the refill interval; 0 = never refill", 0, 24 * 3600 * 1000,
          [bucket](Config & c) -> auto& {
            return (c.gateway.throttle.*bucket).refill_interval_millis;
          }),
  };
}

// <prefix>.tls.{cert-file,key-file,client-ca-file,require-client-cert}.
template <typename Get>
std::vector<KeySpec> tlsFilesKeys(const std::string& prefix, const std::string& flag_prefix,
                                  const std::string& what, Get files) {
  const std::string key = prefix + ".tls.";
  const std::string flag = "--" + flag_prefix + "tls-";
  return {
      stringKey(
          key + "cert-file", flag + "cert-file", what + ": PEM certificate, then its intermediates",
          {}, [files](Config & c) -> auto& { return files(c).cert_file; }),
      stringKey(
          key + "key-file", flag + "key-file", what + ": PEM private key",
          {}, [files](Config & c) -> auto& { return files(c).key_file; }),
      stringKey(
          key + "client-ca-file", flag + "client-ca-file",
          what + ": PEM CAs whose client certificates are accepted; empty = none asked",
          {}, [files](Config & c) -> auto& { return files(c).client_ca_file; }),
      boolKey(
          key + "require-client-cert", flag + "require-client-cert",
          what + ": refuse clients without a certificate from client-ca-file",
          [files](Config & c) -> auto& { return files(c).require_client_cert; }),
  };
}

// gateway.throttle.<name>.{free-attempts,first-backoff-millis,max-backoff-millis}.
std::vector<KeySpec> loginBackoffKeys(const std::string& name, const std::string& whose,
                                      LoginBackoffConfig ThrottleConfig::*backoff) {
  const std::string key = "gateway.throttle." + name;
  const std::string flag = "--throttle-" + name;
  return {
      intKey(
          key + ".free-attempts", flag + "-free-attempts",
          "failed logins of " + whose + " before it must wait", 1, 1000000,
          [backoff](Config & c) -> auto& { return (c.gateway.throttle.*backoff).free_attempts; }),
      intKey(
          key + ".first-backoff-millis", flag + "-first-backoff-millis",
          "the first wait of " + whose + " (doubling with each further failure)", 1,
          24 * 3600 * 1000,
          [backoff](Config & c) -> auto& {
            return (c.gateway.throttle.*backoff).first_backoff_millis;
          }),
      intKey(
          key + ".max-backoff-millis", flag + "-max-backoff-millis",
          "the longest wait of " + whose + "; failures are forgotten after as long without one", 1,
          24 * 3600 * 1000,
          [backoff](Config & c) -> auto& {
            return (c.gateway.throttle.*backoff).max_backoff_millis;
          }),
  };
}

// Auto-block levels, one BLOCK_MILLIS:FORGIVE_ONE_AFTER_MILLIS:OFFENCES per item, in order.
template <typename Get>
KeySpec autoBlockLevelsKey(std::string key, std::string flag, std::string help, Get get) {
  return shown(
      KeySpec{key, std::move(flag), std::move(help),
              [key, get](Config& c, const std::string& v) {
                std::vector<AutoBlockLevel> levels;
                for (const std::string& item : splitList(v)) {
                  const size_t first = item.find(':');
                  const size_t second =
                      first == std::string::npos ? std::string::npos : item.find(':', first + 1);
                  if (second == std::string::npos) {
                    throw ConfigError("config key '" + key + "': '" + item +
                                      "' is not BLOCK_MILLIS:FORGIVE_ONE_AFTER_MILLIS:OFFENCES");
                  }
                  levels.push_back(
                      {parseInt<int64_t>(key, item.substr(0, first), 1,
                                         int64_t{365} * 24 * 3600 * 1000),
                       parseInt<int64_t>(key, item.substr(first + 1, second - first - 1), 0,
                                         int64_t{24} * 3600 * 1000),
                       parseInt<int>(key, item.substr(second + 1), 1, 1000000)});
                }
                if (levels.size() > 10) {
                  throw ConfigError("config key '" + key + "': more than 10 levels");
                }
                get(c) = std::move(levels);
              }},
      get);
}

std::vector<KeySpec> blocklistKeys() {
  return {
      boolKey(
          "blocklist.enabled", "--blocklist",
          "refuse blocked client IPs and user ids (admin API /blocked-clients; 701)",
          [](Config & c) -> auto& { return c.blocklist.enabled; }),
      intKey(
          "blocklist.sync-interval-millis", "--blocklist-sync-interval-millis",
          "how often a node refreshes its copy of the shared blocklists", 100, 3600 * 1000,
          [](Config & c) -> auto& { return c.blocklist.sync_interval_millis; }),
      boolKey(
          "blocklist.auto-block.enabled", "--auto-block",
          "block IPs and users by themselves for repeated corrupted frames or requests and "
          "requests over a throttle",
          [](Config & c) -> auto& { return c.blocklist.auto_block; }),
      autoBlockLevelsKey(
          "blocklist.auto-block.levels", "--auto-block-levels",
          "BLOCK_MILLIS:FORGIVE_ONE_AFTER_MILLIS:OFFENCES per level, in order (default "
          "600000:60000:5,1800000:60000:1,3600000:60000:1)",
          [](Config & c) -> auto& { return c.blocklist.auto_block_levels; }),
  };
}

std::vector<KeySpec> throttleKeys() {
  std::vector<KeySpec> keys = {boolKey(
      "gateway.throttle.enabled", "--throttle",
      "limit requests, new connections and failed logins per client IP and per user (1101)",
      [](Config & c) -> auto& { return c.gateway.throttle.enabled; })};
  for (auto group :
       {tokenBucketKeys("ip-requests", "requests from one IP", &ThrottleConfig::ip_requests),
        tokenBucketKeys("user-requests", "requests of one user on this node",
                        &ThrottleConfig::user_requests),
        tokenBucketKeys("ip-connections", "new connections from one IP",
                        &ThrottleConfig::ip_connections),
        loginBackoffKeys("user-login-failures", "one user id",
                         &ThrottleConfig::user_login_failures),
        loginBackoffKeys("ip-login-failures", "one IP", &ThrottleConfig::ip_login_failures)}) {
    keys.insert(keys.end(), group.begin(), group.end());
  }
  return keys;
}

const std::vector<KeySpec>& specs() {
  static const std::vector<KeySpec> kSpecs = [] {
    std::vector<KeySpec> specs = {
        stringKey(
            "node.id", "--node-id", "this node's id (unique in a cluster)", {},
            [](Config & c) -> auto& { return c.node.id; }),
        intKey(
            "node.io-threads", "--io-threads", "io threads; 0 = one per core", 0, 256,
            [](Config & c) -> auto& { return c.node.io_threads; }),
        intKey(
            "node.blocking-threads", "--blocking-threads",
            "threads for store, hashing and Redis calls (requests in flight at once)", 1, 1024,
            [](Config & c) -> auto& { return c.node.blocking_threads; }),
        intKey(
            "node.worker-id", "--worker-id",
            "0..1023, inside every message id: unique per node in a cluster; -1 = from a hash of "
            "node.id",
            -1, 1023, [](Config & c) -> auto& { return c.node.worker_id; }),
        stringKey(
            "gateway.bind", "--bind", "address the client ports listen on", {},
            [](Config & c) -> auto& { return c.gateway.bind; }),
        intKey(
            "gateway.ws-port", "--ws-port", "WebSocket port; 0 = any free port, -1 = off", -1,
            kMaxPort, [](Config & c) -> auto& { return c.gateway.ws_port; }),
        intKey(
            "gateway.tcp-port", "--tcp-port", "raw TCP port; 0 = any free port, -1 = off", -1,
            kMaxPort, [](Config & c) -> auto& { return c.gateway.tcp_port; }),
        boolKey(
            "gateway.ws-tls", "--ws-tls", "wss:// on the WebSocket port (gateway.tls.* files)",
            [](Config & c) -> auto& { return c.gateway.ws_tls; }),
        boolKey(
            "gateway.tcp-tls", "--tcp-tls", "TLS on the raw TCP port (gateway.tls.* files)",
            [](Config & c) -> auto& { return c.gateway.tcp_tls; }),
        intKey(
            "gateway.max-request-size-bytes", "--max-request-size-bytes",
            "largest accepted request frame", 64, 64 * 1024 * 1024,
            [](Config & c) -> auto& { return c.gateway.max_request_size_bytes; }),
        intKey(
            "gateway.max-unsent-bytes", "--max-unsent-bytes",
            "frames queued for a client that is not reading before it is dropped", 64 * 1024,
            1024 * 1024 * 1024, [](Config & c) -> auto& { return c.gateway.max_unsent_bytes; }),
        intKey(
            "gateway.close-idle-session-after-seconds", "--close-idle-session-after-seconds",
            "close sessions without requests or heartbeats for this long (status 110)", 1,
            24 * 3600,
            [](Config & c) -> auto& { return c.gateway.close_idle_session_after_seconds; }),
        intKey(
            "gateway.login-timeout-seconds", "--login-timeout-seconds",
            "close connections that do not log in within this time (status 111)", 1, 24 * 3600,
            [](Config & c) -> auto& { return c.gateway.login_timeout_seconds; }),
        intKey(
            "gateway.close-timeout-millis", "--close-timeout-millis",
            "after a close signal, wait this long for the client to close", 0, 600000,
            [](Config & c) -> auto& { return c.gateway.close_timeout_millis; }),
        boolKey(
            "gateway.notify-session-info-after-login", "--notify-session-info-after-login",
            "push user_session {session_id, server_id} after login",
            [](Config & c) -> auto& { return c.gateway.notify_session_info_after_login; }),
        boolKey(
            "gateway.return-reason-for-server-error", "--return-reason-for-server-error",
            "include reasons in 12xx responses",
            [](Config & c) -> auto& { return c.gateway.return_reason_for_server_error; }),
        int64ListKey(
            "group.creatable-type-ids", "--group-creatable-type-ids",
            "group types users may create groups with (as upstream's default user role: 0, the "
            "DEFAULT type); empty = none",
            1000, [](Config & c) -> auto& { return c.group.creatable_type_ids; }),
        boolKey(
            "group.allow-group-owner-change-group-type", "--allow-group-owner-change-group-type",
            "UpdateGroupRequest may change the group's type (to a creatable one); off = 3102",
            [](Config & c) -> auto& { return c.group.allow_group_owner_change_group_type; }),
        intKey(
            "message.max-text-length", "--max-text-length", "characters per message", 0, 1000000,
            [](Config & c) -> auto& { return c.message.max_text_length; }),
        intKey(
            "message.recall-window-seconds", "--recall-window-seconds",
            "how long a sender may recall a message", 0, 365 * 24 * 3600,
            [](Config & c) -> auto& { return c.message.recall_window_seconds; }),
        boolKey(
            "message.allow-send-to-oneself", "--allow-send-to-oneself",
            "private messages to oneself",
            [](Config & c) -> auto& { return c.message.allow_send_to_oneself; }),
        boolKey(
            "message.allow-send-to-stranger", "--allow-send-to-stranger",
            "private messages to users who do not have the sender as a contact",
            [](Config & c) -> auto& { return c.message.allow_send_to_stranger; }),
        boolKey(
            "message.owner-and-managers-speak-in-muted-group",
            "--owner-and-managers-speak-in-muted-group",
            "a group's owner and managers still send messages while the group is muted",
            [](Config & c) -> auto& { return c.message.owner_and_managers_speak_in_muted_group; }),
        boolKey(
            "message.use-sequence-ids", "--use-sequence-ids", "per-conversation sequence ids",
            [](Config & c) -> auto& { return c.message.use_sequence_ids; }),
        boolKey(
            "user.respond-offline-if-invisible", "--respond-offline-if-invisible",
            "others see an INVISIBLE user as OFFLINE (else as INVISIBLE, upstream's default)",
            [](Config & c) -> auto& { return c.user.respond_offline_if_invisible; }),
        customSettingsKey(
            "user.settings.allowed", "--user-settings-allowed",
            "settings users may store, NAME:TYPE[:OPTION]... each (see the README); none by "
            "default",
            [](Config & c) -> auto& { return c.user.allowed_settings; }),
        customSettingsKey(
            "user.info.user-defined-attributes.allowed", "--user-defined-attributes-allowed",
            "user-defined attributes of profiles (UpdateUserRequest), NAME:TYPE[:OPTION]... each; "
            "none by default",
            [](Config & c) -> auto& { return c.user.allowed_attributes; }),
        boolKey(
            "user.info.user-defined-attributes.ignore-unknown-on-upsert",
            "--user-defined-attributes-ignore-unknown-on-upsert",
            "an update naming an attribute not allowed skips it (else the update is refused)",
            [](Config & c) -> auto& { return c.user.ignore_unknown_attributes_on_upsert; }),
        boolKey(
            "user.search-by-name", "--user-search-by-name",
            "QueryUserProfilesRequest's name searches users by name prefix (false: 7100)",
            [](Config & c) -> auto& { return c.user.search_by_name; }),
        boolKey(
            "user.settings.ignore-unknown-on-upsert", "--user-settings-ignore-unknown-on-upsert",
            "an update naming a setting not allowed skips it (else the update is refused)",
            [](Config & c) -> auto& { return c.user.ignore_unknown_settings_on_upsert; }),
        boolKey(
            "user.settings.ignore-unknown-on-delete", "--user-settings-ignore-unknown-on-delete",
            "a delete naming a setting not allowed skips it (else the delete is refused)",
            [](Config & c) -> auto& { return c.user.ignore_unknown_settings_on_delete; }),
        intKey(
            "friend-request.max-content-length", "--friend-request-max-content-length",
            "characters of a friend request's text; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.friend_request.max_content_length; }),
        intKey(
            "friend-request.max-reason-length", "--friend-request-max-reason-length",
            "characters of a reply's reason; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.friend_request.max_reason_length; }),
        intKey(
            "friend-request.expire-after-seconds", "--friend-request-expire-after-seconds",
            "a pending request expires this long after it was sent; 0 = never", 0, 1000000000,
            [](Config & c) -> auto& { return c.friend_request.expire_after_seconds; }),
        boolKey(
            "friend-request.allow-resend-after-declined-ignored-expired",
            "--friend-request-allow-resend",
            "ask again after a declined, ignored or expired request", [](Config & c) -> auto& {
              return c.friend_request.allow_resend_after_declined_ignored_expired;
            }),
        boolKey(
            "friend-request.allow-recall-pending", "--friend-request-allow-recall",
            "requesters may recall (DeleteFriendRequest) their pending requests",
            [](Config & c) -> auto& { return c.friend_request.allow_recall_pending; }),
        boolKey(
            "friend-request.delete-expired", "--friend-request-delete-expired",
            "the hourly cleanup deletes requests older than the expiry",
            [](Config & c) -> auto& { return c.friend_request.delete_expired; }),
        intKey(
            "group.invitation.max-content-length", "--group-invitation-max-content-length",
            "characters of a group invitation's text; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.group.invitation.max_content_length; }),
        intKey(
            "group.invitation.max-reason-length", "--group-invitation-max-reason-length",
            "characters of an invitee's reason; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.group.invitation.max_reason_length; }),
        intKey(
            "group.invitation.expire-after-seconds", "--group-invitation-expire-after-seconds",
            "a pending invitation expires this long after it was sent; 0 = never", 0, 1000000000,
            [](Config & c) -> auto& { return c.group.invitation.expire_after_seconds; }),
        boolKey(
            "group.invitation.allow-recall-by-owner-and-manager",
            "--group-invitation-allow-recall-by-owner-and-manager",
            "the group's owner and managers may recall pending invitations",
            [](Config & c) -> auto& {
              return c.group.invitation.allow_recall_by_owner_and_manager;
            }),
        boolKey(
            "group.invitation.allow-recall-by-sender", "--group-invitation-allow-recall-by-sender",
            "inviters may recall their pending invitations",
            [](Config & c) -> auto& { return c.group.invitation.allow_recall_by_sender; }),
        boolKey(
            "group.invitation.delete-expired", "--group-invitation-delete-expired",
            "the hourly cleanup deletes invitations older than the expiry",
            [](Config & c) -> auto& { return c.group.invitation.delete_expired; }),
        intKey(
            "group.join-request.max-content-length", "--group-join-request-max-content-length",
            "characters of a group join request's text; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.group.join_request.max_content_length; }),
        intKey(
            "group.join-request.max-reason-length", "--group-join-request-max-reason-length",
            "characters of an answer's reason; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.group.join_request.max_reason_length; }),
        intKey(
            "group.join-request.expire-after-seconds", "--group-join-request-expire-after-seconds",
            "a pending join request expires this long after it was sent; 0 = never", 0, 1000000000,
            [](Config & c) -> auto& { return c.group.join_request.expire_after_seconds; }),
        boolKey(
            "group.join-request.allow-recall-by-sender", "--group-join-request-allow-recall",
            "senders may recall their pending join requests",
            [](Config & c) -> auto& { return c.group.join_request.allow_recall_by_sender; }),
        boolKey(
            "group.join-request.delete-expired", "--group-join-request-delete-expired",
            "the hourly cleanup deletes join requests older than the expiry",
            [](Config & c) -> auto& { return c.group.join_request.delete_expired; }),
        intKey(
            "group.question.max-question-length", "--group-question-max-question-length",
            "characters of a group join question; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.group.question.max_question_length; }),
        intKey(
            "group.question.max-answer-length", "--group-question-max-answer-length",
            "characters of each accepted answer of a join question; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.group.question.max_answer_length; }),
        intKey(
            "group.question.max-answer-count", "--group-question-max-answer-count",
            "accepted answers of one join question; 0 = no limit", 0, 1000000,
            [](Config & c) -> auto& { return c.group.question.max_answer_count; }),
        boolKey(
            "location.enabled", "--location-enabled",
            "user locations and nearby users (false: their requests answer 2200)",
            [](Config & c) -> auto& { return c.location.enabled; }),
        boolKey(
            "location.treat-user-id-and-device-type-as-unique-user", "--location-per-device",
            "each device of a user has its own position (nearby users answered per device)",
            [](Config & c) -> auto& {
              return c.location.treat_user_id_and_device_type_as_unique_user;
            }),
        intKey(
            "location.nearby-user-request.default-max-nearby-user-count",
            "--nearby-default-max-count", "users a nearby query answers when it names no count", 1,
            10000, [](Config & c) -> auto& { return c.location.default_max_nearby_user_count; }),
        intKey(
            "location.nearby-user-request.max-nearby-user-count", "--nearby-max-count",
            "the largest count a nearby query may ask for", 1, 10000,
            [](Config & c) -> auto& { return c.location.max_nearby_user_count; }),
        intKey(
            "location.nearby-user-request.default-max-distance-meters",
            "--nearby-default-max-distance", "radius of a nearby query that names none (m)", 1,
            20'000'000, [](Config & c) -> auto& { return c.location.default_max_distance_meters; }),
        intKey(
            "location.nearby-user-request.max-distance-meters", "--nearby-max-distance",
            "the largest radius a nearby query may ask for (m)", 1, 20'000'000,
            [](Config & c) -> auto& { return c.location.max_distance_meters; }),
        stringKey(
            "admin.bind", "--admin-bind", "address the admin HTTP API listens on", {},
            [](Config & c) -> auto& { return c.admin.bind; }),
        intKey(
            "admin.port", "--admin-port", "admin HTTP port; 0 = any free port, -1 = off", -1,
            kMaxPort, [](Config & c) -> auto& { return c.admin.port; }),
        boolKey(
            "admin.https", "--admin-https", "HTTPS on the admin port (admin.tls.* files)",
            [](Config & c) -> auto& { return c.admin.https; }),
        stringKey(
            "admin.password", "--admin-password",
            "admin API password (HTTP Basic user 'admin', or Bearer); empty = random, logged", {},
            [](Config & c) -> auto& { return c.admin.password; }),
        stringKey(
            "admin.console-dir", "--console-dir",
            "directory of the built web console served at /console/; empty = beside the binary", {},
            [](Config & c) -> auto& { return c.admin.console_dir; }),
        stringKey(
            "store.data-dir", "--data-dir", "directory of the embedded SQLite store", {},
            [](Config & c) -> auto& { return c.store.data_dir; }),
        stringKey(
            "mongo.uri", "--mongo-uri",
            "MongoDB URI for business data (standalone, replica set or mongos); empty = SQLite", {},
            [](Config & c) -> auto& { return c.mongo.uri; }),
        stringKey(
            "mongo.database", "--mongo-database", "MongoDB database of the business data", {},
            [](Config & c) -> auto& { return c.mongo.database; }),
        stringKey(
            "mongo.write-concern", "--mongo-write-concern",
            "write concern: majority or a number of nodes", {},
            [](Config & c) -> auto& { return c.mongo.write_concern; }),
        intKey(
            "mongo.pool-size", "--mongo-pool-size", "MongoDB connections per node", 1, 1024,
            [](Config & c) -> auto& { return c.mongo.pool_size; }),
        intKey(
            "mongo.timeout-ms", "--mongo-timeout-ms",
            "MongoDB server selection, socket and write timeouts", 100, 600000,
            [](Config & c) -> auto& { return c.mongo.timeout_ms; }),
        listKey(
            "redis.session.uris", "--redis-session-uris",
            "Redis for the session registry: redis://h:p (one node), several (shards by user id) "
            "or redis+cluster://seed; empty = in-process",
            [](Config & c) -> auto& { return c.redis.session_uris; }),
        listKey(
            "redis.sequence.uris", "--redis-sequence-uris",
            "Redis for per-conversation sequence ids; empty = the session URIs",
            [](Config & c) -> auto& { return c.redis.sequence_uris; }),
        listKey(
            "redis.location.uris", "--redis-location-uris",
            "Redis for user locations (nearby users); empty = the session URIs",
            [](Config & c) -> auto& { return c.redis.location_uris; }),
        intKey(
            "redis.timeout-ms", "--redis-timeout-ms", "Redis connect and command timeout", 50,
            600000, [](Config & c) -> auto& { return c.redis.timeout_ms; }),
        intKey(
            "redis.sequence.lease-size", "--redis-sequence-lease-size",
            "sequence ids per durable lease: at most this many are skipped when Redis loses a "
            "counter, and a conversation writes its bound to the store once per this many",
            1, 1000000, [](Config & c) -> auto& { return c.redis.sequence_lease_size; }),
        stringKey(
            "redis.tls.ca-file", "--redis-tls-ca-file",
            "rediss://: PEM CAs that sign the Redis servers' certificates; empty = the system's",
            {}, [](Config & c) -> auto& { return c.redis.tls.ca_file; }),
        stringKey(
            "redis.tls.cert-file", "--redis-tls-cert-file",
            "rediss://: PEM client certificate (Redis asks for one unless tls-auth-clients is no)",
            {}, [](Config & c) -> auto& { return c.redis.tls.cert_file; }),
        stringKey(
            "redis.tls.key-file", "--redis-tls-key-file",
            "rediss://: PEM key of the client certificate", {},
            [](Config & c) -> auto& { return c.redis.tls.key_file; }),
        stringKey(
            "cluster.rpc-bind", "--rpc-bind", "address the node-to-node RPC port listens on", {},
            [](Config & c) -> auto& { return c.cluster.rpc_bind; }),
        intKey(
            "cluster.rpc-port", "--rpc-port", "node-to-node RPC port; 0 = any free port", 0,
            kMaxPort, [](Config & c) -> auto& { return c.cluster.rpc_port; }),
        stringKey(
            "cluster.rpc-advertise-host", "--rpc-advertise-host",
            "address other nodes use to reach this one; empty = rpc-bind", {},
            [](Config & c) -> auto& { return c.cluster.rpc_advertise_host; }),
        intKey(
            "cluster.heartbeat-interval-millis", "--cluster-heartbeat-interval-millis",
            "node heartbeat and session refresh / self-healing tick", 50, 600000,
            [](Config & c) -> auto& { return c.cluster.heartbeat_interval_millis; }),
        intKey(
            "cluster.node-stale-after-millis", "--node-stale-after-millis",
            "a node silent this long is dead and its sessions offline", 100, 3600000,
            [](Config & c) -> auto& { return c.cluster.node_stale_after_millis; }),
        stringKey(
            "cluster.secret", "--cluster-secret",
            "authenticates node-to-node RPC: the same on every node, >= 16 bytes; required unless "
            "rpc-bind is loopback",
            {}, [](Config & c) -> auto& { return c.cluster.secret; }),
        stringKey(
            "cluster.secret-file", "--cluster-secret-file",
            "file holding cluster.secret (trailing newlines ignored)", {},
            [](Config & c) -> auto& { return c.cluster.secret_file; }),
        intKey(
            "cluster.rpc-max-frame-bytes", "--rpc-max-frame-bytes",
            "largest node-to-node RPC frame; larger ones close the connection", 64 * 1024,
            256 * 1024 * 1024, [](Config & c) -> auto& { return c.cluster.rpc_max_frame_bytes; }),
        intKey(
            "cluster.rpc-max-queued-reply-bytes", "--rpc-max-queued-reply-bytes",
            "RPC replies a peer leaves unread before its connection is closed", 4 * 1024,
            256 * 1024 * 1024,
            [](Config & c) -> auto& { return c.cluster.rpc_max_queued_reply_bytes; }),
        intKey(
            "cluster.rpc-max-connections", "--rpc-max-connections",
            "RPC connections accepted at once; more are closed at once", 1, 65536,
            [](Config & c) -> auto& { return c.cluster.rpc_max_connections; }),
        intKey(
            "cluster.rpc-idle-timeout-seconds", "--rpc-idle-timeout-seconds",
            "close RPC connections without a frame this long (peers ping every quarter of it)", 4,
            24 * 3600, [](Config & c) -> auto& { return c.cluster.rpc_idle_timeout_seconds; }),
        stringKey(
            "password.algorithm", "--password-algorithm",
            "hash for new passwords: argon2id or salted-sha256", {"argon2id", "salted-sha256"},
            [](Config & c) -> auto& { return c.password.algorithm; }),
        u64Key(
            "password.argon2-ops-limit", "--argon2-ops-limit", "Argon2id passes", 1, 64,
            [](Config & c) -> auto& { return c.password.argon2_ops_limit; }),
        u64Key(
            "password.argon2-mem-limit-kib", "--argon2-mem-limit-kib", "Argon2id memory in KiB", 8,
            4 * 1024 * 1024, [](Config & c) -> auto& { return c.password.argon2_mem_limit_kib; }),
        intKey(
            "password.verification-cache-seconds", "--verification-cache-seconds",
            "remember successful logins this long (0 = off)", 0, 24 * 3600,
            [](Config & c) -> auto& { return c.password.verification_cache_seconds; }),
        intKey(
            "password.shared-verification-cache-seconds", "--shared-verification-cache-seconds",
            "the cache's second level (Redis, or the embedded node's store): an entry lives this "
            "long after its last login or session renewal (0 = off)",
            0, 7 * 24 * 3600,
            [](Config & c) -> auto& { return c.password.shared_verification_cache_seconds; }),
        stringKey(
            "password.verification-cache-secret", "--verification-cache-secret",
            "keys the verification cache (>= 32 characters, the same on every node); empty = "
            "generated once and kept in the business store",
            {}, [](Config & c) -> auto& { return c.password.verification_cache_secret; }),
        boolKey(
            "demo.enabled", "--demo-data", "seed the demo data set on an empty store",
            [](Config & c) -> auto& { return c.demo.enabled; }),
        intKey(
            "demo.user-count", "--demo-user-count", "number of demo users", 1, 1000000,
            [](Config & c) -> auto& { return c.demo.user_count; }),
        boolKey(
            "demo.distinct-password-hashes", "--demo-distinct-password-hashes",
            "give every demo user a hash of its own (one Argon2id run each when seeding)",
            [](Config & c) -> auto& { return c.demo.distinct_password_hashes; }),
        stringKey(
            "log.level", "--log-level", "trace, debug, info, warn, error",
            {"trace", "debug", "info", "warn", "error", "critical", "off"},
            [](Config & c) -> auto& { return c.log.level; }),
        stringKey(
            "log.format", "--log-format",
            "text (one line of text per entry) or json (one JSON object per line: time, level, "
            "node, thread, message)",
            {"text", "json"}, [](Config & c) -> auto& { return c.log.format; }),
    };
    for (auto group : {throttleKeys(), blocklistKeys(),
                       tlsFilesKeys("gateway", "", "client ports' TLS",
                                    [](Config& c) -> TlsFilesConfig& { return c.gateway.tls; }),
                       tlsFilesKeys("admin", "admin-", "admin HTTPS",
                                    [](Config& c) -> TlsFilesConfig& { return c.admin.tls; })}) {
      specs.insert(specs.end(), group.begin(), group.end());
    }
    return specs;
  }();
  return kSpecs;
}

const KeySpec* findSpec(const std::string& key) {
  for (const auto& spec : specs()) {
    if (spec.key == key) return &spec;
  }
  return nullptr;
}

std::string tomlLeafToText(const std::string& key, const toml::node& node) {
  if (const auto* array = node.as_array()) {
    std::string joined;
    const KeySpec* spec = findSpec(key);
    for (const auto& item : *array) {
      if (spec && spec->integer_items) {
        const auto number = item.value_exact<int64_t>();
        if (!number) throw ConfigError("config key '" + key + "': array items must be integers");
        joined += (joined.empty() ? "" : ",") + std::to_string(*number);
        continue;
      }
      auto text = item.value_exact<std::string>();
      if (!text) throw ConfigError("config key '" + key + "': array items must be strings");
      if (text->find(',') != std::string::npos) {
        throw ConfigError("config key '" + key + "': '" + *text +
                          "' contains a comma; percent-encode it (%2C)");
      }
      joined += (joined.empty() ? "" : ",") + *text;
    }
    return joined;
  }
  if (auto v = node.value_exact<std::string>()) return *v;
  if (auto v = node.value_exact<int64_t>()) return std::to_string(*v);
  if (auto v = node.value_exact<bool>()) return *v ? "true" : "false";
  throw ConfigError("config key '" + key + "': unsupported value type");
}

// Keys of earlier versions, named in the error so that an operator knows what to write instead.
ConfigError unknownKey(const std::string& source, const std::string& key) {
  static const std::map<std::string, std::string> kRenamed{
      {"redis.sequence.reseed-gap", "redis.sequence.lease-size"},
  };
  std::string message = source + ": unknown config key '" + key + "'";
  if (auto renamed = kRenamed.find(key); renamed != kRenamed.end()) {
    message += " (replaced by '" + renamed->second + "')";
  }
  return ConfigError(message);
}

void applyTable(Config& config, const toml::table& table, const std::string& prefix,
                const std::string& source) {
  for (const auto& [name, node] : table) {
    std::string key =
        prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
    if (const auto* sub = node.as_table()) {
      applyTable(config, *sub, key, source);
      continue;
    }
    if (!findSpec(key)) throw unknownKey(source, key);
    applyValue(config, key, tomlLeafToText(key, node), source);
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> configValues(const Config& config) {
  Config copy = config;
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& s : specs()) {
    values.emplace_back(s.key, s.show ? s.show(copy) : std::string());
  }
  return values;
}

const std::vector<ConfigKeyInfo>& configKeys() {
  static const std::vector<ConfigKeyInfo> kKeys = [] {
    std::vector<ConfigKeyInfo> keys;
    for (const auto& s : specs()) {
      keys.push_back({s.key, s.flag, envNameForFlag(s.flag), s.help});
    }
    return keys;
  }();
  return kKeys;
}

void applyValue(Config& config, const std::string& key, const std::string& value,
                const std::string& source) {
  const KeySpec* spec = findSpec(key);
  if (!spec) throw unknownKey(source, key);
  try {
    spec->set(config, value);
  } catch (const ConfigError& e) {
    throw ConfigError(source + ": " + e.what());
  }
}

void applyToml(Config& config, const std::string& text, const std::string& source) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": invalid TOML: " << e.description();
    throw ConfigError(out.str());
  }
  applyTable(config, table, "", source);
}

namespace {

// Loopback as the RPC server understands it (127.0.0.0/8, ::1): only there may RPC run
// without a secret.
bool isLoopbackAddress(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  return inet_pton(AF_INET6, address.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

}  // namespace

void loadClusterSecretFile(Config& config) {
  auto& cluster = config.cluster;
  if (cluster.secret_file.empty()) return;
  if (!cluster.secret.empty()) {
    throw ConfigError(
        "config keys 'cluster.secret' and 'cluster.secret-file': set one of them, not both");
  }
  std::ifstream in(cluster.secret_file, std::ios::binary);
  if (!in) {
    throw ConfigError("config key 'cluster.secret-file': cannot read '" + cluster.secret_file +
                      "'");
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  // `openssl rand -hex 32 > file` and editors end the file with a newline: not part of it.
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) {
    throw ConfigError("config key 'cluster.secret-file': '" + cluster.secret_file + "' is empty");
  }
  cluster.secret = std::move(secret);
}

// The files are read at start-up (a missing or mismatched one stops the node there); this
// checks that they are named where they are used, and used where they are named.
void validateTlsFiles(const TlsFilesConfig& tls, bool on, const std::string& prefix,
                      const std::string& switch_keys) {
  const std::string key = prefix + ".tls.";
  if (on && (tls.cert_file.empty() || tls.key_file.empty())) {
    throw ConfigError("config keys '" + key + "cert-file' and '" + key +
                      "key-file': required with " + switch_keys);
  }
  const bool named = !tls.cert_file.empty() || !tls.key_file.empty() ||
                     !tls.client_ca_file.empty() || tls.require_client_cert;
  if (!on && named) {
    // Files without the switch would leave the port in plaintext while the operator thinks
    // otherwise.
    throw ConfigError("config keys '" + key + "*': set, but " + switch_keys +
                      " is off, so the port would stay plaintext");
  }
  if (tls.require_client_cert && tls.client_ca_file.empty()) {
    throw ConfigError("config key '" + key + "require-client-cert': needs " + key +
                      "client-ca-file, the CAs that sign the client certificates");
  }
}

bool anyTlsUri(const RedisConfig& redis) {
  for (const auto* uris : {&redis.session_uris, &redis.sequence_uris, &redis.location_uris}) {
    for (const std::string& uri : *uris) {
      if (uri.rfind("rediss", 0) == 0) return true;
    }
  }
  return false;
}

void validateRedisTls(const RedisConfig& redis) {
  const auto& tls = redis.tls;
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    throw ConfigError(
        "config keys 'redis.tls.cert-file' and 'redis.tls.key-file': set both or neither");
  }
  if ((!tls.ca_file.empty() || !tls.cert_file.empty()) && !anyTlsUri(redis)) {
    throw ConfigError(
        "config keys 'redis.tls.*': set, but no Redis URI is rediss:// (or rediss+cluster://), "
        "so Redis would be spoken to in plaintext");
  }
}

void validate(const Config& config) {
  {
    // Node ids are hash fields in the Redis session registry next to device types (numbers) and
    // the status field "$", and appear in logs and metrics: keep them to a plain identifier.
    const auto& id = config.node.id;
    bool valid = !id.empty() && id.size() <= 64 && !std::isdigit(static_cast<unsigned char>(id[0]));
    for (char c : id) {
      valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
    }
    if (!valid) {
      throw ConfigError("config key 'node.id': '" + id +
                        "' must be 1 to 64 letters, digits, '_' or '-', not starting with a digit");
    }
  }
  if (config.redis.session_uris.empty() &&
      (!config.redis.sequence_uris.empty() || !config.redis.location_uris.empty())) {
    throw ConfigError(
        "config key 'redis.session.uris': must be set when other redis.*.uris are (the session "
        "registry decides between the embedded default and a cluster)");
  }
  if (config.cluster.node_stale_after_millis <= config.cluster.heartbeat_interval_millis) {
    throw ConfigError(
        "config key 'cluster.node-stale-after-millis': must be greater than "
        "cluster.heartbeat-interval-millis");
  }
  if (!config.redis.session_uris.empty() && config.cluster.rpc_port > 0 &&
      (config.cluster.rpc_port == config.gateway.ws_port ||
       config.cluster.rpc_port == config.gateway.tcp_port ||
       config.cluster.rpc_port == config.admin.port)) {
    throw ConfigError("config key 'cluster.rpc-port': collides with another port");
  }
  if (!config.mongo.uri.empty() && config.mongo.uri.rfind("mongodb", 0) != 0) {
    throw ConfigError("config key 'mongo.uri': must start with mongodb:// or mongodb+srv://");
  }
  if (config.mongo.database.empty()) {
    throw ConfigError("config key 'mongo.database': must not be empty");
  }
  {
    const auto& wc = config.mongo.write_concern;
    bool numeric = !wc.empty() && wc.find_first_not_of("0123456789") == std::string::npos;
    if (wc != "majority" && !numeric) {
      throw ConfigError("config key 'mongo.write-concern': '" + wc +
                        "' is neither 'majority' nor a number");
    }
  }
  if (const auto& secret = config.password.verification_cache_secret;
      !secret.empty() && secret.size() < 32) {
    // The secret's length is reported, never the secret.
    throw ConfigError(
        "config key 'password.verification-cache-secret': " + std::to_string(secret.size()) +
        " characters; use at least 32 (e.g. openssl rand -hex 32)");
  }
  if (const auto& secret = config.cluster.secret;
      !secret.empty() && secret.size() < kMinClusterSecretBytes) {
    // The secret's length is reported, never the secret.
    throw ConfigError("config key 'cluster.secret': " + std::to_string(secret.size()) +
                      " bytes; use at least " + std::to_string(kMinClusterSecretBytes) +
                      " (e.g. openssl rand -hex 32)");
  }
  if (!config.redis.session_uris.empty() && config.cluster.secret.empty() &&
      !isLoopbackAddress(config.cluster.rpc_bind)) {
    throw ConfigError(
        "config key 'cluster.secret': required when cluster.rpc-bind ('" + config.cluster.rpc_bind +
        "') is not a loopback address: without it anyone who reaches the RPC port can push to "
        "any user, close any session and pose as a node. Set the same secret (at least " +
        std::to_string(kMinClusterSecretBytes) +
        " bytes, e.g. openssl rand -hex 32) on every node, or cluster.secret-file");
  }
  if (config.store.data_dir.empty()) {
    throw ConfigError("config key 'store.data-dir': must not be empty");
  }
  const auto& gw = config.gateway;
  if (gw.ws_port > 0 && gw.ws_port == gw.tcp_port) {
    throw ConfigError("config keys 'gateway.ws-port' and 'gateway.tcp-port': must differ");
  }
  if (config.admin.port > 0 &&
      (config.admin.port == gw.ws_port || config.admin.port == gw.tcp_port)) {
    throw ConfigError("config key 'admin.port': collides with a client port");
  }
  validateTlsFiles(gw.tls, gw.ws_tls || gw.tcp_tls, "gateway", "gateway.ws-tls or gateway.tcp-tls");
  validateRedisTls(config.redis);
  validateTlsFiles(config.admin.tls, config.admin.https, "admin", "admin.https");
}

CommandLine parseCommandLine(int argc, const char* const* argv,
                             const std::map<std::string, std::string>& env) {
  CommandLine result;
  CLI::App app{"Parley: a Turms-compatible instant-messaging server"};
  std::string config_file;
  app.add_option("--config", config_file, "TOML configuration file")->envname("PARLEY_CONFIG");
  // For deployment scripts and service managers: a config is checked before a restart needs it.
  std::string check_file;
  app.add_option("--check-config", check_file,
                 "check this TOML configuration file (with the environment and the other flags) "
                 "and exit: 0 when it is valid, 2 with the problem when not");

  // Flags are collected as text, then applied through the same parsers as the file so that
  // every source reports errors the same way.
  std::map<std::string, std::string> flag_values;
  for (const auto& key : configKeys()) {
    auto* opt = app.add_option(key.flag, flag_values[key.key], key.help + " [" + key.key + "]");
    if (key.key == "demo.enabled") {
      // --demo-data works as a plain switch too.
      opt->expected(0, 1)->default_str("true");
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    result.exit_code = app.exit(e, out, err);
    result.exit_now = true;
    std::cout << out.str();
    if (result.exit_code != 0) throw ConfigError(err.str());
    return result;
  }

  if (!check_file.empty()) {
    if (!config_file.empty() && config_file != check_file) {
      throw ConfigError("--check-config and --config name different files");
    }
    config_file = check_file;
  }
  Config config;
  if (auto it = env.find("PARLEY_CONFIG"); config_file.empty() && it != env.end()) {
    config_file = it->second;
  }
  if (!config_file.empty()) {
    std::ifstream in(config_file);
    if (!in) throw ConfigError("cannot read config file '" + config_file + "'");
    std::stringstream text;
    text << in.rdbuf();
    applyToml(config, text.str(), config_file);
  }
  // Environment: any PARLEY_* variable must be known, so typos do not go unnoticed.
  for (const auto& [name, value] : env) {
    if (name.rfind("PARLEY_", 0) != 0 || name == "PARLEY_CONFIG") continue;
    const ConfigKeyInfo* info = nullptr;
    for (const auto& key : configKeys()) {
      if (key.env == name) info = &key;
    }
    if (!info) throw ConfigError("unknown environment variable '" + name + "'");
    applyValue(config, info->key, value, "environment " + name);
  }
  for (const auto& key : configKeys()) {
    auto* opt = app.get_option(key.flag);
    if (opt->count() == 0) continue;
    std::string value = flag_values[key.key];
    if (value.empty() && key.key == "demo.enabled") value = "true";
    applyValue(config, key.key, value, "flag " + key.flag);
  }
  loadClusterSecretFile(config);
  validate(config);
  result.config = std::move(config);
  if (!check_file.empty()) {
    std::cout << "parley: " << check_file << " is a valid configuration\n";
    result.exit_now = true;
  }
  return result;
}

}  // namespace parley
