// parley-cli: logs in to a Parley (or Turms) server and runs one command over the Turms client
// protocol. Exit codes: 0 success, 1 error response from the server, 2 connection or usage error.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <CLI/CLI.hpp>

#include "client/turms_client.h"

namespace {

using im::turms::proto::TurmsNotification;
using im::turms::proto::TurmsRequest;
using parley::client::Frame;
using parley::client::Transport;
using parley::client::TurmsClient;

constexpr int kExitOk = 0;
constexpr int kExitErrorResponse = 1;
constexpr int kExitConnectionOrUsage = 2;

constexpr uint16_t kDefaultWebSocketPort = 10510;
constexpr uint16_t kDefaultTcpPort = 11510;
// Well inside the server's 180 s idle timeout, and what `listen` promises in its help text.
constexpr auto kListenHeartbeatInterval = std::chrono::seconds(20);
// DeleteSession gets no response, only a close signal, so its id never has to be matched.
constexpr int64_t kLogoutRequestId = 1'000'000'000;

struct Options {
  bool tcp = false;
  std::string host = "127.0.0.1";
  std::optional<uint16_t> port;
  int64_t user_id = 0;
  std::string password;
  std::string device = "DESKTOP";
  int timeout_ms = 5000;
  std::vector<int64_t> user_ids;
  int listen_seconds = 30;
  std::string raw_request;
};

std::string toText(const google::protobuf::Message& message) {
  google::protobuf::TextFormat::Printer printer;
  printer.SetSingleLineMode(true);
  std::string text;
  printer.PrintToString(message, &text);
  // Single-line mode leaves a separator after the last field.
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

// Collects text-format syntax errors for one clear message instead of protobuf's log lines.
class TextFormatErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!text_.empty()) text_ += "; ";
    text_ += std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

bool isErrorResponse(const TurmsNotification& response) {
  return !response.has_code() || !parley::client::isSuccessCode(response.code());
}

std::string describeFailure(const TurmsNotification& response) {
  std::string text = response.has_code() ? "code " + std::to_string(response.code()) : "no code";
  if (response.has_reason()) text += " (" + response.reason() + ")";
  return text;
}

// Sends DeleteSession and waits briefly for the close signal, so the server sees an orderly
// logout rather than a dropped connection.
void logout(TurmsClient& client, std::chrono::milliseconds timeout) {
  TurmsRequest request;
  request.set_request_id(kLogoutRequestId);
  request.mutable_delete_session_request();
  client.send(request);
  client.waitFor(
      [](const Frame& frame) {
        return frame.kind == Frame::Kind::kClosed ||
               (frame.kind == Frame::Kind::kNotification && frame.notification.has_close_status());
      },
      timeout);
  client.close();
}

class Session {
 public:
  explicit Session(const Options& options)
      : options_(options), timeout_(std::chrono::milliseconds(options.timeout_ms)) {}

  // Connects and logs in. Returns an exit code when it did not work out.
  std::optional<int> start() {
    const Transport transport = options_.tcp ? Transport::kTcp : Transport::kWebSocket;
    const uint16_t port =
        options_.port.value_or(options_.tcp ? kDefaultTcpPort : kDefaultWebSocketPort);
    client_ = TurmsClient::connect(transport, options_.host, port, timeout_);

    im::turms::proto::DeviceType device_type = im::turms::proto::DESKTOP;
    im::turms::proto::DeviceType_Parse(options_.device, &device_type);
    const TurmsNotification response =
        client_->login(options_.user_id, options_.password, device_type, timeout_);
    if (isErrorResponse(response)) {
      std::cout << toText(response) << '\n';
      std::cerr << "parley-cli: login of user " << options_.user_id
                << " failed: " << describeFailure(response) << '\n';
      return kExitErrorResponse;
    }
    login_response_ = response;
    return std::nullopt;
  }

