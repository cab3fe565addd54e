#pragma once

#include <cstdint>
#include <vector>

#include "catalog/model.h"

// The whole-set parts of a snapshot (lineage edges, doc blocks), which a
// Store replaces as a whole when they changed: their hashes, compared with
// what the last Apply of (service, origin) stored, and the edges to store.
namespace cairn::catalog {

std::int64_t HashLineageSet(const std::vector<LineageEdge>& edges);
std::int64_t HashDocSet(const std::vector<DocBlock>& docs);

// The edges once each, in order: an edge equal to an earlier one up to
// ASCII case (as FQNs compare, catalog/fqn_key.h) is left out.
std::vector<const LineageEdge*> DistinctLineageEdges(const std::vector<LineageEdge>& edges);

}  // namespace cairn::catalog
