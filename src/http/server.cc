#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>

#include "common/log.h"
#include "common/strings.h"
#include "metrics/registry.h"

namespace millrace::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr auto kIdleTimeout = std::chrono::seconds(120);
constexpr uint32_t kHeaderLimitBytes = 64 * 1024;

class Session;

// One line of the access log, written once the answer is out. Empty text: nothing to log.
struct AccessEntry {
  std::string text;
  std::string remote, method, target, route, trace_id, status, bytes, duration_ms;

  void write() const {
    if (text.empty()) return;
    log::info(text, {{"remote", remote},
                     {"method", method},
                     {"path", target},
                     {"route", route},
                     {"status", status, true},
                     {"bytes", bytes, true},
                     {"duration_ms", duration_ms, true},
                     {"trace_id", trace_id}});
  }
};

// The trace id of a W3C `traceparent` header (`00-<32 hex>-<16 hex>-<2 hex>`), else an
// `X-Request-Id` of up to 64 plain characters, else empty: it ties the access log's line to the
// caller's own traces.
std::string trace_id_of(const Request& req) {
  auto plain = [](std::string_view s, size_t max) {
    if (s.empty() || s.size() > max) return false;
    for (char c : s) {
      if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
        return false;
      }
    }
    return true;
  };
  if (const std::string* tp = req.header("traceparent")) {
    if (tp->size() >= 55 && (*tp)[2] == '-' && (*tp)[35] == '-') {
      std::string id = tp->substr(3, 32);
      if (plain(id, 32) && id.find_first_not_of("0123456789abcdef") == std::string::npos) {
        return id;
      }
    }
  }
  if (const std::string* rid = req.header("x-request-id"); rid && plain(*rid, 64)) return *rid;
  return "";
}

// Methods are labels of metrics: any other verb a client sends counts as "other", so that no
// caller can grow the metrics without bound.
std::string_view method_label(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET",     "POST", "DELETE", "HEAD",
                                                "OPTIONS", "PUT",  "PATCH"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  static constexpr std::string_view kOther = "other";
  return kOther;
}

// `/api/w/:workspace/jobs/run_wait_result/p/*path` → {"sync", "script_path"}; empty kind for a
// route that is not a webhook.
std::pair<std::string_view, std::string_view> webhook_kind(std::string_view route) {
  static const std::pair<std::string_view, std::string_view> kinds[] = {
      {"/jobs/run/", "async"},
      {"/jobs/run_wait_result/", "sync"},
      {"/jobs/run_and_stream/", "stream"}};
  static const std::pair<std::string_view, std::string_view> targets[] = {
      {"p/", "script_path"}, {"h/", "script_hash"}, {"f/", "flow_path"}, {"fv/", "flow_version"}};
  for (const auto& [infix, kind] : kinds) {
    size_t at = route.find(infix);
    if (at == std::string_view::npos) continue;
    std::string_view rest = route.substr(at + infix.size());
    for (const auto& [prefix, target] : targets) {
      if (rest.starts_with(prefix)) return {kind, target};
    }
  }
  return {};
}

// The metrics one kind of answer updates: found once per HTTP thread, by the route (a pattern
// the router owns, so its address names it), method and status, then kept.
struct RequestMetrics {
  metrics::Counter* requests = nullptr;
  metrics::Histogram* duration = nullptr;
  metrics::Counter* webhooks = nullptr;  // null for a route that is not a webhook
};

RequestMetrics find_request_metrics(std::string_view method, std::string_view route, int status) {
  static auto& requests = metrics::registry().counters(
      "millrace_http_requests_total", "HTTP requests answered, by method, route and status");
  static auto& durations = metrics::registry().histograms(
      "millrace_http_request_duration_seconds",
      "Time from a request's arrival to its answer (a stream: to its end), by route",
      metrics::duration_buckets());
  static auto& webhooks = metrics::registry().counters(
      "millrace_webhooks_total",
      "Webhook calls, by kind (async, sync, stream), target (script_path, script_hash, "
      "flow_path, flow_version) and status");
  std::string code = std::to_string(status);
  RequestMetrics m;
  m.requests = &requests.counter({{"method", method}, {"route", route}, {"status", code}});
  m.duration = &durations.histogram({{"route", route}});
  if (auto [kind, target] = webhook_kind(route); !kind.empty()) {
    m.webhooks = &webhooks.counter({{"kind", kind}, {"target", target}, {"status", code}});
  }
  return m;
}

