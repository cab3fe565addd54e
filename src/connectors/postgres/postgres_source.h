#pragma once

#include "connectors/source.h"

// `source.type: postgres` (schemas/connectors/postgres.json): databases,
// schemas, tables, views and materialized views from PostgreSQL's system
// catalogs over libpq, a handful of queries per database whatever its size.
namespace cairn::connectors::postgres {

Connector PostgresConnector();

}  // namespace cairn::connectors::postgres
