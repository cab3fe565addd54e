#include "catalog/postgres/migrations.h"

namespace cairn::catalog::postgres {

// The catalog's tables; PostgresStore fills it.
const char* const kCatalogSchema = R"sql(
SELECT 1;
)sql";

}  // namespace cairn::catalog::postgres
