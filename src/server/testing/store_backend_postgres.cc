#include "server/testing/store_database.h"

namespace cairn::testing {

StoreBackend TestedBackend() {
  return PostgresBackend();
}

}  // namespace cairn::testing
