#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <ostream>
#include <string>

// What the tests of the server's stores (tokens, credential blocks, runs,
// sync state) run on, so that one suite checks every backend. A suite is a
// TEST_P over StoreBackend, compiled once into an object library and
// instantiated with the backend its binary links in:
//
//   INSTANTIATE_TEST_SUITE_P(Backend, TokenServiceTest,
//                            ::testing::Values(testing::TestedBackend()), testing::BackendName);
//
// SQLite binaries link cairn_stores_on_sqlite, the PostgreSQL one (with the
// `postgres` fixture) cairn_stores_on_postgres.
namespace cairn::testing {

// A new database for one test, migrated so that the stores and the catalog
// can open it; the SQLite one is deleted with this object.
class StoreDatabase {
 public:
  virtual ~StoreDatabase() = default;
  // What the Open*Store(db_url) factories and catalog::OpenStore take.
  virtual const std::string& url() const = 0;
  // Everything the database keeps at rest (the SQLite file and its log, or
  // every row of every PostgreSQL table as text): what a secret must never
  // appear in.
  virtual std::string ContentsAtRest() const = 0;
};

struct StoreBackend {
  const char* name;
  std::unique_ptr<StoreDatabase> (*create)();
};

StoreBackend SqliteBackend();
// A database of its own on the `postgres` fixture's cluster.
StoreBackend PostgresBackend();

// The backend of this test binary: store_backend_sqlite.cc or
// store_backend_postgres.cc, whichever is linked in.
StoreBackend TestedBackend();

// The backend's name as the instantiation's test-name suffix.
std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info);
// Its name, so that gtest (and ctest's test names) show that rather than bytes.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) {
  *out << backend.name;
}

}  // namespace cairn::testing
