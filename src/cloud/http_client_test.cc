#include "cloud/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/error.h"

namespace cairn::cloud {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A real HTTP/1.1 peer on 127.0.0.1 that answers each connection with the
// next scripted reply (the last one repeats) and records what it was sent.
class ScriptedServer {
 public:
  struct Reply {
    int status = 200;
    std::string body;
    std::chrono::milliseconds delay{0};  // before answering: a hung server
    std::string extra_headers;           // "Name: value\r\n" lines
  };

  explicit ScriptedServer(std::vector<Reply> replies) : replies_(std::move(replies)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (::bind(listener_, generic, size) != 0 || ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, generic, &size) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~ScriptedServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int requests() const { return requests_; }
  std::string last_request() const {
    std::lock_guard lock(mutex_);
    return last_request_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      std::string head = ReadRequest(connection);
      const Reply& reply =
          replies_.at(std::min(static_cast<std::size_t>(requests_.load()), replies_.size() - 1));
      ++requests_;
      {
        std::lock_guard lock(mutex_);
        last_request_ = head;
      }
      for (auto waited = 0ms; waited < reply.delay && !stopping_; waited += 10ms) {
        std::this_thread::sleep_for(10ms);
      }
      std::ostringstream out;
      out << "HTTP/1.1 " << reply.status << " Scripted\r\nContent-Length: " << reply.body.size()
          << "\r\nConnection: close\r\n"
          << reply.extra_headers << "\r\n"
          << reply.body;
      std::string text = out.str();
      (void)::send(connection, text.data(), text.size(), MSG_NOSIGNAL);
      ::close(connection);
    }
  }

  static std::string ReadRequest(int connection) {
    std::string data;
    char buffer[4096];
    while (data.find("\r\n\r\n") == std::string::npos) {
      ssize_t got = ::recv(connection, buffer, sizeof(buffer), 0);
      if (got <= 0) break;
      data.append(buffer, static_cast<std::size_t>(got));
    }
    return data;
  }

  std::vector<Reply> replies_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string last_request_;
  std::thread thread_;
};

HttpClientOptions Fast() {
  return {.connect_timeout = 2000ms,
          .stall_timeout = 1000ms,
          .max_attempts = 3,
          .backoff_base = 5ms,
          .backoff_max = 20ms};
}

TEST(HttpClientTest, RetriesServerErrorsThenSucceeds) {
  ScriptedServer server({{.status = 500, .body = "oops"}, {.status = 503}, {.body = "hello"}});
  HttpResponse response = HttpClient(Fast()).Send({.url = server.Url("/object?X-Amz-Signature=s")});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "hello");
  EXPECT_EQ(response.attempts, 3);
  EXPECT_EQ(server.requests(), 3);
}

TEST(HttpClientTest, A429WithRetryAfterWaitsThatLongBoundedBeforeItsRetry) {
  ScriptedServer server({{.status = 429, .extra_headers = "Retry-After: 1\r\n"}, {.body = "ok"}});
  auto started = std::chrono::steady_clock::now();
  HttpResponse response = HttpClient(Fast()).Send({.url = server.Url("/")});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.attempts, 2);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);

  ScriptedServer greedy(
      {{.status = 503, .extra_headers = "Retry-After: 3600\r\n"}, {.body = "ok"}});
  HttpClientOptions options = Fast();
  options.retry_after_max = 50ms;
  started = std::chrono::steady_clock::now();
  EXPECT_EQ(HttpClient(options).Send({.url = greedy.Url("/")}).status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST(HttpClientTest, GivesUpAfterItsAttemptsAndAnswersTheLastStatus) {
  ScriptedServer server({{.status = 502, .body = "bad gateway"}});
  HttpResponse response = HttpClient(Fast()).Send({.url = server.Url("/")});
  EXPECT_EQ(response.status, 502);
  EXPECT_EQ(response.attempts, 3);
}

TEST(HttpClientTest, ClientErrorsAreNotRetriedButThrottlingIs) {
  ScriptedServer missing({{.status = 404, .body = "<Code>NoSuchKey</Code>"}});
  EXPECT_EQ(HttpClient(Fast()).Send({.url = missing.Url("/k")}).attempts, 1);
  ScriptedServer throttled(
      {{.status = 400, .body = R"({"__type":"ThrottlingException"})"}, {.body = "{}"}});
  HttpResponse response = HttpClient(Fast()).Send({.url = throttled.Url("/")});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.attempts, 2);
}