// Every answered request is counted by route and status, and timed by route; webhooks are
// counted again by kind (async, sync, stream) and what they run.
void record_request(std::string_view method, const std::string& route, int status, double seconds) {
  const std::string_view label = method_label(method);
  // The method label is one of a few constants: its address names it too.
  const auto key = std::make_tuple(&route, label.data(), status);
  thread_local std::map<std::tuple<const std::string*, const char*, int>, RequestMetrics> kept;
  auto it = kept.find(key);
  if (it == kept.end()) it = kept.emplace(key, find_request_metrics(label, route, status)).first;
  it->second.requests->add();
  it->second.duration->observe(seconds);
  if (it->second.webhooks) it->second.webhooks->add();
}

// Answers for one request of one session; keeps the session alive until answered.
class SessionResponder final : public Responder {
 public:
  SessionResponder(std::shared_ptr<Session> session, bool keep_alive, bool head, AccessEntry entry)
      : session_(std::move(session)),
        keep_alive_(keep_alive),
        head_(head),
        entry_(std::move(entry)),
        started_(std::chrono::steady_clock::now()) {}
  void send(Response response) override;
  void on_disconnect(std::function<void()> callback) override;
  void start_stream(Response head) override;
  void write(std::string piece) override;
  void end() override;

 private:
  void write_response(Response response);
  // Records the request's metrics and returns its access log entry.
  AccessEntry finish(int status, size_t size) const;
  std::shared_ptr<Session> session_;
  bool keep_alive_;
  bool head_;
  AccessEntry entry_;  // method, target, remote and trace id; text empty when not logging
  std::chrono::steady_clock::time_point started_;
  std::atomic<bool> sent_{false};
};

// Bytes of request bodies being received, by all sessions (ServerOptions::max_buffered_body_bytes).
class BodyBudget {
 public:
  explicit BodyBudget(int64_t limit) : limit_(limit) {}
  bool reserve(int64_t bytes) {
    if (used_.fetch_add(bytes) + bytes <= limit_) return true;
    used_.fetch_sub(bytes);
    return false;
  }
  void release(int64_t bytes) { used_.fetch_sub(bytes); }

