#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "connectors/source.h"

namespace cairn::cli {

// Shows the phase under way on a terminal: a spinner, the phase, its input
// size and the seconds so far, redrawn ten times a second on stderr; a line
// with the phase's time when it finishes. Prints nothing when stderr is not
// a terminal, so logs and pipes stay clean.
class TerminalProgress : public connectors::ProgressListener {
 public:
  TerminalProgress();
  ~TerminalProgress() override;
  TerminalProgress(const TerminalProgress&) = delete;
  TerminalProgress& operator=(const TerminalProgress&) = delete;

  void PhaseStarted(const std::string& phase, std::uint64_t bytes) override;
  void PhaseFinished(const std::string& phase) override;

 private:
  void Redraw();
  void Stop();

  const bool enabled_;
  std::mutex mutex_;
  std::string phase_;
  std::uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::atomic<bool> running_{false};
  std::thread ticker_;
};

}  // namespace cairn::cli
