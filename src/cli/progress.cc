#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace cairn::cli {
namespace {

std::string HumanBytes(std::uint64_t bytes) {
  if (bytes >= 1'000'000) return fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
  if (bytes >= 1'000) return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
  return fmt::format("{} B", bytes);
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

TerminalProgress::TerminalProgress() : enabled_(isatty(STDERR_FILENO) == 1) {}

TerminalProgress::~TerminalProgress() {
  Stop();
}

void TerminalProgress::PhaseStarted(const std::string& phase, std::uint64_t bytes) {
  if (!enabled_) return;
  Stop();
  {
    std::lock_guard lock(mutex_);
    phase_ = phase;
    bytes_ = bytes;
    started_ = std::chrono::steady_clock::now();
  }
  running_ = true;
  ticker_ = std::thread([this] {
    while (running_) {
      Redraw();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
}

void TerminalProgress::PhaseFinished(const std::string& phase) {
  if (!enabled_) return;
  Stop();
  std::lock_guard lock(mutex_);
  std::fputs(fmt::format("\r\033[K  done  {} ({:.2f} s)\n", phase, Seconds(started_)).c_str(),
             stderr);
}

void TerminalProgress::Redraw() {
  static constexpr const char* kFrames[] = {"|", "/", "-", "\\"};
  static std::size_t frame = 0;
  std::lock_guard lock(mutex_);
  const std::string size = bytes_ > 0 ? fmt::format(", {}", HumanBytes(bytes_)) : "";
  std::fputs(fmt::format("\r\033[K  {}  {}{}  {:.1f} s", kFrames[frame++ % 4], phase_, size,
                         Seconds(started_))
                 .c_str(),
             stderr);
  std::fflush(stderr);
}

void TerminalProgress::Stop() {
  running_ = false;
  if (ticker_.joinable()) ticker_.join();
}

}  // namespace cairn::cli