  TurmsClient& client() { return *client_; }
  const TurmsNotification& loginResponse() const { return login_response_; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  // Prints the response of a query and turns its code into the exit code.
  int finishQuery(const TurmsNotification& response,
                  const std::function<void(const TurmsNotification&)>& print_data) {
    if (isErrorResponse(response)) {
      std::cout << toText(response) << '\n';
      std::cerr << "parley-cli: request failed: " << describeFailure(response) << '\n';
      logout(*client_, timeout_);
      return kExitErrorResponse;
    }
    print_data(response);
    logout(*client_, timeout_);
    return kExitOk;
  }

 private:
  const Options& options_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<TurmsClient> client_;
  TurmsNotification login_response_;
};

int runLogin(Session& session) {
  std::cout << "response: " << toText(session.loginResponse()) << '\n';
  // The session-info push may arrive before or after the response; it is queued either way.
  const auto push = session.client().waitFor(
      [](const Frame& frame) {
        return frame.kind == Frame::Kind::kNotification &&
               frame.notification.data().has_user_session();
      },
      session.timeout());
  if (push) {
    std::cout << "session: " << toText(push->notification) << '\n';
  } else {
    std::cerr << "parley-cli: no session-info push arrived\n";
  }
  logout(session.client(), session.timeout());
  return kExitOk;
}

int runHeartbeat(Session& session) {
  const auto sent_at = std::chrono::steady_clock::now();
  session.client().sendHeartbeat();
  // A failed heartbeat is answered with a notification carrying request_id -100.
  const auto reply = session.client().waitFor(
      [](const Frame& frame) {
        return frame.kind != Frame::Kind::kNotification || frame.notification.request_id() == -100;
      },
      session.timeout());
  if (!reply || reply->kind == Frame::Kind::kClosed) {
    std::cerr << "parley-cli: no heartbeat reply"
              << (reply ? " (connection closed)\n" : " within the timeout\n");
    return kExitConnectionOrUsage;
  }
  if (reply->kind == Frame::Kind::kNotification) {
    std::cout << toText(reply->notification) << '\n';
    std::cerr << "parley-cli: heartbeat failed: " << describeFailure(reply->notification) << '\n';
    logout(session.client(), session.timeout());
    return kExitErrorResponse;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - sent_at);
  std::cout << "heartbeat: ok (" << elapsed.count() << " ms)\n";
  logout(session.client(), session.timeout());
  return kExitOk;
}

int runProfile(Session& session, const std::vector<int64_t>& user_ids) {
  TurmsRequest request;
  auto* query = request.mutable_query_user_profiles_request();
  for (int64_t id : user_ids) query->add_user_ids(id);
  const TurmsNotification response = session.client().request(request, session.timeout());
  return session.finishQuery(response, [](const TurmsNotification& notification) {
    for (const auto& info : notification.data().user_infos_with_version().user_infos()) {
      std::cout << toText(info) << '\n';
    }
  });
}

int runOnline(Session& session, const std::vector<int64_t>& user_ids) {
  TurmsRequest request;
  auto* query = request.mutable_query_user_online_statuses_request();
  for (int64_t id : user_ids) query->add_user_ids(id);
  const TurmsNotification response = session.client().request(request, session.timeout());
  return session.finishQuery(response, [](const TurmsNotification& notification) {
    for (const auto& status : notification.data().user_online_statuses().statuses()) {
      std::cout << toText(status) << '\n';
    }
  });
}

int runListen(Session& session, int seconds) {
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + std::chrono::seconds(seconds);
  auto next_heartbeat = Clock::now() + kListenHeartbeatInterval;
  for (auto now = Clock::now(); now < end; now = Clock::now()) {
    if (now >= next_heartbeat) {
      session.client().sendHeartbeat();
      next_heartbeat = now + kListenHeartbeatInterval;
    }
    const auto wait =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::min(end, next_heartbeat) - now);
    const auto frame = session.client().receive(wait);
    if (!frame || frame->kind == Frame::Kind::kHeartbeat) continue;
    if (frame->kind == Frame::Kind::kClosed) {
      std::cerr << "parley-cli: the server closed the connection\n";
      return kExitConnectionOrUsage;
    }
    // Flushed per line so the output can be followed through a pipe.
    std::cout << toText(frame->notification) << std::endl;
  }
  logout(session.client(), session.timeout());
  return kExitOk;
}

int runRawRequest(Session& session, const TurmsRequest& request) {
  const TurmsNotification response = session.client().request(request, session.timeout());
  std::cout << toText(response) << '\n';
  if (isErrorResponse(response)) {
    std::cerr << "parley-cli: request failed: " << describeFailure(response) << '\n';
    logout(session.client(), session.timeout());
    return kExitErrorResponse;
  }
  logout(session.client(), session.timeout());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Talks to a Parley or Turms server over the Turms client protocol: logs in, runs "
      "one command, logs out.\nExit codes: 0 success, 1 error response, 2 connection "
      "or usage error."};
  app.set_help_all_flag("--help-all", "Help for every command");
  app.require_subcommand(1);
  // Global options may also follow the command: `parley-cli login --tcp`.
  app.fallthrough();

