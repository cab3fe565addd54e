#include "server/http/http_server.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/ascii.h"
#include "server/http/url.h"

namespace cairn::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// Bodies of routes that take none: read and dropped, up to this size.
constexpr std::uint64_t kIgnoredBodyLimit = std::uint64_t{64} * 1024;
// Upload and write handlers may wait (a run, the write lock); they run here,
// not on the I/O threads.
constexpr int kBlockingHandlerThreads = 4;

// `text` as a JSON string literal, invalid UTF-8 replaced. Paths, addresses
// and token names are nearly always printable ASCII without quotes or
// backslashes, which need no escaping: those skip the JSON encoder.
std::string JsonString(std::string_view text) {
  bool plain = std::all_of(text.begin(), text.end(),
                           [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (!plain) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string quoted;
  quoted.reserve(text.size() + 2);
  quoted += '"';
  quoted += text;
  quoted += '"';
  return quoted;
}

Method MethodOf(http::verb verb) {
  switch (verb) {
    case http::verb::get:
      return Method::kGet;
    case http::verb::head:
      return Method::kHead;
    case http::verb::post:
      return Method::kPost;
    case http::verb::put:
      return Method::kPut;
    case http::verb::patch:
      return Method::kPatch;
    case http::verb::delete_:
      return Method::kDelete;
    case http::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

bool IsClientGone(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == asio::ssl::error::stream_truncated;
}

std::shared_ptr<spdlog::logger> AccessLogger() {
  std::shared_ptr<spdlog::logger> logger = spdlog::get("access");
  if (!logger) {
    logger = spdlog::stderr_logger_mt("access");
    logger->set_pattern("%v");
  }
  return logger;
}

}  // namespace

// What the sessions share: options, routing, auth, metrics, and the count
// of requests in flight that graceful shutdown waits for.
struct HttpServer::Impl {
  Impl(ServerOptions opts, const Router& r, auth::Authenticator& a, Metrics& m)
      : options(std::move(opts)),
        router(r),
        authenticator(a),
        metrics(m),
        ioc(options.io_threads),
        acceptor_strand(asio::make_strand(ioc)),
        acceptor(acceptor_strand),
        blocking(kBlockingHandlerThreads),
        access_log(AccessLogger()) {}

  ServerOptions options;
  const Router& router;
  auth::Authenticator& authenticator;
  Metrics& metrics;
  asio::io_context ioc;
  std::optional<asio::ssl::context> tls;
  asio::strand<asio::io_context::executor_type> acceptor_strand;
  tcp::acceptor acceptor;
  asio::thread_pool blocking;
  std::vector<std::thread> threads;
  std::shared_ptr<spdlog::logger> access_log;
  std::uint16_t bound_port = 0;

  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;
  int in_flight = 0;  // guarded by mutex
  // Open connections, closed at shutdown once their request is done.
  std::unordered_map<std::uint64_t, std::function<void()>> closers;  // guarded by mutex
  std::uint64_t next_session = 0;                                    // guarded by mutex

  void RequestStarted() {
    std::lock_guard lock(mutex);
    ++in_flight;
  }
  void RequestFinished() {
    std::lock_guard lock(mutex);
    --in_flight;
    idle.notify_all();
  }

  void Accept();
  std::filesystem::path NewUploadFile();
};

namespace {

// One connection: reads requests one after the other (keep-alive), each in
// the order the HttpServer contract gives. Stream is a tcp_stream or an
// ssl_stream over one. All its work runs on its strand.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(HttpServer::Impl& server, Stream stream, std::string remote)
      : server_(server), stream_(std::move(stream)), remote_(std::move(remote)) {}

  void Start() {
    Register();
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadHeader();
    } else {
      Lowest().expires_after(std::chrono::seconds(server_.options.header_timeout_seconds));
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadHeader();
                              });
    }
  }

 private:
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Lets shutdown close this connection when it is between requests.
  void Register() {
    std::lock_guard lock(server_.mutex);
    id_ = server_.next_session++;
    std::weak_ptr<Session> weak = this->shared_from_this();
    server_.closers[id_] = [weak] {
      if (auto self = weak.lock()) {
        asio::post(self->Lowest().get_executor(), [self] {
          if (!self->busy_) self->Lowest().socket().close();
        });
      }
    };
  }

  void Unregister() {
    std::lock_guard lock(server_.mutex);
    server_.closers.erase(id_);
  }

  void ReadHeader() {
    if (server_.stopping) return Close();
    busy_ = false;
    header_parser_.emplace();
    header_parser_->header_limit(kHeaderLimit);
    // The route's own limit is applied once the route is known.
    header_parser_->body_limit(boost::none);
    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    http::async_read_header(stream_, buffer_, *header_parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    started_ = Clock::now();
    if (ec) {
      if (!IsClientGone(ec)) {
        busy_ = true;
        server_.RequestStarted();
        return Reply(ErrorResponse("/", 400, "malformed HTTP request: " + ec.message()), false);
      }
      return Close();
    }
    busy_ = true;
    server_.RequestStarted();
    bytes_in_ = 0;
    const auto& header = header_parser_->get();
    request_ = Request();
    request_.method = MethodOf(header.method());
    request_.target = std::string(header.target());
    SplitTarget(request_.target, request_.path, request_.query);
    for (const auto& field : header) {
      request_.headers[AsciiLower(field.name_string())] = std::string(field.value());
    }
    request_.remote_address = remote_;
    keep_alive_ = header.keep_alive();
    route_ = nullptr;

    Router::Match match = server_.router.Find(request_.method, request_.path);
    if (match.route == nullptr) {
      return Refuse(match.method_not_allowed ? 405 : 404, match.method_not_allowed
                                                              ? "method not allowed on this path"
                                                              : "no such route: " + request_.path);
    }
    route_ = match.route;
    request_.params = std::move(match.params);
    if (route_->access != auth::Access::kNone) {
      request_.principal = server_.authenticator.Authenticate(request_.Header("authorization"));
      if (!request_.principal) {
        return Refuse(401,
                      "a valid service token or JWT is required (Authorization: Bearer TOKEN)");
      }
      if (!request_.principal->Allows(route_->access)) {
        return Refuse(403, "this token's permission sets do not allow this request");
      }
    }
    std::uint64_t limit = BodyLimit();
    if (auto length = header_parser_->content_length(); length && *length > limit) {
      return Refuse(413,
                    fmt::format("the body is larger than the {} bytes this route takes", limit));
    }
    if (header[http::field::expect] == "100-continue") {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     header.version());
      return http::async_write(
          stream_, *cont,
          [self = this->shared_from_this(), cont](beast::error_code wec, std::size_t) {
            if (wec) return self->Abandon();
            self->ReadBody();
          });
    }
    ReadBody();
  }

  std::uint64_t BodyLimit() const {
    switch (route_->body) {
      case BodyKind::kUpload:
        return server_.options.max_upload_body;
      case BodyKind::kSmall:
        return server_.options.max_small_body;
      case BodyKind::kNone:
        break;
    }
    return kIgnoredBodyLimit;
  }

  // Answers before reading the body; the connection closes afterwards when
  // a body may follow, as what is left of it is not worth reading.
  void Refuse(int status, const std::string& message) {
    const auto& header = header_parser_->get();
    bool has_body = header_parser_->content_length().value_or(0) > 0 || header.chunked();
    Response response = ErrorResponse(request_.path, status, message);
    if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
    Reply(std::move(response), keep_alive_ && !has_body);
  }

  void ReadBody() {
    if (route_->body == BodyKind::kUpload) {
      upload_path_ = server_.NewUploadFile();
      file_parser_.emplace(std::move(*header_parser_));
      file_parser_->body_limit(BodyLimit());
      beast::error_code ec;
      file_parser_->get().body().open(upload_path_.c_str(), beast::file_mode::write, ec);
      if (ec) {
        RemoveUpload();
        return Reply(ErrorResponse(request_.path, 500, "cannot store the upload"), false);
      }
      return ReadUploadChunk();
    }
    string_parser_.emplace(std::move(*header_parser_));
    string_parser_->body_limit(BodyLimit());
    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    http::async_read(stream_, buffer_, *string_parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                       self->bytes_in_ += bytes;
                       if (ec) return self->OnBodyError(ec);
                       if (self->route_->body == BodyKind::kSmall) {
                         self->request_.body = std::move(self->string_parser_->get().body());
                       }
                       self->request_.body_size = self->bytes_in_;
                       self->Dispatch();
                     });
  }

  // Uploads are read chunk by chunk so the idle timeout restarts with each
  // chunk: a slow 1 GB upload is fine, a stalled one is not. A body that is
  // complete (or empty: Content-Length 0) is not read from the socket again,
  // which would wait for bytes that never come.
  void ReadUploadChunk() {
    if (file_parser_->is_done()) return FinishUpload();
    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    http::async_read_some(
        stream_, buffer_, *file_parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
          self->bytes_in_ += bytes;
          if (ec) return self->OnBodyError(ec);
          self->ReadUploadChunk();
        });
  }

  void FinishUpload() {
    file_parser_->get().body().close();
    request_.body_file = upload_path_;
    std::error_code size_ec;
    request_.body_size = std::filesystem::file_size(upload_path_, size_ec);
    Dispatch();
  }

  void OnBodyError(beast::error_code ec) {
    if (file_parser_) file_parser_->get().body().close();
    RemoveUpload();
    if (ec == http::error::body_limit) {
      return Reply(
          ErrorResponse(
              request_.path, 413,
              fmt::format("the body is larger than the {} bytes this route takes", BodyLimit())),
          false);
    }
    if (IsClientGone(ec)) return Abandon();
    Reply(ErrorResponse(request_.path, 400, "malformed request body: " + ec.message()), false);
  }

  // The client went away mid-request: no handler, no response.
  void Abandon() {
    Log(499, 0);
    server_.RequestFinished();
    Close();
  }

  void Dispatch() {
    if (route_->body == BodyKind::kUpload || route_->writes) {
      // Uploads and writes may block (moving files, the write lock, a run).
      asio::post(server_.blocking, [self = this->shared_from_this()] {
        Response response = self->CallHandler();
        asio::post(self->Lowest().get_executor(),
                   [self, r = std::move(response)]() mutable { self->Reply(std::move(r), true); });
      });
      return;
    }
    Reply(CallHandler(), true);
  }

  Response CallHandler() {
    try {
      return route_->handler(request_);
    } catch (const Error& e) {
      if (HttpStatusFor(e.code()) >= 500)
        spdlog::error("{} {}: {}", MethodName(request_.method), request_.path, e.what());
      return ErrorResponseFor(request_.path, e);
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", MethodName(request_.method), request_.path, e.what());
      return ErrorResponse(request_.path, 500, "internal error");
    }
  }

  void Reply(Response response, bool keep_alive) {
    RemoveUpload();
    keep_alive_ = keep_alive && keep_alive_ && !server_.stopping;
    unsigned version = header_parser_ ? header_parser_->get().version() : 11;
    if (string_parser_) version = string_parser_->get().version();
    if (file_parser_) version = file_parser_->get().version();
    int status = response.status;
    if (!response.file.empty()) return ReplyWithFile(std::move(response), version);
    if (response.shared_body) return ReplyWithSharedBody(std::move(response), version);

    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(status), version);
    FillHeaders(*res, response);
    res->body() = std::move(response.body);
    res->prepare_payload();
    std::size_t size = res->body().size();
    if (request_.method == Method::kHead) res->body().clear();  // Content-Length stays
    Write(res, status, size);
  }

  // A cached body goes out as it is: the message points into the shared
  // string and keeps it alive until the write is done.
  void ReplyWithSharedBody(Response response, unsigned version) {
    using Message = http::response<http::span_body<const char>>;
    struct Held {
      std::shared_ptr<const std::string> body;
      Message message;
    };
    auto held =
        std::make_shared<Held>(Held{std::move(response.shared_body),
                                    Message(static_cast<http::status>(response.status), version)});
    std::shared_ptr<Message> res(held, &held->message);
    FillHeaders(*res, response);
    res->body() = {held->body->data(), held->body->size()};
    res->prepare_payload();
    std::size_t size = held->body->size();
    if (request_.method == Method::kHead) res->body() = {};  // Content-Length stays
    Write(res, response.status, size);
  }

  void ReplyWithFile(Response response, unsigned version) {
    auto res = std::make_shared<http::response<http::file_body>>(
        static_cast<http::status>(response.status), version);
    FillHeaders(*res, response);
    beast::error_code ec;
    res->body().open(response.file.c_str(), beast::file_mode::scan, ec);
    if (ec) return Reply(ErrorResponse(request_.path, 404, "no such file"), keep_alive_);
    res->prepare_payload();
    std::size_t size = static_cast<std::size_t>(res->body().size());
    if (request_.method == Method::kHead) {
      auto head = std::make_shared<http::response<http::empty_body>>(res->result(), version);
      head->base() = res->base();
      return Write(head, response.status, size);
    }
    Write(res, response.status, size);
  }

  template <class Message>
  void FillHeaders(Message& res, const Response& response) {
    res.set(http::field::server, "cairn");
    res.set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) res.set(name, value);
    res.keep_alive(keep_alive_);
  }

  template <class Message>
  void Write(const std::shared_ptr<Message>& res, int status, std::size_t bytes_out) {
    // Counted and logged before the client can see the response, so that a
    // client reading /metrics next finds its request there.
    Log(status, bytes_out);
    Lowest().expires_after(std::chrono::seconds(server_.options.idle_timeout_seconds));
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        self->server_.RequestFinished();
                        self->ResetParsers();
                        if (ec || !self->keep_alive_) return self->Close();
                        self->ReadHeader();
                      });
  }

  void ResetParsers() {
    header_parser_.reset();
    string_parser_.reset();
    file_parser_.reset();
    request_ = Request();
  }

  void Log(int status, std::size_t bytes_out) {
    double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    const char* route = route_ != nullptr ? route_->pattern.c_str() : "unmatched";
    server_.metrics.ObserveRequest(route, MethodName(request_.method), status, seconds);
    // Formatted directly rather than through a json object (a map of ten
    // nodes per request); the strings a client chose go through the JSON
    // encoder, which escapes them and replaces invalid UTF-8.
    server_.access_log->info(
        R"({{"bytes_in":{},"bytes_out":{},"duration_ms":{},"method":"{}","path":{},)"
        R"("remote":{},"route":{},"status":{},"token":{},"ts":{}}})",
        bytes_in_, bytes_out, seconds * 1000, MethodName(request_.method),
        JsonString(request_.path),  // never the query string: it may carry secrets
        JsonString(remote_), JsonString(route), status,
        request_.principal ? JsonString(request_.principal->name) : std::string("null"),
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  }

  void RemoveUpload() {
    if (upload_path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(upload_path_, ec);
    upload_path_.clear();
  }

  void Close() {
    RemoveUpload();
    Unregister();
    beast::error_code ec;
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      // A TLS close_notify is a courtesy; do not wait for the peer's.
      Lowest().expires_after(std::chrono::seconds(1));
    }
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
    Lowest().socket().close(ec);
  }

  HttpServer::Impl& server_;
  Stream stream_;
  std::string remote_;
  std::uint64_t id_ = 0;
  bool busy_ = false;  // a request is being handled: shutdown waits for it
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> header_parser_;
  std::optional<http::request_parser<http::string_body>> string_parser_;
  std::optional<http::request_parser<http::file_body>> file_parser_;
  Request request_;
  const Route* route_ = nullptr;
  std::filesystem::path upload_path_;
  bool keep_alive_ = true;
  Clock::time_point started_;
  std::uint64_t bytes_in_ = 0;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      spdlog::warn("accept failed: {}", ec.message());
      return Accept();
    }
    beast::error_code remote_ec;
    auto endpoint = socket.remote_endpoint(remote_ec);
    std::string remote = remote_ec ? "" : endpoint.address().to_string();
    beast::tcp_stream stream(std::move(socket));
    if (tls) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          *this, beast::ssl_stream<beast::tcp_stream>(std::move(stream), *tls), std::move(remote))
          ->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(*this, std::move(stream), std::move(remote))
          ->Start();
    }
    Accept();
  });
}

