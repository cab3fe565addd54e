#include "catalog/content_hash.h"

#include <bit>
#include <cstring>

namespace cairn::catalog {
namespace {

constexpr std::uint64_t kPrime1 = 0x9E3779B97F4A7C15ULL;
constexpr std::uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;

std::uint64_t Round(std::uint64_t acc, std::uint64_t word) {
  acc += word * kPrime2;
  acc = std::rotl(acc, 31);
  return acc * kPrime1;
}

std::uint64_t Load64(const char* p) {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
  return word;
}

std::uint64_t Avalanche(std::uint64_t h) {
  h ^= h >> 33;
  h *= kPrime2;
  h ^= h >> 29;
  h *= kPrime3;
  h ^= h >> 32;
  return h;
}

}  // namespace

void ContentHasher::AddWord(std::uint64_t word) {
  state_ = Round(state_ ^ word, kPrime4);
  ++length_;
}

// Long strings (SQL) go through four independent lanes, xxhash-style, so the
// multiply chains overlap; the lanes fold into the running state.
void ContentHasher::AddBytes(const char* data, std::size_t size) {
  AddWord(size);
  const char* p = data;
  const char* end = data + size;
  if (size >= 32) {
    std::uint64_t v1 = state_ + kPrime1 + kPrime2;
    std::uint64_t v2 = state_ + kPrime2;
    std::uint64_t v3 = state_;
    std::uint64_t v4 = state_ - kPrime1;
    for (; end - p >= 32; p += 32) {
      v1 = Round(v1, Load64(p));
      v2 = Round(v2, Load64(p + 8));
      v3 = Round(v3, Load64(p + 16));
      v4 = Round(v4, Load64(p + 24));
    }
    AddWord(std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18));
  }
  for (; end - p >= 8; p += 8) AddWord(Load64(p));
  if (p < end) {
    std::uint64_t tail = 0;
    std::memcpy(&tail, p, static_cast<std::size_t>(end - p));
    if constexpr (std::endian::native == std::endian::big) tail = __builtin_bswap64(tail);
    AddWord(tail);
  }
}

void ContentHasher::Add(std::string_view text) {
  AddBytes(text.data(), text.size());
}

void ContentHasher::Add(std::int64_t value) {
  AddWord(static_cast<std::uint64_t>(value));
}

void ContentHasher::Add(double value) {
  AddWord(std::bit_cast<std::uint64_t>(value));
}

void ContentHasher::Add(bool value) {
  AddWord(value ? 0x5EULL : 0xA1ULL);
}

void ContentHasher::Add(const std::vector<std::string>& texts) {
  AddWord(texts.size());
  for (const std::string& text : texts) Add(std::string_view(text));
}

void ContentHasher::Add(const std::optional<std::int64_t>& value) {
  Add(value.has_value());
  if (value) Add(*value);
}

void ContentHasher::Add(const std::optional<double>& value) {
  Add(value.has_value());
  if (value) Add(*value);
}

std::uint64_t ContentHasher::Finish() const {
  return Avalanche(state_ ^ (length_ * kPrime3));
}

std::uint64_t HashTable(const Table& table) {
  ContentHasher h;
  for (std::string_view text :
       {std::string_view(table.fqn), std::string_view(table.database),
        std::string_view(table.schema), std::string_view(table.name),
        std::string_view(table.table_type), std::string_view(table.description),
        std::string_view(table.stats_json), std::string_view(table.definition)}) {
    h.Add(text);
  }
  h.Add(table.tags);
  h.Add(table.owners);
  h.Add(static_cast<std::int64_t>(table.columns.size()));
  for (const Column& column : table.columns) {
    h.Add(std::string_view(column.name));
    h.Add(static_cast<std::int64_t>(column.ordinal));
    h.Add(std::string_view(column.data_type));
    h.Add(std::string_view(column.description));
    h.Add(column.tags);
    h.Add(std::string_view(column.meta_json));
    h.Add(std::string_view(column.constraints_json));
  }
  return h.Finish();
}

std::uint64_t HashNode(const DbtNode& node) {
  ContentHasher h;
  for (const std::string* text : {&node.fqn,
                                  &node.table_fqn,
                                  &node.unique_id,
                                  &node.resource_type,
                                  &node.name,
                                  &node.package_name,
                                  &node.original_file_path,
                                  &node.description,
                                  &node.meta_json,
                                  &node.materialized,
                                  &node.language,
                                  &node.raw_code,
                                  &node.compiled_code,
                                  &node.access,
                                  &node.group_name,
                                  &node.version,
                                  &node.latest_version,
                                  &node.constraints_json,
                                  &node.test_name,
                                  &node.test_column,
                                  &node.test_kwargs_json,
                                  &node.severity,
                                  &node.source_name,
                                  &node.loader,
                                  &node.freshness_json,
                                  &node.label,
                                  &node.exposure_type,
                                  &node.url,
                                  &node.maturity}) {
    h.Add(std::string_view(*text));
  }
  h.Add(node.contract_enforced);
  h.Add(node.tags);
  h.Add(node.owners);
  h.Add(node.depends_on);
  return h.Finish();
}

}  // namespace cairn::catalog
