#pragma once

#include <string>

namespace cairn::catalog::postgres::testing {

// A new, empty database on the tests' PostgreSQL cluster (the ctest fixture
// `postgres`, tests/postgres_fixture.py), named after the running test, and
// its postgresql:// URL. Fails the test (ADD_FAILURE + throw) when the
// fixture is not running: these tests never pass by skipping.
std::string NewTestDatabase();

// The URL of the cluster's `postgres` database.
std::string ClusterUrl();

}  // namespace cairn::catalog::postgres::testing