std::filesystem::path HttpServer::Impl::NewUploadFile() {
  std::string pattern = (options.upload_dir / "upload-XXXXXX").string();
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) {
    throw Error(ErrorCode::kIo,
                fmt::format("cannot create an upload file in {}", options.upload_dir.string()));
  }
  ::close(fd);
  return pattern;
}

HttpServer::HttpServer(ServerOptions options, const Router& router,
                       auth::Authenticator& authenticator, Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, authenticator, metrics)) {}

HttpServer::~HttpServer() {
  Shutdown(0);
}

void HttpServer::Start() {
  Impl& s = *impl_;
  if (s.options.io_threads < 2) s.options.io_threads = 2;
  if (s.options.upload_dir.empty()) s.options.upload_dir = std::filesystem::temp_directory_path();
  std::filesystem::create_directories(s.options.upload_dir);
  if (!s.options.tls_cert.empty() || !s.options.tls_key.empty()) {
    s.tls.emplace(asio::ssl::context::tls_server);
    s.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1);
    beast::error_code ec;
    s.tls->use_certificate_chain_file(s.options.tls_cert.string(), ec);
    if (ec) {
      throw Error(ErrorCode::kIo, fmt::format("cannot use the TLS certificate {}: {}",
                                              s.options.tls_cert.string(), ec.message()));
    }
    s.tls->use_private_key_file(s.options.tls_key.string(), asio::ssl::context::pem, ec);
    if (ec) {
      throw Error(ErrorCode::kIo, fmt::format("cannot use the TLS key {}: {}",
                                              s.options.tls_key.string(), ec.message()));
    }
  }
  beast::error_code ec;
  tcp::endpoint endpoint(asio::ip::make_address(s.options.host, ec), s.options.port);
  if (ec) throw Error(ErrorCode::kInvalidArgument, "not an IP address: " + s.options.host);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error(ErrorCode::kIo, fmt::format("cannot listen on {}:{}: {}", s.options.host,
                                            s.options.port, ec.message()));
  }
  s.bound_port = s.acceptor.local_endpoint().port();
  s.Accept();
  for (int i = 0; i < s.options.io_threads; ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
}

std::uint16_t HttpServer::port() const {
  return impl_->bound_port;
}

std::string HttpServer::url() const {
  return fmt::format("{}://{}:{}", impl_->tls ? "https" : "http", impl_->options.host,
                     impl_->bound_port);
}

void HttpServer::Shutdown(int grace_seconds) {
  Impl& s = *impl_;
  if (s.threads.empty()) return;
  s.stopping = true;
  asio::post(s.acceptor_strand, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  std::vector<std::function<void()>> closers;
  {
    std::unique_lock lock(s.mutex);
    s.idle.wait_for(lock, std::chrono::seconds(grace_seconds), [&s] { return s.in_flight == 0; });
    for (auto& [id, close] : s.closers) closers.push_back(close);
  }
  for (auto& close : closers) close();
  // Sessions still busy past the grace period are cut off.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  s.ioc.stop();
  for (std::thread& thread : s.threads) thread.join();
  s.threads.clear();
  s.blocking.join();
}

void HttpServer::WaitForStopSignal() {
  asio::io_context signals_context;
  asio::signal_set signals(signals_context, SIGINT, SIGTERM);
  signals.async_wait([](const beast::error_code&, int) {});
  signals_context.run();
}

}  // namespace cairn::server
