#include "cloud/moto_server_test_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error.h"

extern char** environ;

namespace cairn::cloud::testing {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

int FreePort() {
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  if (::bind(probe, generic, size) != 0 || ::getsockname(probe, generic, &size) != 0) {
    ::close(probe);
    throw std::runtime_error("cannot bind a socket on 127.0.0.1");
  }
  int port = ntohs(address.sin_port);
  ::close(probe);
  return port;
}

void MotoServerTest::SetUpTestSuite() {
  port_ = FreePort();
  std::string port = std::to_string(port_);
  std::vector<std::string> args = {"moto_server", "-H", "127.0.0.1", "-p", port};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  int failed = posix_spawnp(&pid_, "moto_server", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ASSERT_EQ(failed, 0) << "moto_server is not on PATH (it comes with the machine's Python)";
  HttpClient http({.connect_timeout = 500ms, .max_attempts = 1});
  for (int i = 0; i < 100; ++i) {
    try {
      if (http.Send({.method = "POST", .url = Url("/moto-api/reset")}).status == 200) return;
    } catch (const Error&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  FAIL() << "moto_server did not start on port " << port_;
}

void MotoServerTest::TearDownTestSuite() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
}

std::string MotoServerTest::Url(const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void MotoServerTest::Boto3(const std::string& code) {
  std::string script = fmt::format(
      "import boto3\n"
      "kw = dict(endpoint_url='{}', region_name='us-east-1', aws_access_key_id='testing',"
      " aws_secret_access_key='testing')\n"
      "s3 = boto3.client('s3', **kw)\nsts = boto3.client('sts', **kw)\n"
      "dynamodb = boto3.client('dynamodb', **kw)\n"
      "secretsmanager = boto3.client('secretsmanager', **kw)\n{}",
      Url(""), code);
  fs::path file = fs::temp_directory_path() / ("cairn_boto3_" + std::to_string(::getpid()));
  std::ofstream(file) << script;
  int status = std::system(("python3 " + file.string()).c_str());  // NOLINT(cert-env33-c)
  fs::remove(file);
  ASSERT_EQ(status, 0) << script;
}

}  // namespace cairn::cloud::testing
