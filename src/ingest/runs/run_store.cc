#include "ingest/runs/run_store.h"

#include "catalog/database_url.h"
#include "catalog/postgres/connection.h"
#include "core/secret_cipher.h"

namespace cairn::ingest {

std::string SettingsSeal::Sealed(const std::string& settings_json) const {
  return cipher_ ? cipher_->Seal(settings_json) : settings_json;
}

Integration SettingsSeal::Opened(Integration integration) const {
  if (cipher_) integration.settings_json = cipher_->Open(integration.settings_json);
  return integration;
}

std::unique_ptr<RunStore> OpenRunStore(const std::string& db_url, const SecretCipher* cipher) {
  if (catalog::postgres::IsPostgresUrl(db_url)) return OpenPostgresRunStore(db_url, cipher);
  return OpenSqliteRunStore(catalog::SqlitePathOf(db_url), cipher);
}

}  // namespace cairn::ingest
