#include "ingest/runs/run_store.h"

#include "catalog/database_url.h"
#include "catalog/postgres/connection.h"

namespace cairn::ingest {

std::unique_ptr<RunStore> OpenRunStore(const std::string& db_url, const SecretCipher* cipher) {
  if (catalog::postgres::IsPostgresUrl(db_url)) return OpenPostgresRunStore(db_url, cipher);
  return OpenSqliteRunStore(catalog::SqlitePathOf(db_url), cipher);
}

}  // namespace cairn::ingest
