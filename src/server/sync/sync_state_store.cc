#include "server/sync/sync_state_store.h"

#include "catalog/database_url.h"
#include "catalog/postgres/connection.h"

namespace cairn::server {

std::unique_ptr<SyncStateStore> OpenSyncStateStore(const std::string& db_url) {
  if (catalog::postgres::IsPostgresUrl(db_url)) return OpenPostgresSyncStateStore(db_url);
  return OpenSqliteSyncStateStore(catalog::SqlitePathOf(db_url));
}

}  // namespace cairn::server