 private:
  const int64_t limit_;
  std::atomic<int64_t> used_{0};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, const Router& router, const ServerOptions& options,
          BodyBudget& budget)
      : stream_(std::move(socket)), router_(router), options_(options), budget_(budget) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? "?" : ep.address().to_string();
  }

  ~Session() { release_body(); }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(); });
  }

  // Called on the session's strand.
  void write(bhttp::response<bhttp::string_body> res, bool keep_alive, AccessEntry access_log) {
    answered_ = true;
    disconnect_callback_ = nullptr;
    auto sp = std::make_shared<bhttp::response<bhttp::string_body>>(std::move(res));
    stream_.expires_after(kIdleTimeout);
    bhttp::async_write(stream_, *sp,
                       [self = shared_from_this(), sp, keep_alive, log = std::move(access_log)](
                           beast::error_code ec, std::size_t) {
                         log.write();
                         if (ec || !keep_alive) return self->close();
                         self->read_header();
                       });
  }

  // A streamed answer (see Responder): the head, then pieces in order, then the end, written
  // one after another from a queue. Called on the session's strand.
  void stream_start(std::string head) {
    answered_ = true;
    streaming_ = true;
    stream_.expires_never();
    queue_write(std::move(head));
  }
  void stream_write(std::string bytes) {
    if (streaming_ && !stream_ending_ && !stream_broken_) queue_write(std::move(bytes));
  }
  void stream_end(bool keep_alive, AccessEntry access_log) {
    if (!streaming_ || stream_ending_) return;
    stream_ending_ = true;
    stream_keep_alive_ = keep_alive;
    stream_log_ = std::move(access_log);
    if (!stream_broken_) queue_write("0\r\n\r\n");
    if (!writing_) finish_stream();
  }

  void watch_disconnect(std::function<void()> callback) {
    if (answered_ && !streaming_) return;
    disconnect_callback_ = std::move(callback);
    stream_.socket().async_wait(
        tcp::socket::wait_read,
        [self = shared_from_this()](beast::error_code ec) { self->on_readable(ec); });
  }

  net::any_io_executor executor() { return stream_.get_executor(); }
  const ServerOptions& options() const { return options_; }

 private:
  void read_header() {
    answered_ = false;
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(options_.body_limit_bytes));
    parser_->header_limit(kHeaderLimitBytes);
    stream_.expires_after(kIdleTimeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  // The request as the router sees it (without its body): method, target, path, query, headers.
  // False when the path is malformed.
  static bool head_of(const bhttp::request<bhttp::string_body>& msg, Request& req) {
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
      req.headers.emplace_back(
          to_lower(std::string_view(field.name_string().data(), field.name_string().size())),
          std::string(field.value()));
    }
    return parse_request_target(req.target, req);
  }

  // Answers before the body is read, and closes the connection (the body is never read).
  void refuse_body(int status, const std::string& body) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::server, "millrace");
    res.set(bhttp::field::content_type, "text/plain");
    res.set(bhttp::field::connection, "close");
    res.body() = body;
    res.prepare_payload();
    write(std::move(res), false, refused_entry(status, " (body refused)"));
  }

  // Before a body is read: large ones need their request admitted, and room in the budget.
  bool admit_body() {
    const auto& msg = parser_->get();
    const bool chunked = parser_->chunked();
    const uint64_t declared = parser_->content_length().value_or(0);
    if (!chunked && declared == 0) return true;
    int64_t limit = options_.body_limit_bytes;
    if ((chunked || declared > static_cast<uint64_t>(options_.unchecked_body_bytes)) &&
        options_.admit_body) {
      Request head;
      head.remote = remote_;
      BodyAdmission decision = head_of(msg, head)
                                   ? options_.admit_body(head)
                                   : BodyAdmission{false, 400, "Bad request: invalid request path"};
      if (!decision.admitted && !chunked) {
        refuse_body(decision.status, decision.message);
        return false;
      }
      // Of a length not said upfront: read, but no further than an unchecked body may go.
      if (!decision.admitted) {
        limit = options_.unchecked_body_bytes;
        parser_->body_limit(static_cast<uint64_t>(limit));
      }
    }
    int64_t size = chunked ? limit
                           : static_cast<int64_t>(std::min<uint64_t>(
                                 declared, static_cast<uint64_t>(options_.body_limit_bytes)));
    if (!budget_.reserve(size)) {
      refuse_body(503,
                  "Service Unavailable: the server is receiving too many request bodies at once; "
                  "try again shortly");
      return false;
    }
    reserved_ = size;
    return true;
  }

  void release_body() {
    budget_.release(reserved_);
    reserved_ = 0;
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_error(ec);
    auto& req = parser_->get();
    if (!admit_body()) return;
    if (auto it = req.find(bhttp::field::expect);
        it != req.end() && beast::iequals(it->value(), "100-continue")) {
      // curl waits a second for this before sending a body over 1 KiB.
      auto cont =
          std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code e, std::size_t) {
                           if (e) return self->close();
                           self->read_body();
                         });
      return;
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_error(beast::error_code ec) {
    release_body();
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::connection_reset || ec == net::error::operation_aborted) {
      return close();
    }
    int status = 400;
    std::string body = "Bad request: malformed HTTP request (" + ec.message() + ")";
    if (ec == bhttp::error::body_limit) {
      status = 413;
      body = "Payload Too Large: the request body exceeds the limit of " +
             std::to_string(options_.body_limit_bytes) + " bytes (REQUEST_SIZE_LIMIT)";
    } else if (ec == bhttp::error::header_limit) {
      status = 431;
      body = "Request Header Fields Too Large: headers exceed " +
             std::to_string(kHeaderLimitBytes) + " bytes";
    }
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::server, "millrace");
    res.set(bhttp::field::content_type, "text/plain");
    res.set(bhttp::field::connection, "close");
    res.body() = body;
    res.prepare_payload();
    write(std::move(res), false, refused_entry(status, ""));
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_error(ec);
    release_body();           // received: it is the handler's now
    stream_.expires_never();  // a sync webhook may hold the request for minutes
    auto msg = parser_->release();
    Request req;
    const bool valid_path = head_of(msg, req);
    req.body = std::move(msg.body());
    req.remote = remote_;
    bool keep_alive = msg.keep_alive();
    bool head = req.method == "HEAD";
    AccessEntry entry;
    entry.method = req.method;
    if (options_.access_log && log::info_enabled()) {
      entry.remote = remote_;
      entry.target = mask_token(req.target);
      entry.trace_id = trace_id_of(req);
      entry.text = remote_ + " " + req.method + " " + entry.target;
    }
    auto responder =
        std::make_shared<SessionResponder>(shared_from_this(), keep_alive, head, std::move(entry));
    if (!valid_path) {
      return responder->send(Response::text(400, "Bad request: invalid request path"));
    }
    if (req.method == "OPTIONS") {
      Response r = Response::text(200, "");
      r.headers = {{"Access-Control-Allow-Methods", "GET, POST, DELETE, HEAD, OPTIONS"},
                   {"Access-Control-Allow-Headers", "Content-Type, Authorization"},
                   {"Access-Control-Max-Age", "86400"}};
      return responder->send(std::move(r));
    }
    router_.dispatch(req, responder);
  }

  void queue_write(std::string bytes) {
    pending_.push_back(std::move(bytes));
    if (!writing_) write_next();
  }
  void write_next() {
    if (pending_.empty() || stream_broken_) {
      writing_ = false;
      if (stream_ending_) finish_stream();
      return;
    }
    writing_ = true;
    net::async_write(stream_, net::buffer(pending_.front()),
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->pending_.pop_front();
                       if (ec) self->break_stream();
                       self->write_next();
                     });
  }
  void break_stream() {
    stream_broken_ = true;
    pending_.clear();
    if (auto callback = std::move(disconnect_callback_)) {
      disconnect_callback_ = nullptr;
      callback();
    }
  }
  void finish_stream() {
    bool reuse = stream_keep_alive_ && !stream_broken_;
    stream_log_.write();
    streaming_ = stream_ending_ = stream_broken_ = false;
    stream_log_ = {};
    disconnect_callback_ = nullptr;
    if (reuse) return read_header();
    close();
  }

  void on_readable(beast::error_code ec) {
    if ((answered_ && !streaming_) || !disconnect_callback_) return;
    char byte;
    beast::error_code peek_ec;
    size_t n =
        ec ? 0
           : stream_.socket().receive(net::buffer(&byte, 1), tcp::socket::message_peek, peek_ec);
    if (ec || peek_ec || n == 0) {
      auto callback = std::move(disconnect_callback_);
      disconnect_callback_ = nullptr;
      callback();
    }
    // Otherwise the client pipelined another request: it is still there; stop watching.
  }

  // The access log entry of a request refused before it reached a route (headers too large, a
  // body refused): counted, and logged with what is known.
  AccessEntry refused_entry(int status, const std::string& why) {
    record_request("other", Router::kUnknownRoute, status, 0);
    if (!options_.access_log || !log::info_enabled()) return {};
    AccessEntry e;
    e.remote = remote_;
    e.status = std::to_string(status);
    e.text = remote_ + " - - " + e.status + why;
    return e;
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  const Router& router_;
  const ServerOptions& options_;
  BodyBudget& budget_;
  int64_t reserved_ = 0;  // of the budget, for the body being read
  std::string remote_;
  bool answered_ = false;
  std::function<void()> disconnect_callback_;
  // A streamed answer in progress.
  bool streaming_ = false;
  bool writing_ = false;
  bool stream_ending_ = false;
  bool stream_broken_ = false;  // the client left: the rest is dropped
  bool stream_keep_alive_ = false;
  AccessEntry stream_log_;
  std::deque<std::string> pending_;
};

