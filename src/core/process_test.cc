#include "core/process.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sstream>

namespace cairn {
namespace {

TEST(ProcessTest, ThisProcessRuns) {
  EXPECT_EQ(StateOf(ThisProcess()), ProcessState::kRunning);
}

TEST(ProcessTest, AnEndedProcessIsGone) {
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    _exit(0);
  }
  // The child's identity as it would have written it: our host and boot, its pid.
  std::istringstream parts(ThisProcess());
  std::string host;
  std::string boot;
  parts >> host >> boot;
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_EQ(StateOf(host + " " + boot + " " + std::to_string(child) + " 12345"),
            ProcessState::kGone);
}

TEST(ProcessTest, AReusedPidIsNotTheOwner) {
  std::istringstream parts(ThisProcess());
  std::string host;
  std::string boot;
  std::string pid;
  std::string start;
  parts >> host >> boot >> pid >> start;
  EXPECT_EQ(StateOf(host + " " + boot + " " + pid + " 1" + start), ProcessState::kGone);
  EXPECT_EQ(StateOf(host + " another-boot " + pid + " " + start), ProcessState::kGone);
}

TEST(ProcessTest, AnotherHostsProcessIsUnknown) {
  std::istringstream parts(ThisProcess());
  std::string host;
  std::string rest;
  parts >> host;
  std::getline(parts, rest);
  EXPECT_EQ(StateOf("elsewhere.example" + rest), ProcessState::kUnknown);
  EXPECT_EQ(StateOf(""), ProcessState::kUnknown);
  EXPECT_EQ(StateOf("not an identity"), ProcessState::kUnknown);
}

}  // namespace
}  // namespace cairn
