#pragma once
// Parley's typed configuration: one struct per component with its defaults. Loaded from a TOML
// file, then PARLEY_* environment variables, then command-line flags (later wins). Unknown keys
// and bad values stop start-up with the key's name (STYLE.md rule 7).
#include <algorithm>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/custom_setting.h"
#include "core/rate_limit_config.h"

namespace parley {

struct NodeConfig {
  std::string id = "parley-1";  // appears in logs, session info pushes and the registry
  int io_threads = 0;           // 0 = one per core
  // Threads for blocking work (store calls, password hashing, Redis round trips of handlers).
  // Mostly waiting, so many are cheap; they bound how many requests are in flight at once, and so
  // how many messages one SQLite group commit can carry.
  int blocking_threads = 128;
  // Goes into every message id so ids from different nodes never collide. -1 = derived from a
  // hash of `id` (set it explicitly in clusters so that no two nodes can share one).
  int worker_id = -1;
};

struct MessageConfig {
  int max_text_length = 500;  // characters (UTF-8 code points), as upstream's default
  int max_records_size_bytes = 15 * 1024 * 1024;
  int recall_window_seconds = 300;
  bool allow_send_to_oneself = false;
  bool allow_send_to_stranger = true;  // false = only to users who have the sender as a friend
  bool use_sequence_ids = true;        // per-conversation 1, 2, 3... (upstream: off by default)
  bool allow_edit = true;
  // Whether a group's owner and managers still speak while the group is muted (upstream: no one
  // does).
  bool owner_and_managers_speak_in_muted_group = false;
};

struct UserConfig {
  // What others see of a user whose status is INVISIBLE (and online): INVISIBLE (upstream's
  // default), or OFFLINE with no devices when this is set (upstream's switch of the same name).
  bool respond_offline_if_invisible = false;
  // The settings users may store (UpdateUserSettingsRequest); none by default, as upstream.
  std::vector<CustomSetting> allowed_settings;
  // An update or delete naming a setting not allowed is refused (1102) unless these are set;
  // then the unknown names are skipped.
  bool ignore_unknown_settings_on_upsert = false;
  bool ignore_unknown_settings_on_delete = false;
  // The user-defined attributes of profiles (UpdateUserRequest's, shown in profiles); none by
  // default, as upstream. `undeletable` has no meaning for them.
  std::vector<CustomSetting> allowed_attributes;
  bool ignore_unknown_attributes_on_upsert = false;
  // QueryUserProfilesRequest's name: a search by name prefix (upstream searches Elasticsearch
  // and answers SEARCHING_USER_IS_DISABLED, 7100, without it). False: 7100.
  bool search_by_name = true;
};

// How long a PENDING request (a friend request, a group invitation) lives: stored PENDING, it
// reads as EXPIRED this long after it was created.
struct RequestExpiry {
  int expire_after_seconds = 30 * 24 * 3600;  // 0 = never expires

