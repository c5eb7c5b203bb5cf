#include "admin/admin_server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <exception>
#include <set>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace parley {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr uint64_t kBodyLimitBytes = 1024 * 1024;
constexpr uint32_t kHeaderLimitBytes = 16 * 1024;
// A keep-alive connection with no request for this long is closed, so idle admin tools and
// port scanners do not hold sockets forever.
constexpr std::chrono::seconds kIdleTimeout{60};
constexpr std::chrono::seconds kWriteTimeout{30};
// From accepting to the end of the TLS handshake (HTTPS).
constexpr std::chrono::seconds kTlsHandshakeTimeout{10};
// How long an answer to an unreadable request (413, 431, 400) waits for the client to stop
// sending before the socket is closed; see drainBeforeClose.
constexpr std::chrono::seconds kLingerTime{5};
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
// The metrics stream's resolution: the console charts per-second rates.
constexpr std::chrono::seconds kMetricsStreamInterval{1};
// Each open stream costs a snapshot of every counter a second, and a console tab holds one. More
// at once than operators ever open is a leak or abuse: the next are refused with 503.
constexpr size_t kMaxMetricsStreams = 64;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

std::string_view toStd(beast::string_view text) { return {text.data(), text.size()}; }

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

void logIfFailed(std::exception_ptr error, std::string_view what) {
  if (!error) {
    return;
  }
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    spdlog::error("admin server {}: {}", what, e.what());
  }
}

// The server's state, shared by the accept loop and the connections; touched only on `strand`
// after construction.
struct ServerState {
  ServerState(asio::io_context& io_context, AdminDeps deps,
              std::shared_ptr<net::ReloadableTlsContext> tls_context)
      : strand(asio::make_strand(io_context)),
        acceptor(strand),
        routes(std::move(deps)),
        tls(std::move(tls_context)) {}

  void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    beast::error_code ignored;
    acceptor.close(ignored);
    for (tcp::socket* socket : connections) {
      socket->close(ignored);
    }
    for (asio::steady_timer* timer : stream_timers) {
      timer->cancel();
    }
  }

  asio::strand<asio::io_context::executor_type> strand;
  tcp::acceptor acceptor;
  AdminRoutes routes;
  const std::shared_ptr<net::ReloadableTlsContext> tls;  // null: plain HTTP
  uint16_t port = 0;
  bool stopped = false;
  std::set<tcp::socket*> connections;
  std::set<asio::steady_timer*> stream_timers;  // of metrics streams, so close() ends them at once
  size_t metrics_streams = 0;                   // open now, kMaxMetricsStreams at most
};

http::response<http::string_body> toBeast(AdminResponse response, unsigned version,
                                          bool keep_alive) {
  http::response<http::string_body> message{static_cast<http::status>(response.status), version};
  message.set(http::field::server, "parley");
  message.set(http::field::content_type, response.content_type);
  for (const auto& [name, value] : response.headers) {
    message.set(name, value);
  }
  message.keep_alive(keep_alive);
  message.body() = std::move(response.body);
  message.prepare_payload();
  return message;
}

AdminResponse plainError(int status, std::string_view reason) {
  AdminResponse response;
  response.status = status;
  response.content_type = "text/plain";
  response.body = std::string(reason) + "\n";
  return response;
}

// Method, headers and body; the target is parsed separately by parseRequestTarget.
void fillAdminRequest(http::request<http::string_body>& message, AdminRequest& request) {
  request.method = std::string(toStd(message.method_string()));
  for (const auto& field : message) {
    auto [it, inserted] =
        request.headers.try_emplace(lowerCase(toStd(field.name_string())), toStd(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += toStd(field.value());
    }
  }
  request.body = std::move(message.body());
}

// Server-sent events (admin/metrics_stream.h) until the client goes away or the server stops.
// The body ends with the connection (no length, no chunks), as HTTP/1.1 allows for a response
// marked Connection: close; fetch() and EventSource both read such a body as it comes.
// first_event is the answer handle() gave to the request: the stream starts with it.
// Stream is a beast::tcp_stream (HTTP) or a beast::ssl_stream over one (HTTPS).
template <typename Stream>
asio::awaitable<void> streamMetrics(std::shared_ptr<ServerState> impl, Stream& stream,
                                    unsigned version, std::string client, std::string first_event) {
  http::response<http::empty_body> header{http::status::ok, version};
  header.set(http::field::server, "parley");
  header.set(http::field::content_type, "text/event-stream");
  header.set(http::field::cache_control, "no-store");
  header.set("X-Accel-Buffering", "no");  // a reverse proxy must pass each event on at once
  header.keep_alive(false);
  http::response_serializer<http::empty_body> serializer{header};
  beast::get_lowest_layer(stream).expires_after(kWriteTimeout);
  auto [header_error, header_bytes] =
      co_await http::async_write_header(stream, serializer, kUseTuple);
  if (header_error) {
    co_return;
  }
  // Once each way: an operator sees who watches the node, and a stream that ends unexpectedly.
  spdlog::info("admin: metrics stream opened for {}", client);
  asio::steady_timer timer(impl->strand);
  impl->stream_timers.insert(&timer);
  struct Unregister {
    ServerState& impl;
    asio::steady_timer* timer;
    ~Unregister() { impl.stream_timers.erase(timer); }
  } unregister{*impl, &timer};
  std::string event = std::move(first_event);
  while (!impl->stopped) {
    if (event.empty()) event = impl->routes.metricsEvent();
    beast::get_lowest_layer(stream).expires_after(kWriteTimeout);
    auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(event), kUseTuple);
    if (write_error) {
      break;  // the client went away: the only way a stream ends besides stop()
    }
    event.clear();
    timer.expires_after(kMetricsStreamInterval);
    co_await timer.async_wait(kUseTuple);
  }
  spdlog::info("admin: metrics stream closed for {}", client);
}

