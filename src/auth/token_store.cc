#include "auth/token_store.h"

#include "catalog/database_url.h"
#include "catalog/postgres/connection.h"

namespace cairn::auth {

std::unique_ptr<TokenStore> OpenTokenStore(const std::string& db_url) {
  if (catalog::postgres::IsPostgresUrl(db_url)) return OpenPostgresTokenStore(db_url);
  return OpenSqliteTokenStore(catalog::SqlitePathOf(db_url));
}

}  // namespace cairn::auth