void SessionResponder::send(Response response) {
  if (sent_.exchange(true)) return;
  try {
    write_response(std::move(response));
  } catch (const std::exception& e) {
    // A response Beast refuses (a field too large, a body where none may be): answer plainly.
    log::error(std::string("cannot send a response: ") + e.what());
    write_response(Response::text(500, "Internal: the response could not be sent"));
  }
}

void SessionResponder::write_response(Response response) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), 11};
  res.set(bhttp::field::server, "millrace");
  if (!response.content_type.empty()) res.set(bhttp::field::content_type, response.content_type);
  res.set(bhttp::field::access_control_allow_origin, "*");
  for (auto& [k, v] : response.headers) res.set(k, v);
  res.keep_alive(keep_alive_);
  size_t size = response.body.size();
  res.body() = std::move(response.body);
  res.prepare_payload();
  if (head_) res.body().clear();
  AccessEntry log = finish(response.status, size);
  net::post(session_->executor(),
            [s = session_, res = std::move(res), ka = keep_alive_, log = std::move(log)]() mutable {
              s->write(std::move(res), ka, std::move(log));
            });
}

AccessEntry SessionResponder::finish(int status, size_t size) const {
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  record_request(entry_.method, route ? *route : Router::kUnknownRoute, status, seconds);
  if (entry_.text.empty() || !log::info_enabled()) return {};
  AccessEntry out = entry_;
  std::string ms = std::to_string(seconds * 1000);
  out.route = route ? *route : "";
  out.status = std::to_string(status);
  out.bytes = std::to_string(size);
  out.duration_ms = ms.substr(0, ms.find('.') + 2);
  out.text += " " + out.status + " " + out.bytes + "B " + out.duration_ms + "ms";
  return out;
}