  // How long a PENDING request lives (0 = for ever), and the creation date before which one
  // reads as EXPIRED at `now_millis` (0 = none does).
  int64_t expireAfterMillis() const { return std::max<int64_t>(expire_after_seconds, 0) * 1000; }
  int64_t expiredBefore(int64_t now_millis) const {
    const int64_t expire_after = expireAfterMillis();
    return expire_after > 0 ? now_millis - expire_after : 0;
  }
};

// Upstream's friend-request properties (turms-service FriendRequestProperties), same defaults.
struct FriendRequestConfig : RequestExpiry {
  int max_content_length = 200;  // characters; 0 = no limit
  int max_reason_length = 200;   // characters of a reply's reason; 0 = no limit
  // Whether a user may ask again after the recipient declined or ignored (or let expire) the
  // previous request; a pending one always blocks a new one.
  bool allow_resend_after_declined_ignored_expired = false;
  bool allow_recall_pending = false;  // DeleteFriendRequest by the requester
  // The cleanup job also deletes requests (of any status) older than the expiry.
  bool delete_expired = false;
};

// Upstream's group invitation properties (turms-server-common GroupInvitationProperties), same
// defaults.
struct GroupInvitationConfig : RequestExpiry {
  int max_content_length = 200;  // characters; 0 = no limit
  int max_reason_length = 200;   // characters of a reply's reason; 0 = no limit
  // Who may recall (DeleteGroupInvitationRequest) a pending invitation: both off answers 3706.
  bool allow_recall_by_owner_and_manager = false;
  bool allow_recall_by_sender = false;
  // The cleanup job also deletes invitations (of any status) older than the expiry.
  bool delete_expired = false;
};

// Upstream's group join request properties (turms-server-common GroupJoinRequestProperties), same
// defaults.
struct GroupJoinRequestConfig : RequestExpiry {
  int max_content_length = 200;  // characters; 0 = no limit
  int max_reason_length = 200;   // characters of an answer's reason; 0 = no limit
  // Whether a sender may recall (DeleteGroupJoinRequestRequest) a pending request; off answers
  // 3609.
  bool allow_recall_by_sender = false;
  // The cleanup job also deletes requests (of any status) older than the expiry.
  bool delete_expired = false;
};

// Upstream's group question properties (turms-server-common GroupQuestionProperties), same
// defaults. 0 = no limit.
struct GroupQuestionConfig {
  int max_question_length = 200;  // characters of a question
  int max_answer_length = 50;     // characters of each accepted answer
  int max_answer_count = 10;      // accepted answers of one question
};

// Upstream's location properties (turms-server-common LocationProperties and
// NearbyUserRequestProperties), same defaults.
struct LocationConfig {
  // Off: UpdateUserLocationRequest and QueryNearbyUsersRequest answer 2200, logins keep no
  // position.
  bool enabled = true;
  // Each device of a user has its own position, and nearby users are answered per device.
  bool treat_user_id_and_device_type_as_unique_user = false;
  // QueryNearbyUsersRequest's max_count and max_distance when the request leaves them out, and
  // the largest it may ask for (more is refused with 1102).
  int default_max_nearby_user_count = 20;
  int max_nearby_user_count = 100;
  int default_max_distance_meters = 10'000;
  int max_distance_meters = 10'000;
};

// How many members a group may have, who may invite and how one joins come from the group's type
// (store/group_type_repository.h, managed through the admin API), as upstream.
struct GroupConfig {
  // The types users may create groups with (and, when allowed, change their groups to). Upstream
  // reads them from the user's role; Parley has no roles, and upstream's default role allows the
  // DEFAULT type only.
  std::vector<int64_t> creatable_type_ids{0};
  // Whether an owner or manager may change the group's type (UpdateGroupRequest.type_id); off
  // answers 3102 UPDATING_GROUP_TYPE_IS_DISABLED, upstream's default.
  bool allow_group_owner_change_group_type = false;
  GroupInvitationConfig invitation;
  GroupJoinRequestConfig join_request;
  GroupQuestionConfig question;
};

// Limits on what one client address or one user may ask of a node (upstream: the client API's
// rate limiting). Each node keeps its own counts. Over a limit, the request is answered
// CLIENT_REQUESTS_TOO_FREQUENT (1101) and the session carries on.
struct ThrottleConfig {
  bool enabled = true;
  // Requests (logins included, heartbeats not) from one IP: upstream's defaults.
  TokenBucketConfig ip_requests{50, 1, 1000};
  // Requests of one user, from all its devices on this node.
  TokenBucketConfig user_requests{50, 1, 1000};
  // New connections from one IP; beyond them a connection is closed at once.
  TokenBucketConfig ip_connections{30, 5, 1000};
  // Failed logins: past the free attempts, the user id (or the IP) waits a doubling time.
  LoginBackoffConfig user_login_failures{5, 1000, 5 * 60 * 1000};
  LoginBackoffConfig ip_login_failures{20, 1000, 5 * 60 * 1000};
};

// The blocklists of client IPs and user ids (upstream: turms.security.blocklist): checked when a
// connection opens (IP) and at login (user), managed through the admin API, filled by automatic
// blocking, and shared by every node through Redis (in process on the embedded node).
struct BlocklistConfig {
  bool enabled = true;
  // How often a node refreshes its local copy from Redis (and drops expired entries).
  int sync_interval_millis = 2000;
  // Repeated corrupted frames, corrupted requests and requests over a throttle block the IP and
  // the user by themselves, for growing times (upstream's levels).
  bool auto_block = true;
  std::vector<AutoBlockLevel> auto_block_levels = {{10 * 60 * 1000, 60 * 1000, 5},
                                                   {30 * 60 * 1000, 60 * 1000, 1},
                                                   {60 * 60 * 1000, 60 * 1000, 1}};
};

// A listener's TLS files (PEM). TLS 1.2 and 1.3 only. Reloaded on SIGHUP: connections accepted
// afterwards get the new certificate, open ones keep theirs.
struct TlsFilesConfig {
  std::string cert_file;  // the certificate, then the intermediates that sign it
  std::string key_file;
  std::string client_ca_file;        // CAs whose client certificates are accepted; empty = none
  bool require_client_cert = false;  // refuse clients without one (needs client_ca_file)
};

struct GatewayConfig {
  std::string bind = "0.0.0.0";
  int ws_port = 10510;   // 0 = any free port (tests), -1 = disabled
  int tcp_port = 11510;  // 0 = any free port (tests), -1 = disabled
  bool ws_tls = false;   // wss:// on ws_port, with tls's files
  bool tcp_tls = false;  // TLS on tcp_port, with tls's files
  TlsFilesConfig tls;
  int max_request_size_bytes = 16 * 1024;
  // Frames waiting for a client beyond its socket buffer; a client that lets more pile up is
  // not reading and is dropped (net::TransportLimits::max_unsent_bytes).
  int max_unsent_bytes = 1024 * 1024;
  int close_idle_session_after_seconds = 180;
  int login_timeout_seconds = 300;
  // How long a closing connection waits for the client to close after the close signal.
  int close_timeout_millis = 1000;
  bool notify_session_info_after_login = true;
  bool return_reason_for_server_error = false;
  ThrottleConfig throttle;
};

struct AdminConfig {
  std::string bind = "127.0.0.1";
  int port = 8510;     // 0 = any free port, -1 = disabled
  bool https = false;  // with tls's files
  TlsFilesConfig tls;
  // Required for every admin request except /health and /metrics. Empty = a random password is
  // generated at start-up and logged once.
  std::string password;
  // The built web console (console/ in the repository) served at /console/. Empty = console/
  // beside the binary (the build tree) or ../share/parley/console from it (an install).
  std::string console_dir;
};

struct StoreConfig {
  std::string data_dir = "./data";
};

// MongoDB as the business store (clusters). Empty uri = the embedded SQLite store.
struct MongoConfig {
  std::string uri;  // e.g. mongodb://host1,host2/?replicaSet=rs0 or a mongos address
  std::string database = "parley";
  // "majority" (default; on a standalone server it means the one server), or a number of nodes.
  std::string write_concern = "majority";
  int pool_size = 16;
  int timeout_ms = 5000;  // server selection, socket and write-concern timeouts
};

// Shared online state in Redis (issue 6). Each list is one URI (a single node), several
// redis:// URIs (standalone shards, sharded by user id; every node must list the same URIs in the
// same order) or redis+cluster:// seeds of one Redis Cluster. Empty session uris = the embedded
// in-process registry and SQLite sequence ids.
struct RedisConfig {
  std::vector<std::string> session_uris;
  std::vector<std::string> sequence_uris;  // empty = the session URIs
  std::vector<std::string> location_uris;  // user locations (GEO); empty = the session URIs
  int timeout_ms = 2000;                   // connect and command timeout
  // Sequence ids per durable lease (RedisSequenceIds): at most this many are skipped when Redis
  // loses a counter; a conversation writes its durable bound once per this many messages.
  int sequence_lease_size = 100;
  // For rediss:// URIs (PEM): the CAs that sign the servers' certificates (empty = the
  // system's), and the client certificate Redis asks for unless tls-auth-clients is off.
  struct Tls {
    std::string ca_file;
    std::string cert_file;
    std::string key_file;
  } tls;
};

// Several nodes: membership in Redis and node-to-node RPC. Used only when Redis is configured.
struct ClusterConfig {
  std::string rpc_bind = "127.0.0.1";
  int rpc_port = 7510;  // 0 = any free port (tests)
  // The address other nodes dial; empty = rpc_bind, or 127.0.0.1 when rpc_bind is 0.0.0.0.
  std::string rpc_advertise_host;
  // Membership heartbeat and session TTL refresh / self-healing tick.
  int heartbeat_interval_millis = 5000;
  // A node whose heartbeat is older than this is dead: its sessions count as offline.
  int node_stale_after_millis = 15000;
  // Every RPC connection proves both ends hold it (nodes/rpc_auth.h); the same on every node,
  // at least 16 bytes. Empty: RPC is unauthenticated, allowed only with a loopback rpc_bind.
  // Never logged.
  std::string secret;
  // A file holding the secret (trailing newlines ignored), so that it need not sit in the
  // config; read at start-up into `secret`. Exclusive with `secret`.
  std::string secret_file;
  // Bounds on what a peer (or anyone who reaches the RPC port) may make this node hold.
  int rpc_max_frame_bytes = 1024 * 1024;
  int rpc_max_queued_reply_bytes = 1024 * 1024;  // per connection, unread by the peer
  int rpc_max_connections = 256;
  // A connection without a frame this long is closed; peers ping every quarter of it.
  int rpc_idle_timeout_seconds = 120;
};

struct PasswordConfig {
  std::string algorithm = "argon2id";  // "argon2id" or "salted-sha256" (Turms' default)
  uint64_t argon2_ops_limit = 2;       // libsodium opslimit
  uint64_t argon2_mem_limit_kib = 19 * 1024;
  // Successful verifications are remembered this long in the node's memory, so a reconnect storm
  // does not re-hash. 0 turns the whole verification cache off (both levels).
  int verification_cache_seconds = 300;
  // The second level: in Redis (shared by every node) with redis.session.uris, else in the
  // embedded node's SQLite store (kept across restarts). An entry lives this long after the last
  // login it let in, or after its session's last renewal while the session lives; 0 = off.
  int shared_verification_cache_seconds = 3600;
  // Keys the cache's digests; at least 32 characters, the same on every node. Empty = generated
  // once and kept in the business store (SQLite, or MongoDB which every node shares).
  std::string verification_cache_secret;
};

struct DemoConfig {
  bool enabled = false;  // seed the upstream development data set on an empty store
  int user_count = 1000;
  // Every demo user gets a hash of its own (same password, its own salt), as real users have,
  // instead of one hash shared by all: for measuring logins that miss the verification cache.
  // Seeding then costs one Argon2id computation per user.
  bool distinct_password_hashes = false;
};

struct LogConfig {
  std::string level = "info";
  // "text" (a line of text each) or "json" (a JSON object each, core/json_log_formatter.h).
  std::string format = "text";
};

struct Config {
  NodeConfig node;
  GatewayConfig gateway;
  MessageConfig message;
  GroupConfig group;
  FriendRequestConfig friend_request;
  UserConfig user;
  LocationConfig location;
  AdminConfig admin;
  StoreConfig store;
  MongoConfig mongo;
  RedisConfig redis;
  ClusterConfig cluster;
  PasswordConfig password;
  DemoConfig demo;
  LogConfig log;
  BlocklistConfig blocklist;
};

// Thrown only during start-up; main prints it and exits non-zero.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses argv (and the environment, and the file named by --config). Returns false when the
// process should exit successfully without running (e.g. --help), after printing.
struct CommandLine {
  Config config;
  bool exit_now = false;
  int exit_code = 0;
};
CommandLine parseCommandLine(int argc, const char* const* argv,
                             const std::map<std::string, std::string>& env);

// Loads TOML text into config (used by parseCommandLine, exposed for tests).
void applyToml(Config& config, const std::string& toml_text, const std::string& source_name);
// Applies one "dotted.key = value" pair given as text (flags and env vars).
void applyValue(Config& config, const std::string& key, const std::string& value,
                const std::string& source_name);
// Reads cluster.secret-file, when set, into cluster.secret (parseCommandLine does, before
// validate); throws ConfigError naming the key.
void loadClusterSecretFile(Config& config);
// Checks cross-field constraints; throws ConfigError naming the key.
void validate(const Config& config);

// The shortest cluster.secret accepted.
inline constexpr size_t kMinClusterSecretBytes = 16;

// Every settable key, e.g. "gateway.ws-port", with its flag and environment variable names.
struct ConfigKeyInfo {
  std::string key;   // gateway.ws-port
  std::string flag;  // --ws-port
  std::string env;   // PARLEY_WS_PORT
  std::string help;
};
const std::vector<ConfigKeyInfo>& configKeys();

// Every settable key with its value in `config` as configuration text (lists comma-separated,
// custom settings by name), in the order of configKeys(). Secrets are included as they are:
// whoever shows these must mask them.
std::vector<std::pair<std::string, std::string>> configValues(const Config& config);

}  // namespace parley
