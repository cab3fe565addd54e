#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "catalog/model.h"

namespace cairn::catalog {

// A fast, non-cryptographic 64-bit hash whose value depends only on the bytes
// fed to it (never on the build or the process), so hashes stored by one
// binary stay comparable in the next. Stores use it to skip rewriting
// entities a re-ingestion did not change; it does not resist adversaries.
class ContentHasher {
 public:
  // Each value is length- or type-tagged so that ("ab", "c") and ("a", "bc")
  // hash differently.
  void Add(std::string_view text);
  void Add(std::int64_t value);
  void Add(double value);
  void Add(bool value);
  void Add(const std::vector<std::string>& texts);
  void Add(const std::optional<std::int64_t>& value);
  void Add(const std::optional<double>& value);

  std::uint64_t Finish() const;

 private:
  void AddWord(std::uint64_t word);
  void AddBytes(const char* data, std::size_t size);

  std::uint64_t state_ = 0x243F6A8885A308D3ULL;
  std::uint64_t length_ = 0;
};

// Hashes of everything a store persists for an entity: a table with its
// columns, and a dbt node.
std::uint64_t HashTable(const Table& table);
std::uint64_t HashNode(const DbtNode& node);

}  // namespace cairn::catalog