// Closing a socket with unread bytes in it makes the kernel send a reset, which can reach the
// client before it has read the answer and while it is still sending the body: it then sees
// "connection reset" instead of the 413. Half-close and read what is still coming, for a
// bounded time, so the answer is delivered (a lingering close, as nginx does).
template <typename Stream>
asio::awaitable<void> drainBeforeClose(Stream& stream) {
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
  beast::get_lowest_layer(stream).expires_after(kLingerTime);
  std::array<char, 16 * 1024> sink;
  for (;;) {
    auto [error, bytes] = co_await stream.async_read_some(asio::buffer(sink), kUseTuple);
    if (error) {
      co_return;  // the client's end of stream, the linger time, a reset or stop()
    }
  }
}

// Requests and answers on one connection until it closes.
template <typename Stream>
asio::awaitable<void> serveHttp(std::shared_ptr<ServerState> impl, Stream& stream,
                                const std::string& remote_ip) {
  beast::flat_buffer buffer;
  bool input_left_unread = false;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimitBytes);
    parser.header_limit(kHeaderLimitBytes);
    beast::get_lowest_layer(stream).expires_after(kIdleTimeout);
    auto [read_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kUseTuple);
    if (!read_error) {
      // curl and others wait for this before sending a body over 1 KiB.
      if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
        auto [continue_error, continue_bytes] =
            co_await http::async_write(stream, go_on, kUseTuple);
        if (continue_error) {
          break;
        }
      }
      auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, kUseTuple);
      read_error = body_error;
    }

    AdminResponse response;
    bool keep_alive = false;
    bool stream_metrics = false;
    unsigned version = 11;
    if (!read_error) {
      auto message = parser.release();
      version = message.version();
      keep_alive = message.keep_alive();
      AdminRequest request;
      const bool target_ok = parseRequestTarget(toStd(message.target()), request);
      fillAdminRequest(message, request);
      request.remote_ip = remote_ip;
      if (target_ok) {
        response = impl->routes.handle(request);
        stream_metrics = response.opens_metrics_stream;
      } else {
        response = plainError(400, "bad request target");
        keep_alive = false;
      }
    } else if (read_error == http::error::body_limit) {
      response = plainError(413, "request body larger than 1 MiB");
      input_left_unread = true;
    } else if (read_error == http::error::header_limit) {
      response = plainError(431, "request header larger than 16 KiB");
      input_left_unread = true;
    } else if (read_error.category() == http::make_error_code(http::error::bad_target).category() &&
               read_error != http::error::end_of_stream &&
               read_error != http::error::partial_message) {
      response = plainError(400, "malformed HTTP request: " + read_error.message());
      input_left_unread = true;
    } else {
      break;  // closed by the client, timed out, reset, or stop()
    }
    if (impl->stopped) {
      break;  // stop() came while the handler ran
    }
    if (stream_metrics && impl->metrics_streams >= kMaxMetricsStreams) {
      spdlog::warn("admin: refused a metrics stream from {}: {} are open", remote_ip,
                   impl->metrics_streams);
      response = plainError(503, "too many open metrics streams (" +
                                     std::to_string(kMaxMetricsStreams) + "); close some consoles");
      stream_metrics = false;
      keep_alive = false;
    }
    if (stream_metrics) {
      ++impl->metrics_streams;
      co_await streamMetrics(impl, stream, version, remote_ip, std::move(response.body));
      --impl->metrics_streams;
      break;
    }

    auto message = toBeast(std::move(response), version, keep_alive);
    beast::get_lowest_layer(stream).expires_after(kWriteTimeout);
    auto [write_error, written] = co_await http::async_write(stream, message, kUseTuple);
    if (write_error || !keep_alive) {
      break;
    }
  }
  if (input_left_unread && !impl->stopped) {
    co_await drainBeforeClose(stream);
    co_return;
  }
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> serveConnection(std::shared_ptr<ServerState> impl, tcp::socket socket) {
  if (impl->stopped) {
    co_return;
  }
  boost::system::error_code endpoint_error;
  const auto endpoint = socket.remote_endpoint(endpoint_error);
  // For the failed-login throttle and the audit log.
  const std::string remote_ip = endpoint_error ? "unknown" : endpoint.address().to_string();
  beast::tcp_stream tcp_stream(std::move(socket));
  impl->connections.insert(&tcp_stream.socket());
  struct Unregister {
    ServerState& impl;
    tcp::socket* socket;
    ~Unregister() { impl.connections.erase(socket); }
  } unregister{*impl, &tcp_stream.socket()};
  if (!impl->tls) {
    co_await serveHttp(impl, tcp_stream, remote_ip);
    co_return;
  }
  // The context current at accept: a reload (SIGHUP) applies to later connections. The Asio
  // context takes a reference of its own to OpenSSL's.
  const auto tls = impl->tls->current();
  SSL_CTX_up_ref(tls->native());
  asio::ssl::context ssl_context(tls->native());
  beast::ssl_stream<beast::tcp_stream&> stream(tcp_stream, ssl_context);
  tcp_stream.expires_after(kTlsHandshakeTimeout);
  auto [handshake_error] =
      co_await stream.async_handshake(asio::ssl::stream_base::server, kUseTuple);
  if (handshake_error) {
    // At debug: anyone can send the port bytes that are not TLS.
    spdlog::debug("admin: TLS handshake with {} failed: {}", remote_ip, handshake_error.message());
    co_return;
  }
  co_await serveHttp(impl, stream, remote_ip);
}

