#pragma once

#include <cstdint>

namespace cairn::catalog {

// How many catalog commits the Stores of this process have made, counted
// once each is visible to other connections. An atomic load, so a reader can
// check it on every request and see this process's writes at once; only
// other processes' writes need the costlier Store::ChangeCounter().
std::uint64_t CommitsInThisProcess();
// For Store implementations: call after each commit that changed the catalog.
void NoteCommit();

}  // namespace cairn::catalog