void SessionResponder::start_stream(Response head) {
  if (sent_.exchange(true)) return;
  auto status = static_cast<bhttp::status>(head.status);
  std::string text = "HTTP/1.1 " + std::to_string(head.status) + " " +
                     std::string(bhttp::obsolete_reason(status)) + "\r\nServer: millrace\r\n";
  if (!head.content_type.empty()) text += "Content-Type: " + head.content_type + "\r\n";
  text += "Access-Control-Allow-Origin: *\r\n";
  for (auto& [k, v] : head.headers) text += k + ": " + v + "\r\n";
  text += "Transfer-Encoding: chunked\r\n";
  if (!keep_alive_) text += "Connection: close\r\n";
  text += "\r\n";
  net::post(session_->executor(),
            [s = session_, text = std::move(text)]() mutable { s->stream_start(std::move(text)); });
}

void SessionResponder::write(std::string piece) {
  if (piece.empty()) return;  // an empty chunk would end the body
  char size[20];
  snprintf(size, sizeof size, "%zx\r\n", piece.size());
  std::string chunk = size + std::move(piece) + "\r\n";
  net::post(session_->executor(), [s = session_, chunk = std::move(chunk)]() mutable {
    s->stream_write(std::move(chunk));
  });
}

void SessionResponder::end() {
  AccessEntry log = finish(200, 0);
  net::post(session_->executor(), [s = session_, ka = keep_alive_, log = std::move(log)]() mutable {
    s->stream_end(ka, std::move(log));
  });
}

void SessionResponder::on_disconnect(std::function<void()> callback) {
  net::post(session_->executor(), [s = session_, cb = std::move(callback)]() mutable {
    s->watch_disconnect(std::move(cb));
  });
}

}  // namespace

struct Server::Impl {
  Impl(const Router& r, ServerOptions o)
      : router(r),
        options(std::move(o)),
        budget(options.max_buffered_body_bytes),
        ioc(options.threads),
        acceptor(ioc),
        retry(ioc) {}

  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (!acceptor.is_open()) return;
      if (ec) {
        // Out of descriptors (or another transient failure): pause instead of spinning, so the
        // connections being served can finish and free some.
        log::warn("accept failed: " + ec.message());
        retry.expires_after(std::chrono::milliseconds(50));
        retry.async_wait([this](beast::error_code) { accept(); });
        return;
      }
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), router, options, budget)->start();
      accept();
    });
  }

  const Router& router;
  ServerOptions options;
  BodyBudget budget;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::steady_timer retry;
};

Server::Server(const Router& router, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, std::move(options))) {}

Server::~Server() = default;

int Server::listen(std::string& error) {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.bind_address, ec);
  if (ec) {
    error = "invalid bind address " + impl_->options.bind_address;
    return -1;
  }
  tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + impl_->options.bind_address + ":" +
            std::to_string(impl_->options.port) + ": " + ec.message();
    return -1;
  }
  impl_->accept();
  return acc.local_endpoint().port();
}

void Server::run() {
  // SIGINT and SIGTERM end run() through the event loop (a signal handler may not stop it).
  net::signal_set signals(impl_->ioc, SIGINT, SIGTERM);
  signals.async_wait([this](beast::error_code ec, int) {
    if (!ec) impl_->ioc.stop();
  });
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->options.threads; ++i) {
    threads.emplace_back([this] { impl_->ioc.run(); });
  }
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  impl_->ioc.stop();
}

}  // namespace millrace::http