  Options options;
  bool ws = false;
  auto* ws_flag = app.add_flag("--ws", ws, "Use WebSocket (default)");
  app.add_flag("--tcp", options.tcp, "Use raw TCP with varint32 length prefixes")
      ->excludes(ws_flag);
  app.add_option("--host", options.host, "Server host")->capture_default_str();
  app.add_option("--port", options.port, "Server port (default 10510 for WS, 11510 for TCP)");
  app.add_option("--user", options.user_id, "User ID to log in as")->required();
  app.add_option("--password", options.password, "Password")->required();
  app.add_option("--device", options.device, "Device type")
      ->check(CLI::IsMember({"DESKTOP", "BROWSER", "IOS", "ANDROID", "OTHERS"}, CLI::ignore_case))
      ->capture_default_str();
  app.add_option("--timeout", options.timeout_ms, "Connect and per-request timeout in ms")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  auto* login = app.add_subcommand("login", "Log in, print the response and session info");
  auto* heartbeat = app.add_subcommand("heartbeat", "Log in and send one heartbeat");
  auto* profile = app.add_subcommand("profile", "Print the profiles of users");
  profile->add_option("user_ids", options.user_ids, "User IDs");
  auto* online = app.add_subcommand("online", "Print the online statuses of users");
  online->add_option("user_ids", options.user_ids, "User IDs");
  auto* listen =
      app.add_subcommand("listen", "Stay logged in and print every push, heartbeating every 20 s");
  listen->add_option("--seconds", options.listen_seconds, "How long to listen")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  auto* raw = app.add_subcommand("raw-request", "Send a TurmsRequest and print the response");
  raw->add_option("request", options.raw_request, "TurmsRequest in protobuf text format")
      ->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitConnectionOrUsage;
  }

  TurmsRequest raw_request;
  if (raw->parsed()) {
    TextFormatErrors errors;
    google::protobuf::TextFormat::Parser parser;
    parser.RecordErrorsTo(&errors);
    if (!parser.ParseFromString(options.raw_request, &raw_request)) {
      std::cerr << "parley-cli: raw-request is not a TurmsRequest in protobuf text format: "
                << errors.text() << '\n';
      return kExitConnectionOrUsage;
    }
  }

  try {
    Session session(options);
    if (auto failed = session.start()) return *failed;
    if (login->parsed()) return runLogin(session);
    if (heartbeat->parsed()) return runHeartbeat(session);
    if (profile->parsed()) return runProfile(session, options.user_ids);
    if (online->parsed()) return runOnline(session, options.user_ids);
    if (listen->parsed()) return runListen(session, options.listen_seconds);
    return runRawRequest(session, raw_request);
  } catch (const std::exception& error) {
    std::cerr << "parley-cli: " << error.what() << '\n';
    return kExitConnectionOrUsage;
  }
}
