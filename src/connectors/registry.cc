#include "connectors/registry.h"

#include <algorithm>

#include "connectors/dbt/dbt_source.h"
#include "connectors/dynamodb/dynamodb_source.h"
#include "connectors/postgres/postgres_source.h"
#include "connectors/sqlite/sqlite_source.h"
#include "core/error.h"

namespace cairn::connectors {

void Registry::Register(Connector connector) {
  if (Find(connector.type) != nullptr) {
    throw Error(ErrorCode::kInternal, "connector registered twice: " + connector.type);
  }
  connectors_.push_back(std::move(connector));
}

const Connector* Registry::Find(std::string_view type) const {
  auto it = std::find_if(connectors_.begin(), connectors_.end(),
                         [&](const Connector& c) { return c.type == type; });
  return it == connectors_.end() ? nullptr : &*it;
}

std::vector<std::string> Registry::Types() const {
  std::vector<std::string> types;
  for (const Connector& c : connectors_) types.push_back(c.type);
  std::sort(types.begin(), types.end());
  return types;
}

const Registry& BuiltinConnectors() {
  static const Registry registry = [] {
    Registry r;
    r.Register(dbt::DbtConnector());
    r.Register(dynamodb::DynamoDbConnector());
    r.Register(postgres::PostgresConnector());
    r.Register(sqlite::SqliteConnector());
    return r;
  }();
  return registry;
}

}  // namespace cairn::connectors