TEST(HttpClientTest, AHungServerTimesOutWithAMessageWithoutTheQuery) {
  ScriptedServer hung({{.delay = 10s}});
  HttpClientOptions options = Fast();
  options.max_attempts = 2;
  auto started = std::chrono::steady_clock::now();
  try {
    HttpClient(options).Send({.url = hung.Url("/manifest.json?X-Amz-Signature=secret")});
    FAIL() << "a hung server must time out";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("GET http://127.0.0.1:"), std::string::npos) << message;
    EXPECT_NE(message.find("/manifest.json"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    EXPECT_NE(message.find("after 2 attempts"), std::string::npos) << message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, 8s) << "the stall timeout cut it off";
  }
}

TEST(HttpClientTest, AHungServerIsNamedByThePreparedUrl) {
  ScriptedServer hung({{.delay = 10s}});
  HttpClientOptions options = Fast();
  options.max_attempts = 1;
  std::string url = hung.Url("/bucket?list-type=2");
  try {
    // As S3Client sends: the URL is set by `prepare`, which signs each attempt.
    HttpClient(options).Send({}, [&](HttpRequest& attempt) { attempt.url = url; });
    FAIL() << "a hung server must time out";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("GET http://127.0.0.1:"), std::string::npos) << message;
    EXPECT_NE(message.find("/bucket:"), std::string::npos) << message;
  }
}

TEST(HttpClientTest, RefusedConnectionsAreRetriedThenReported) {
  int port = 0;
  {
    ScriptedServer gone(std::vector<ScriptedServer::Reply>{ScriptedServer::Reply{}});
    port = std::stoi(gone.Url("").substr(std::string("http://127.0.0.1:").size()));
  }
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  EXPECT_THROW(HttpClient(Fast()).Send({.url = url}), Error);
}

TEST(HttpClientTest, DownloadsStreamToAFileAndErrorBodiesStayReadable) {
  fs::path file = fs::temp_directory_path() / ("cairn_http_" + std::to_string(::getpid()));
  std::string big(3 << 20, 'x');
  ScriptedServer server({{.status = 500, .body = "first try fails"},
                         {.body = big, .extra_headers = "ETag: \"abc\"\r\n"}});
  HttpResponse response = HttpClient(Fast()).Send({.url = server.Url("/m"), .download_to = file});
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(fs::file_size(file), big.size());
  EXPECT_EQ(response.Header("etag"), "\"abc\"");

  ScriptedServer missing({{.status = 403, .body = "<Code>AccessDenied</Code>"}});
  response = HttpClient(Fast()).Send({.url = missing.Url("/m"), .download_to = file});
  EXPECT_EQ(response.status, 403);
  EXPECT_EQ(response.body, "<Code>AccessDenied</Code>");
  fs::remove(file);
}

TEST(HttpClientTest, RedirectsAreNotFollowedUnlessAsked) {
  ScriptedServer target({{.body = "moved here"}});
  ScriptedServer redirect(
      {{.status = 302, .extra_headers = "Location: " + target.Url("/new") + "\r\n"}});
  EXPECT_EQ(HttpClient(Fast()).Send({.url = redirect.Url("/old")}).status, 302);
  HttpClientOptions follow = Fast();
  follow.follow_redirects = true;
  EXPECT_EQ(HttpClient(follow).Send({.url = redirect.Url("/old")}).body, "moved here");
}

TEST(HttpClientTest, SendsExactlyTheHeadersAndBodyGivenAndPreparesEachAttempt) {
  ScriptedServer server({{.status = 500}, {.body = "ok"}});
  int prepared = 0;
  HttpResponse response = HttpClient(Fast()).Send(
      {.method = "POST", .url = server.Url("/"), .headers = {{"X-Amz-Target", "T"}}, .body = "{}"},
      [&](HttpRequest& request) {
        request.headers.emplace_back("X-Attempt", std::to_string(++prepared));
      });
  EXPECT_EQ(response.body, "ok");
  EXPECT_EQ(prepared, 2);
  std::string sent = server.last_request();
  EXPECT_NE(sent.find("POST / HTTP/1.1"), std::string::npos);
  EXPECT_NE(sent.find("X-Attempt: 2"), std::string::npos);
  EXPECT_NE(sent.find("Content-Length: 2"), std::string::npos);
  EXPECT_EQ(sent.find("Expect:"), std::string::npos);
  EXPECT_EQ(sent.find("chunked"), std::string::npos);
}

}  // namespace
}  // namespace cairn::cloud
