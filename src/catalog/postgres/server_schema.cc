#include "catalog/postgres/migrations.h"

namespace cairn::catalog::postgres {

// What `cairn serve` keeps beside the catalog.
const char* const kServerSchema = R"sql(
SELECT 1;
)sql";

}  // namespace cairn::catalog::postgres