asio::awaitable<void> acceptLoop(std::shared_ptr<ServerState> impl) {
  asio::steady_timer retry_timer(impl->strand);
  while (!impl->stopped) {
    auto [error, socket] = co_await impl->acceptor.async_accept(kUseTuple);
    if (impl->stopped || error == asio::error::operation_aborted) {
      break;
    }
    if (error) {
      // Typically EMFILE: back off instead of spinning on a listen socket that stays readable.
      spdlog::warn("admin server: accept failed: {}", error.message());
      retry_timer.expires_after(kAcceptRetryDelay);
      co_await retry_timer.async_wait(kUseTuple);
      continue;
    }
    asio::co_spawn(impl->strand, serveConnection(impl, std::move(socket)),
                   [](std::exception_ptr e) { logIfFailed(e, "connection"); });
  }
}

}  // namespace

struct AdminServer::Impl : ServerState {
  using ServerState::ServerState;
};

AdminServer::AdminServer(asio::io_context& io_context, AdminDeps deps, std::string bind, int port,
                         std::shared_ptr<net::ReloadableTlsContext> tls)
    : impl_(std::make_shared<Impl>(io_context, std::move(deps), std::move(tls))) {
  const std::string prefix = "admin port " + std::to_string(port) + ": ";
  if (port < 0 || port > 65535) {
    throw std::runtime_error(prefix + "out of range 0..65535");
  }
  beast::error_code error;
  const asio::ip::address address = asio::ip::make_address(bind, error);
  if (error) {
    throw std::runtime_error(prefix + "bad bind address '" + bind + "': " + error.message());
  }
  const tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (error) {
    throw std::runtime_error(prefix + "open: " + error.message());
  }
  // Lets a restarted node bind while connections of the previous process sit in TIME_WAIT.
  acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (error) {
    throw std::runtime_error(prefix + "SO_REUSEADDR: " + error.message());
  }
  acceptor.bind(endpoint, error);
  if (error) {
    throw std::runtime_error(prefix + "bind " + bind + ": " + error.message());
  }
  acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    throw std::runtime_error(prefix + "listen: " + error.message());
  }
  impl_->port = acceptor.local_endpoint(error).port();
  asio::co_spawn(impl_->strand, acceptLoop(impl_),
                 [](std::exception_ptr e) { logIfFailed(e, "accept loop"); });
  spdlog::info("admin API listening on {}:{} ({})", bind, impl_->port,
               impl_->tls ? "HTTPS" : "HTTP");
}

AdminServer::~AdminServer() { stop(); }

uint16_t AdminServer::port() const { return impl_->port; }

void AdminServer::stop() {
  asio::dispatch(impl_->strand, [impl = impl_] { impl->close(); });
}

}  // namespace parley
