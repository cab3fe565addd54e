#pragma once

#include <string>
#include <string_view>

// Which process owns a piece of shared state (an extraction run in the
// catalog), written so that another process can later tell whether the
// owner still runs: several `cairn serve` may share one catalog, and one that
// starts must fail the runs a dead process left, not those of a live one.
namespace cairn {

// "HOST BOOT-ID PID START": the host name, the kernel's boot id, the pid and
// the process's start time in clock ticks since boot (so that a pid reused
// by a later process, or by the same pid after a reboot, is not mistaken for
// the owner).
std::string ThisProcess();

enum class ProcessState {
  kRunning,
  kGone,     // a process of this host (or an earlier boot of it) that has ended
  kUnknown,  // another host's, or not an identity ThisProcess wrote
};

ProcessState StateOf(std::string_view identity);

}  // namespace cairn
