#include "server/http/http_server.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace cairn::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

// "Bearer read" may read, "Bearer admin" may do anything; nothing else passes.
class FakeAuthenticator : public auth::Authenticator {
 public:
  std::optional<auth::Principal> Authenticate(std::string_view header) override {
    if (header == "Bearer read") return auth::Principal{1, "reader", auth::Access::kRead};
    if (header == "Bearer admin") return auth::Principal{2, "admin", auth::Access::kAdmin};
    return std::nullopt;
  }
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    upload_dir_ = fs::temp_directory_path() / ("cairn_http_test_" + std::to_string(::getpid()));
    fs::create_directories(upload_dir_);
    router_.Add({.method = Method::kGet,
                 .pattern = "/healthz",
                 .access = auth::Access::kNone,
                 .handler = [](Request&) { return JsonResponse(200, R"({"status":"ok"})"); }});
    router_.Add({.method = Method::kGet, .pattern = "/echo/{name}", .handler = [](Request& r) {
                   return JsonResponse(200, r.params.at("name") + "|" +
                                                r.QueryParam("q").value_or("-") + "|" +
                                                r.principal->name);
                 }});
    router_.Add({.method = Method::kPost,
                 .pattern = "/small",
                 .access = auth::Access::kAdmin,
                 .body = BodyKind::kSmall,
                 .handler = [](Request& r) { return JsonResponse(200, r.body); }});
    router_.Add({.method = Method::kPost,
                 .pattern = "/upload",
                 .access = auth::Access::kRead,
                 .body = BodyKind::kUpload,
                 .handler = [this](Request& r) {
                   ++uploads_;
                   seen_file_ = r.body_file;
                   std::ifstream in(r.body_file, std::ios::binary);
                   std::string head(4, '\0');
                   in.read(head.data(), 4);
                   return JsonResponse(200,
                                       std::to_string(fs::file_size(r.body_file)) + ":" + head);
                 }});
    router_.Add({.method = Method::kGet, .pattern = "/slow", .handler = [this](Request&) {
                   slow_started_ = true;
                   std::this_thread::sleep_for(std::chrono::milliseconds(500));
                   return JsonResponse(200, "done");
                 }});
    router_.Add({.method = Method::kGet, .pattern = "/fail", .handler = [](Request&) -> Response {
                   throw Error(ErrorCode::kNotFound, "no such thing");
                 }});
    ServerOptions options;
    options.port = 0;
    options.max_small_body = 1024;
    options.max_upload_body = 64 << 20;
    options.upload_dir = upload_dir_;
    server_ = std::make_unique<HttpServer>(options, router_, auth_, metrics_);
    server_->Start();
  }

  void TearDown() override {
    server_->Shutdown(5);
    fs::remove_all(upload_dir_);
  }

  tcp::socket Connect() {
    tcp::socket socket(ioc_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return socket;
  }

  http::response<http::string_body> Send(tcp::socket& socket,
                                         http::request<http::string_body> request) {
    request.set(http::field::host, "127.0.0.1");
    request.prepare_payload();
    http::write(socket, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
  }

  http::response<http::string_body> Call(http::verb verb, const std::string& target,
                                         const std::string& token = "", std::string body = "") {
    tcp::socket socket = Connect();
    http::request<http::string_body> request(verb, target, 11);
    if (!token.empty()) request.set(http::field::authorization, token);
    request.body() = std::move(body);
    return Send(socket, std::move(request));
  }

  std::size_t FilesInUploadDir() {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(upload_dir_), fs::directory_iterator()));
  }

  asio::io_context ioc_;
  fs::path upload_dir_;
  Router router_;
  FakeAuthenticator auth_;
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> uploads_{0};
  fs::path seen_file_;
  std::atomic<bool> slow_started_{false};
};

TEST_F(HttpServerTest, RoutesWithParamsQueryAndPrincipal) {
  auto response = Call(http::verb::get, "/echo/a%20b?q=x+y", "Bearer read");
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "a b|x y|reader");
  EXPECT_EQ(response[http::field::server], "cairn");
  EXPECT_EQ(Call(http::verb::get, "/healthz").result_int(), 200);
  EXPECT_EQ(Call(http::verb::get, "/nope", "Bearer read").result_int(), 404);
  EXPECT_EQ(Call(http::verb::delete_, "/healthz").result_int(), 405);
  auto error = Call(http::verb::get, "/fail", "Bearer read");
  EXPECT_EQ(error.result_int(), 404);
  EXPECT_NE(error.body().find("no such thing"), std::string::npos);
}

