#pragma once

#include "connectors/source.h"

// `source.type: sqlite` (schemas/connectors/sqlite.json): the tables and
// views of one SQLite file, opened read-only.
namespace cairn::connectors::sqlite {

Connector SqliteConnector();

}  // namespace cairn::connectors::sqlite
