#include "catalog/snapshot_sets.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

#include "catalog/content_hash.h"

namespace cairn::catalog {
namespace {

char FoldCase(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// FNV-1a over the edge's parts, case-folded as FqnKey folds.
std::uint64_t FoldedEdgeHash(const LineageEdge& edge) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (const std::string* part :
       {&edge.upstream_fqn, &edge.downstream_fqn, &edge.upstream_column, &edge.downstream_column}) {
    for (char c : *part) {
      hash ^= static_cast<unsigned char>(FoldCase(c));
      hash *= 0x100000001B3ULL;
    }
    hash ^= 0x1F;
    hash *= 0x100000001B3ULL;
  }
  return hash;
}

bool EqualFolded(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return FoldCase(x) == FoldCase(y);
         });
}

bool SameEdge(const LineageEdge& a, const LineageEdge& b) {
  return EqualFolded(a.upstream_fqn, b.upstream_fqn) &&
         EqualFolded(a.downstream_fqn, b.downstream_fqn) &&
         EqualFolded(a.upstream_column, b.upstream_column) &&
         EqualFolded(a.downstream_column, b.downstream_column);
}

}  // namespace

std::int64_t HashLineageSet(const std::vector<LineageEdge>& edges) {
  ContentHasher hasher;
  for (const LineageEdge& edge : edges) {
    hasher.Add(std::string_view(edge.upstream_fqn));
    hasher.Add(std::string_view(edge.downstream_fqn));
    hasher.Add(std::string_view(edge.upstream_column));
    hasher.Add(std::string_view(edge.downstream_column));
  }
  return static_cast<std::int64_t>(hasher.Finish());
}

std::int64_t HashDocSet(const std::vector<DocBlock>& docs) {
  ContentHasher hasher;
  for (const DocBlock& doc : docs) {
    hasher.Add(std::string_view(doc.unique_id));
    hasher.Add(std::string_view(doc.name));
    hasher.Add(std::string_view(doc.package_name));
    hasher.Add(std::string_view(doc.block_contents));
  }
  return static_cast<std::int64_t>(hasher.Finish());
}

std::vector<const LineageEdge*> DistinctLineageEdges(const std::vector<LineageEdge>& edges) {
  // The map's value is the first edge with that key, compared in full
  // against collisions.
  std::unordered_multimap<std::uint64_t, const LineageEdge*> seen;
  seen.reserve(edges.size());
  std::vector<const LineageEdge*> distinct;
  distinct.reserve(edges.size());
  for (const LineageEdge& edge : edges) {
    std::uint64_t key = FoldedEdgeHash(edge);
    auto [first, last] = seen.equal_range(key);
    if (std::any_of(first, last,
                    [&](const auto& entry) { return SameEdge(*entry.second, edge); })) {
      continue;
    }
    seen.emplace(key, &edge);
    distinct.push_back(&edge);
  }
  return distinct;
}

}  // namespace cairn::catalog
