#include "core/config.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <map>

namespace parley {
namespace {

CommandLine parse(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "parley");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parseCommandLine(static_cast<int>(argv.size()), argv.data(), env);
}

std::string errorOf(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  try {
    parse(std::move(args), std::move(env));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string writeTemp(const std::string& text) {
  char path[] = "/tmp/parley-config-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST(Config, DefaultsMatchTheTurmsPorts) {
  auto config = parse({}).config;
  EXPECT_EQ(config.gateway.ws_port, 10510);
  EXPECT_EQ(config.gateway.tcp_port, 11510);
  EXPECT_EQ(config.admin.port, 8510);
  EXPECT_EQ(config.gateway.max_request_size_bytes, 16384);
  EXPECT_EQ(config.gateway.close_idle_session_after_seconds, 180);
  EXPECT_FALSE(config.demo.enabled);
}

TEST(Config, FlagsOverrideEnvironmentWhichOverridesTheFile) {
  auto file = writeTemp("[gateway]\nws-port = 1000\ntcp-port = 2000\n[node]\nid = \"from-file\"\n");
  auto config = parse({"--config", file, "--ws-port", "3000"},
                      {{"PARLEY_WS_PORT", "4000"}, {"PARLEY_TCP_PORT", "5000"}})
                    .config;
  EXPECT_EQ(config.gateway.ws_port, 3000);
  EXPECT_EQ(config.gateway.tcp_port, 5000);
  EXPECT_EQ(config.node.id, "from-file");
  std::remove(file.c_str());
}

TEST(Config, DemoDataIsASwitch) {
  EXPECT_TRUE(parse({"--demo-data"}).config.demo.enabled);
  EXPECT_FALSE(parse({"--demo-data", "false"}).config.demo.enabled);
  EXPECT_TRUE(parse({}, {{"PARLEY_DEMO_DATA", "true"}}).config.demo.enabled);
}

TEST(Config, ValuesListEveryKeyAsTextThatParsesBack) {
  auto config = parse({"--ws-port", "3000", "--admin-password", "pw", "--demo-data",
                       "--redis-session-uris", "redis://a:1,redis://b:2"})
                    .config;
  const auto values = configValues(config);
  ASSERT_EQ(values.size(), configKeys().size());
  std::map<std::string, std::string> by_key(values.begin(), values.end());
  EXPECT_EQ(by_key.at("gateway.ws-port"), "3000");
  EXPECT_EQ(by_key.at("admin.password"), "pw");
  EXPECT_EQ(by_key.at("demo.enabled"), "true");
  EXPECT_EQ(by_key.at("redis.session.uris"), "redis://a:1,redis://b:2");
  // Every value, applied to a default config, gives the same config back.
  Config copy;
  for (const auto& [key, value] : values) applyValue(copy, key, value, "test");
  EXPECT_EQ(configValues(copy), values);
}

TEST(Config, EveryKeyHasAFlagAndAnEnvironmentVariable) {
  for (const auto& key : configKeys()) {
    EXPECT_EQ(key.flag.rfind("--", 0), 0u) << key.key;
    EXPECT_EQ(key.env.rfind("PARLEY_", 0), 0u) << key.key;
  }
  // The command-line contract other tools rely on.
  for (const char* flag :
       {"--ws-port", "--tcp-port", "--admin-port", "--data-dir", "--demo-data", "--node-id"}) {
    bool found = false;
    for (const auto& key : configKeys()) found |= key.flag == flag;
    EXPECT_TRUE(found) << flag;
  }
}

TEST(Config, UnknownFileKeyNamesTheKey) {
  auto file = writeTemp("[gateway]\nws-prot = 1\n");
  EXPECT_NE(errorOf({"--config", file}).find("gateway.ws-prot"), std::string::npos);
  std::remove(file.c_str());
}

TEST(Config, UnknownEnvironmentVariableIsAnError) {
  EXPECT_NE(errorOf({}, {{"PARLEY_WS_PROT", "1"}}).find("PARLEY_WS_PROT"), std::string::npos);
}

TEST(Config, BadValuesNameTheKey) {
  EXPECT_NE(errorOf({"--ws-port", "abc"}).find("gateway.ws-port"), std::string::npos);
  EXPECT_NE(errorOf({"--ws-port", "70000"}).find("out of range"), std::string::npos);
  EXPECT_NE(errorOf({"--password-algorithm", "md5"}).find("password.algorithm"), std::string::npos);
  EXPECT_NE(errorOf({}, {{"PARLEY_DEMO_DATA", "maybe"}}).find("demo.enabled"), std::string::npos);
  auto file = writeTemp("[gateway]\nws-port = \"ten\"\n");
  EXPECT_NE(errorOf({"--config", file}).find("gateway.ws-port"), std::string::npos);
  std::remove(file.c_str());
}

TEST(Config, InvalidTomlReportsThePosition) {
  auto file = writeTemp("[gateway\n");
  auto message = errorOf({"--config", file});
  EXPECT_NE(message.find("invalid TOML"), std::string::npos);
  EXPECT_NE(message.find(":1:"), std::string::npos);
  std::remove(file.c_str());
}

TEST(Config, MissingFileIsAnError) {
  EXPECT_NE(errorOf({"--config", "/nonexistent/parley.toml"}).find("/nonexistent/parley.toml"),
            std::string::npos);
}

TEST(Config, CrossFieldChecks) {
  EXPECT_NE(errorOf({"--ws-port", "7000", "--tcp-port", "7000"}).find("must differ"),
            std::string::npos);
  EXPECT_NE(errorOf({"--node-id", ""}).find("node.id"), std::string::npos);
}

TEST(Config, RedisUriListsComeFromTomlArraysFlagsAndEnvironment) {
  auto file = writeTemp(
      "[redis.session]\nuris = [\"redis://a:1\", \"redis://b:2\"]\n"
      "[redis.sequence]\nuris = [\"redis://c:3\"]\n");
  auto config = parse({"--config", file}).config;
  EXPECT_EQ(config.redis.session_uris, (std::vector<std::string>{"redis://a:1", "redis://b:2"}));
  EXPECT_EQ(config.redis.sequence_uris, (std::vector<std::string>{"redis://c:3"}));
  EXPECT_TRUE(config.redis.location_uris.empty());
  std::remove(file.c_str());

  EXPECT_EQ(parse({"--redis-session-uris", "redis+cluster://x:1, redis+cluster://y:2"})
                .config.redis.session_uris,
            (std::vector<std::string>{"redis+cluster://x:1", "redis+cluster://y:2"}));
  EXPECT_EQ(parse({}, {{"PARLEY_REDIS_SESSION_URIS", "redis://e:9"}}).config.redis.session_uris,
            (std::vector<std::string>{"redis://e:9"}));
  // Default: the embedded in-process registry.
  EXPECT_TRUE(parse({}).config.redis.session_uris.empty());
}

TEST(Config, CreatableGroupTypesAreUpstreamsDefaultRoleUnlessListed) {
  const Config defaults = parse({}).config;
  EXPECT_EQ(defaults.group.creatable_type_ids, std::vector<int64_t>{0});
  EXPECT_FALSE(defaults.group.allow_group_owner_change_group_type);

  auto file = writeTemp("[group]\ncreatable-type-ids = [0, 7, 9]\n");
  EXPECT_EQ(parse({"--config", file}).config.group.creatable_type_ids,
            (std::vector<int64_t>{0, 7, 9}));
  std::remove(file.c_str());
  EXPECT_EQ(parse({"--group-creatable-type-ids", "5, 6"}).config.group.creatable_type_ids,
            (std::vector<int64_t>{5, 6}));
  EXPECT_TRUE(parse({"--group-creatable-type-ids", ""}).config.group.creatable_type_ids.empty());
  EXPECT_NE(errorOf({"--group-creatable-type-ids", "1,x"}).find("group.creatable-type-ids"),
            std::string::npos);
  EXPECT_NE(errorOf({"--group-creatable-type-ids", "1,1"}).find("listed twice"), std::string::npos);
}

TEST(Config, CheckConfigValidatesTheFileAndExits) {
  auto valid = writeTemp("[log]\nlevel = \"debug\"\n");
  const CommandLine checked = parse({"--check-config", valid});
  EXPECT_TRUE(checked.exit_now);
  EXPECT_EQ(checked.exit_code, 0);
  EXPECT_EQ(checked.config.log.level, "debug");
  // The flags and environment a node would get are checked with it.
  EXPECT_NE(errorOf({"--check-config", valid, "--log-format", "xml"}).find("log.format"),
            std::string::npos);
  std::remove(valid.c_str());

  auto unknown_key = writeTemp("[log]\nlevle = \"debug\"\n");
  EXPECT_NE(errorOf({"--check-config", unknown_key}).find("log.levle"), std::string::npos);
  std::remove(unknown_key.c_str());
  EXPECT_NE(errorOf({"--check-config", "/nonexistent/parley.toml"}).find("cannot read"),
            std::string::npos);
  EXPECT_NE(errorOf({"--check-config", "a.toml", "--config", "b.toml"}).find("different files"),
            std::string::npos);
}

TEST(Config, LogFormatIsTextUnlessJsonIsAsked) {
  EXPECT_EQ(parse({}).config.log.format, "text");
  EXPECT_EQ(parse({"--log-format", "json"}).config.log.format, "json");
  auto file = writeTemp("[log]\nformat = \"json\"\n");
  EXPECT_EQ(parse({"--config", file}).config.log.format, "json");
  std::remove(file.c_str());
  EXPECT_NE(errorOf({"--log-format", "xml"}).find("log.format"), std::string::npos);
}

TEST(Config, ThrottlingIsOnWithUpstreamsRequestBudget) {
  const ThrottleConfig defaults = parse({}).config.gateway.throttle;
  EXPECT_TRUE(defaults.enabled);
  EXPECT_EQ(defaults.ip_requests.capacity, 50);
  EXPECT_EQ(defaults.ip_requests.tokens_per_period, 1);
  EXPECT_EQ(defaults.ip_requests.refill_interval_millis, 1000);

  auto file = writeTemp(
      "[gateway.throttle]\nenabled = false\n"
      "[gateway.throttle.ip-connections]\ncapacity = 7\n"
      "[gateway.throttle.user-login-failures]\nmax-backoff-millis = 9000\n");
  const ThrottleConfig set =
      parse({"--config", file, "--throttle-user-requests-tokens-per-period", "3"})
          .config.gateway.throttle;
  std::remove(file.c_str());
  EXPECT_FALSE(set.enabled);
  EXPECT_EQ(set.ip_connections.capacity, 7);
  EXPECT_EQ(set.user_login_failures.max_backoff_millis, 9000);
  EXPECT_EQ(set.user_requests.tokens_per_period, 3);
  EXPECT_NE(errorOf({"--throttle-ip-requests-capacity", "0"})
                .find("gateway.throttle.ip-requests.capacity"),
            std::string::npos);
}

TEST(Config, LocationSettingsHaveUpstreamsDefaults) {
  const LocationConfig defaults = parse({}).config.location;
  EXPECT_TRUE(defaults.enabled);
  EXPECT_FALSE(defaults.treat_user_id_and_device_type_as_unique_user);
  EXPECT_EQ(defaults.default_max_nearby_user_count, 20);
  EXPECT_EQ(defaults.max_nearby_user_count, 100);
  EXPECT_EQ(defaults.default_max_distance_meters, 10'000);
  EXPECT_EQ(defaults.max_distance_meters, 10'000);

  auto file = writeTemp(
      "[location]\nenabled = false\ntreat-user-id-and-device-type-as-unique-user = true\n"
      "[location.nearby-user-request]\nmax-distance-meters = 50000\n");
  const LocationConfig set = parse({"--config", file}).config.location;
  std::remove(file.c_str());
  EXPECT_FALSE(set.enabled);
  EXPECT_TRUE(set.treat_user_id_and_device_type_as_unique_user);
  EXPECT_EQ(set.max_distance_meters, 50'000);
  EXPECT_NE(errorOf({"--nearby-max-count", "0"}).find("max-nearby-user-count"), std::string::npos);
}

TEST(Config, AllowedUserSettingsAreParsedWithUpstreamsDefaults) {
  auto file = writeTemp(
      "[user.settings]\nallowed = [\"theme:string:one-of=light|dark\", "
      "\"pinCode:int:min=0:max=9999:immutable\", "
      "\"tags:string[]:max-count=5:max-length=20:unique\", "
      "\"lang:language:undeletable\", \"volume:double\", \"muted:bool\"]\n"
      "ignore-unknown-on-upsert = true\n");
  const Config config = parse({"--config", file}).config;
  std::remove(file.c_str());
  ASSERT_EQ(config.user.allowed_settings.size(), 6u);
  const CustomSetting& theme = config.user.allowed_settings[0];
  EXPECT_EQ(theme.name, "theme");
  EXPECT_EQ(theme.type, CustomValueType::kString);
  EXPECT_EQ(theme.one_of, (std::vector<std::string>{"light", "dark"}));
  EXPECT_EQ(theme.max_length, 100);  // upstream's default
  EXPECT_TRUE(theme.deletable);
  EXPECT_FALSE(theme.immutable);
  const CustomSetting& pin = config.user.allowed_settings[1];
  EXPECT_EQ(pin.type, CustomValueType::kInt);
  EXPECT_EQ(pin.min, 0);
  EXPECT_EQ(pin.max, 9999);
  EXPECT_TRUE(pin.immutable);
  const CustomSetting& tags = config.user.allowed_settings[2];
  EXPECT_TRUE(tags.is_array);
  EXPECT_EQ(tags.max_count, 5);
  EXPECT_EQ(tags.min_count, 0);
  EXPECT_EQ(tags.max_length, 20);
  EXPECT_TRUE(tags.unique);
  EXPECT_FALSE(config.user.allowed_settings[3].deletable);
  EXPECT_EQ(config.user.allowed_settings[3].type, CustomValueType::kLanguage);
  EXPECT_TRUE(config.user.ignore_unknown_settings_on_upsert);
  EXPECT_FALSE(config.user.ignore_unknown_settings_on_delete);
  // None by default, as upstream: every update is refused until settings are configured.
  EXPECT_TRUE(parse({}).config.user.allowed_settings.empty());
  EXPECT_EQ(
      parse({"--user-settings-allowed", "a:bool,b:long:max=5"}).config.user.allowed_settings.size(),
      2u);
}

TEST(Config, BadAllowedUserSettingsNameTheSettingAndTheProblem) {
  const auto error = [](const std::string& spec) {
    return errorOf({"--user-settings-allowed", spec});
  };
  EXPECT_NE(error("theme").find("NAME:TYPE"), std::string::npos);
  EXPECT_NE(error("theme:colour").find("unknown type 'colour'"), std::string::npos);
  EXPECT_NE(error("a.b:string").find("letters, digits"), std::string::npos);
  EXPECT_NE(error("n:bool:max=3").find("does not apply"), std::string::npos);
  EXPECT_NE(error("n:int:min=x").find("needs a number"), std::string::npos);
  EXPECT_NE(error("n:int:min=5:max=1").find("min is above max"), std::string::npos);
  EXPECT_NE(error("n:string:unique").find("does not apply"), std::string::npos);
  EXPECT_NE(error("n:int,n:long").find("listed twice"), std::string::npos);
  EXPECT_NE(error("n:int:min=x").find("user.settings.allowed"), std::string::npos);
}

TEST(Config, RedisAndClusterChecksNameTheKey) {
  auto file = writeTemp("[redis.session]\nuris = [1, 2]\n");
  EXPECT_NE(errorOf({"--config", file}).find("redis.session.uris"), std::string::npos);
  std::remove(file.c_str());
  EXPECT_NE(errorOf({"--redis-location-uris", "redis://a:1"}).find("redis.session.uris"),
            std::string::npos);
  EXPECT_NE(
      errorOf({"--cluster-heartbeat-interval-millis", "5000", "--node-stale-after-millis", "5000"})
          .find("cluster.node-stale-after-millis"),
      std::string::npos);
  EXPECT_NE(errorOf({"--redis-session-uris", "redis://a:1", "--rpc-port", "10510"})
                .find("cluster.rpc-port"),
            std::string::npos);
}

TEST(Config, NodeIdsArePlainIdentifiers) {
  EXPECT_EQ(parse({"--node-id", "node_2-east"}).config.node.id, "node_2-east");
  for (const char* bad : {"1node", "$", "a b", "a:b", "a{b}"}) {
    EXPECT_NE(errorOf({"--node-id", bad}).find("node.id"), std::string::npos) << bad;
  }
}

// README and docs/cluster.md tell cluster operators to set it on every node.
TEST(Config, WorkerIdsAreSetPerNodeWithinTheSnowflakeRange) {
  EXPECT_EQ(parse({}).config.node.worker_id, -1) << "derived from node.id by default";
  EXPECT_EQ(parse({"--worker-id", "1023"}).config.node.worker_id, 1023);
  EXPECT_EQ(parse({}, {{"PARLEY_WORKER_ID", "7"}}).config.node.worker_id, 7);
  EXPECT_NE(errorOf({"--worker-id", "1024"}).find("node.worker-id"), std::string::npos);
}

TEST(Config, VerificationCacheSettings) {
  const auto defaults = parse({}).config.password;
  EXPECT_EQ(defaults.verification_cache_seconds, 300);
  EXPECT_EQ(defaults.shared_verification_cache_seconds, 3600);
  EXPECT_TRUE(defaults.verification_cache_secret.empty());

  const std::string secret(40, 'x');
  auto file = writeTemp("[password]\nshared-verification-cache-seconds = 0\n");
  const auto set =
      parse({"--config", file}, {{"PARLEY_VERIFICATION_CACHE_SECRET", secret}}).config.password;
  EXPECT_EQ(set.shared_verification_cache_seconds, 0);
  EXPECT_EQ(set.verification_cache_secret, secret);
  std::remove(file.c_str());

  // Too short a secret stops start-up, naming the key but never echoing the secret.
  const std::string error = errorOf({"--verification-cache-secret", "short-secret-text"});
  EXPECT_NE(error.find("password.verification-cache-secret"), std::string::npos) << error;
  EXPECT_EQ(error.find("short-secret-text"), std::string::npos) << error;
  EXPECT_NE(errorOf({"--shared-verification-cache-seconds", "-1"}), "");
}

TEST(Config, ClusterRpcIsBoundedAndUnauthenticatedOnlyOnLoopback) {
  const auto defaults = parse({}).config.cluster;
  EXPECT_TRUE(defaults.secret.empty());
  EXPECT_EQ(defaults.rpc_bind, "127.0.0.1");
  EXPECT_EQ(defaults.rpc_max_frame_bytes, 1024 * 1024);
  EXPECT_EQ(defaults.rpc_max_connections, 256);
  EXPECT_EQ(defaults.rpc_idle_timeout_seconds, 120);

  // A Redis-backed node on loopback may run without a secret (tests, one host)...
  for (const char* bind : {"127.0.0.1", "127.8.9.10", "::1"}) {
    EXPECT_EQ(errorOf({"--redis-session-uris", "redis://a:1", "--rpc-bind", bind}), "") << bind;
  }
  // ...but not on any other address: the error names the key to set.
  for (const char* bind : {"0.0.0.0", "10.0.0.1", "::", "fd00::1"}) {
    const std::string error = errorOf({"--redis-session-uris", "redis://a:1", "--rpc-bind", bind});
    EXPECT_NE(error.find("'cluster.secret'"), std::string::npos) << bind << ": " << error;
  }
  const std::string secret = "0123456789abcdef";
  const auto set = parse({"--redis-session-uris", "redis://a:1", "--rpc-bind", "10.0.0.1"},
                         {{"PARLEY_CLUSTER_SECRET", secret}})
                       .config.cluster;
  EXPECT_EQ(set.secret, secret);
  // Without Redis there is no RPC server, so nothing to protect.
  EXPECT_EQ(errorOf({"--rpc-bind", "0.0.0.0"}), "");
}

TEST(Config, AClusterSecretTooShortIsRefusedWithoutEchoingIt) {
  const std::string error = errorOf({"--cluster-secret", "fifteen-bytes!!"});
  EXPECT_NE(error.find("cluster.secret"), std::string::npos) << error;
  EXPECT_NE(error.find("15 bytes"), std::string::npos) << error;
  EXPECT_EQ(error.find("fifteen-bytes!!"), std::string::npos) << error;
}

TEST(Config, TheClusterSecretMayComeFromAFile) {
  auto file = writeTemp("sixteen-bytes-or-more\n");
  EXPECT_EQ(parse({"--cluster-secret-file", file}).config.cluster.secret, "sixteen-bytes-or-more");
  EXPECT_NE(errorOf({"--cluster-secret-file", file, "--cluster-secret", "sixteen-bytes-or-more"})
                .find("cluster.secret-file"),
            std::string::npos);
  std::ofstream(file) << "short\n";
  const std::string short_error = errorOf({"--cluster-secret-file", file});
  EXPECT_NE(short_error.find("cluster.secret"), std::string::npos) << short_error;
  EXPECT_EQ(short_error.find("short"), std::string::npos) << short_error;
  std::remove(file.c_str());
  EXPECT_NE(errorOf({"--cluster-secret-file", file}).find("cannot read"), std::string::npos);
}

TEST(Config, UnknownFlagIsAnError) { EXPECT_FALSE(errorOf({"--no-such-flag"}).empty()); }

TEST(Config, RedisTlsFilesGoWithRedissUris) {
  const auto tls =
      parse({"--redis-session-uris", "rediss://cache:6380", "--redis-tls-ca-file", "ca.pem",
             "--redis-tls-cert-file", "c.pem", "--redis-tls-key-file", "k.pem"})
          .config.redis.tls;
  EXPECT_EQ(tls.ca_file, "ca.pem");
  EXPECT_EQ(tls.key_file, "k.pem");
  EXPECT_NE(errorOf({"--redis-session-uris", "redis://cache", "--redis-tls-ca-file", "ca.pem"})
                .find("plaintext"),
            std::string::npos);
  EXPECT_NE(errorOf({"--redis-session-uris", "rediss://cache", "--redis-tls-cert-file", "c.pem"})
                .find("redis.tls.key-file"),
            std::string::npos);
}

TEST(Config, TlsNeedsItsFilesAndFilesNeedTheirSwitch) {
  const auto defaults = parse({}).config;
  EXPECT_FALSE(defaults.gateway.ws_tls);
  EXPECT_FALSE(defaults.gateway.tcp_tls);
  EXPECT_FALSE(defaults.admin.https);
  const auto on = parse({"--ws-tls", "true", "--tls-cert-file", "c.pem", "--tls-key-file", "k.pem",
                         "--admin-https", "true", "--admin-tls-cert-file", "a.pem",
                         "--admin-tls-key-file", "ak.pem"})
                      .config;
  EXPECT_TRUE(on.gateway.ws_tls);
  EXPECT_FALSE(on.gateway.tcp_tls);
  EXPECT_EQ(on.gateway.tls.cert_file, "c.pem");
  EXPECT_EQ(on.admin.tls.key_file, "ak.pem");

  EXPECT_NE(errorOf({"--tcp-tls", "true"}).find("gateway.tls.cert-file"), std::string::npos);
  EXPECT_NE(errorOf({"--admin-https", "true", "--admin-tls-cert-file", "a.pem"})
                .find("admin.tls.key-file"),
            std::string::npos);
  // Files without the switch: the port would stay plaintext, which the operator did not mean.
  EXPECT_NE(errorOf({"--tls-cert-file", "c.pem", "--tls-key-file", "k.pem"}).find("plaintext"),
            std::string::npos);
  EXPECT_NE(errorOf({"--ws-tls", "true", "--tls-cert-file", "c.pem", "--tls-key-file", "k.pem",
                     "--tls-require-client-cert", "true"})
                .find("gateway.tls.client-ca-file"),
            std::string::npos);
}

}  // namespace
}  // namespace parley
