#include "cloud/fake_dbt_cloud_test_util.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

#include "cloud/http_client.h"
#include "cloud/moto_server_test_util.h"
#include "core/error.h"

extern char** environ;

namespace cairn::cloud::testing {

using namespace std::chrono_literals;

void FakeDbtCloudTest::SetUpTestSuite() {
  port_ = FreePort();
  std::vector<std::string> args = {"python3",
                                   "-m",
                                   "fake_dbt_cloud",
                                   "--port",
                                   std::to_string(port_),
                                   "--api-token",
                                   kFakeApiKey,
                                   "--discovery-environment",
                                   std::string(kFakeEnvironment) +
                                       "=" CAIRN_SHARED_DIR
                                       "/fixtures/dbt/projects/jaffle_shop_duckdb_dbt-1.12.0"};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int stdin_pipe[2];
  ASSERT_EQ(::pipe(stdin_pipe), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], 0);
  posix_spawn_file_actions_addclose(&actions, stdin_pipe[1]);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, CAIRN_SOURCE_DIR "/tests");
  int failed = posix_spawnp(&pid_, "python3", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(stdin_pipe[0]);
  stdin_ = stdin_pipe[1];
  ASSERT_EQ(failed, 0) << "python3 is not on PATH";
  HttpClient http({.connect_timeout = 500ms, .max_attempts = 1});
  for (int i = 0; i < 100; ++i) {
    try {
      if (http.Send({.url = Url("/_fake/requests")}).status == 200) return;
    } catch (const Error&) {
    }
    std::this_thread::sleep_for(100ms);
  }
  FAIL() << "the fake dbt Cloud did not start on port " << port_;
}

void FakeDbtCloudTest::TearDownTestSuite() {
  if (pid_ > 0) {
    ::close(stdin_);
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
}

std::string FakeDbtCloudTest::Url(const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace cairn::cloud::testing
