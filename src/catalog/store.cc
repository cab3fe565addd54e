#include "catalog/store.h"

#include <fmt/format.h>

#include <atomic>
#include <string_view>

#include "catalog/commit_counter.h"
#include "catalog/postgres/connection.h"
#include "catalog/postgres/postgres_store.h"
#include "catalog/sqlite/sqlite_store.h"
#include "catalog/staged_snapshot.h"
#include "core/error.h"

namespace cairn::catalog {
namespace {

std::atomic<std::uint64_t> commits_in_this_process{0};

}  // namespace

std::uint64_t CommitsInThisProcess() {
  return commits_in_this_process.load(std::memory_order_acquire);
}

void NoteCommit() {
  commits_in_this_process.fetch_add(1, std::memory_order_release);
}

ApplyReport Store::ApplyStaged(StagedSnapshot& staged) {
  return Apply(staged.Await(SnapshotPart::kAll));
}

std::unique_ptr<Store> OpenStore(const std::string& url, const StoreOptions& options) {
  std::string_view path = url;
  if (postgres::IsPostgresUrl(url)) return std::make_unique<postgres::PostgresStore>(url);
  if (path.starts_with("postgres:") || path.starts_with("postgresql:")) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("catalog store {}: a PostgreSQL catalog is named by a URL, "
                            "postgresql://[user[:password]@]host[:port]/database",
                            postgres::RedactedUrl(url)));
  }
  if (path.starts_with("sqlite:")) {
    path.remove_prefix(std::string_view("sqlite:").size());
    if (path.starts_with("//")) path.remove_prefix(2);  // sqlite:///abs/path
  }
  if (path.empty()) {
    throw Error(ErrorCode::kInvalidArgument,
                fmt::format("catalog store \"{}\" names no file; use sqlite:PATH", url));
  }
  return std::make_unique<sqlite::SqliteStore>(std::string(path), options);
}

}  // namespace cairn::catalog