TEST_F(HttpServerTest, MissingOrBadTokensAre401AndWeakOnes403) {
  auto missing = Call(http::verb::get, "/echo/x");
  EXPECT_EQ(missing.result_int(), 401);
  EXPECT_EQ(missing[http::field::www_authenticate], "Bearer");
  EXPECT_NE(missing.body().find("\"status\":401"), std::string::npos);
  EXPECT_EQ(Call(http::verb::get, "/echo/x", "Bearer wrong").result_int(), 401);
  EXPECT_EQ(Call(http::verb::post, "/small", "Bearer read", "{}").result_int(), 403);
  EXPECT_EQ(Call(http::verb::post, "/small", "Bearer admin", "{}").result_int(), 200);
}

TEST_F(HttpServerTest, OversizedBodiesAre413) {
  EXPECT_EQ(Call(http::verb::post, "/small", "Bearer admin", std::string(2000, 'x')).result_int(),
            413);
  // A chunked body has no Content-Length: the limit holds while reading.
  tcp::socket socket = Connect();
  std::string head =
      "POST /small HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  std::string chunk = "800\r\n" + std::string(0x800, 'y') + "\r\n0\r\n\r\n";
  asio::write(socket, asio::buffer(head + chunk));
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  EXPECT_EQ(response.result_int(), 413);
}

TEST_F(HttpServerTest, UploadsAreStreamedToAFileThatIsRemovedAfterwards) {
  std::string body(20 << 20, 'z');
  body.replace(0, 4, "head");
  auto response = Call(http::verb::post, "/upload", "Bearer read", body);
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), std::to_string(body.size()) + ":head");
  EXPECT_EQ(seen_file_.parent_path(), upload_dir_);
  EXPECT_FALSE(fs::exists(seen_file_));
  EXPECT_EQ(FilesInUploadDir(), 0u);
}

TEST_F(HttpServerTest, ClientLeavingMidUploadCallsNoHandlerAndLeavesNoFile) {
  {
    tcp::socket socket = Connect();
    std::string head =
        "POST /upload HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer read\r\n"
        "Content-Length: 10000000\r\n\r\n";
    asio::write(socket, asio::buffer(head + std::string(1 << 20, 'a')));
    for (int i = 0; i < 100 && FilesInUploadDir() == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(FilesInUploadDir(), 1u);
  }
  for (int i = 0; i < 200 && FilesInUploadDir() != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(FilesInUploadDir(), 0u);
  EXPECT_EQ(uploads_, 0);
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  tcp::socket socket = Connect();
  for (int i = 0; i < 3; ++i) {
    http::request<http::string_body> request(http::verb::get, "/echo/" + std::to_string(i), 11);
    request.set(http::field::authorization, "Bearer read");
    auto response = Send(socket, std::move(request));
    EXPECT_EQ(response.body(), std::to_string(i) + "|-|reader");
    EXPECT_TRUE(response.keep_alive());
  }
}

TEST_F(HttpServerTest, HeadSendsTheHeadersOnly) {
  tcp::socket socket = Connect();
  http::request<http::string_body> request(http::verb::head, "/healthz", 11);
  request.set(http::field::host, "x");
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);  // a HEAD response has no body
  http::read(socket, buffer, parser);
  EXPECT_EQ(parser.get().result_int(), 200);
  EXPECT_EQ(parser.get()[http::field::content_length], "15");
}

TEST_F(HttpServerTest, ShutdownLetsTheRequestInFlightFinish) {
  std::string body;
  std::thread client([&] { body = Call(http::verb::get, "/slow", "Bearer read").body(); });
  while (!slow_started_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server_->Shutdown(5);
  client.join();
  EXPECT_EQ(body, "done");
  EXPECT_THROW(Connect(), boost::system::system_error);
}

TEST_F(HttpServerTest, RequestsAreCountedByRoutePattern) {
  Call(http::verb::get, "/echo/a", "Bearer read");
  Call(http::verb::get, "/echo/b", "Bearer read");
  std::string text = metrics_.Render();
  EXPECT_NE(text.find("route=\"/echo/{name}\",method=\"GET\",status=\"200\"} 2"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace cairn::server
