#include "server/testing/store_database.h"

namespace cairn::testing {

StoreBackend TestedBackend() {
  return SqliteBackend();
}

}  // namespace cairn::testing
