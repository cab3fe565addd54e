#include "connectors/source.h"

#include "catalog/staged_snapshot.h"

namespace cairn::connectors {

void Source::ReadStaged(ProgressListener& progress, catalog::StagedSnapshot& out) {
  out.snapshot() = Read(progress);
}

}  // namespace cairn::connectors
