#include "core/process.h"

#include <fmt/format.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

namespace cairn {
namespace {

std::string HostName() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "unknown-host";
  return name.data();
}

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id.empty() ? "unknown-boot" : id;
}

// Field 22 of /proc/PID/stat, after the command name in parentheses (which
// may itself hold spaces and parentheses); empty when there is no such pid.
std::string StartTicks(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t after_name = stat.rfind(')');
  if (after_name == std::string::npos) return "";
  std::istringstream fields(stat.substr(after_name + 1));
  std::string field;
  for (int index = 3; index <= 22 && fields >> field; ++index) {
    if (index == 22) return field;
  }
  return "";
}

}  // namespace

std::string ThisProcess() {
  std::string pid = std::to_string(getpid());
  return fmt::format("{} {} {} {}", HostName(), BootId(), pid, StartTicks(pid));
}

ProcessState StateOf(std::string_view identity) {
  std::istringstream parts{std::string(identity)};
  std::string host;
  std::string boot;
  std::string pid;
  std::string start;
  if (!(parts >> host >> boot >> pid >> start) || host != HostName()) {
    return ProcessState::kUnknown;
  }
  if (boot != BootId()) return ProcessState::kGone;
  return StartTicks(pid) == start ? ProcessState::kRunning : ProcessState::kGone;
}

}  // namespace cairn
