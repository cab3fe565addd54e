#include "catalog/postgres/test_database.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "catalog/postgres/connection.h"

namespace cairn::catalog::postgres::testing {
namespace {

// test names as database names: lower case letters, digits and '_'.
std::string DatabaseName() {
  static std::atomic<int> sequence{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = "t";
  if (info != nullptr) name += fmt::format("_{}_{}", info->test_suite_name(), info->name());
  for (char& c : name) {
    c = std::isalnum(static_cast<unsigned char>(c)) != 0
            ? static_cast<char>(std::tolower(static_cast<unsigned char>(c)))
            : '_';
  }
  // PostgreSQL keeps 63 bytes of a name; the pid and a sequence keep them apart.
  std::string suffix = fmt::format("_{}_{}", getpid(), sequence++);
  return name.substr(0, 63 - suffix.size()) + suffix;
}

}  // namespace

std::string ClusterUrl() {
  const char* file = std::getenv("CAIRN_TEST_POSTGRES_URL_FILE");
  std::ifstream in(file == nullptr ? "" : file);
  std::stringstream url;
  url << in.rdbuf();
  if (file == nullptr || !in || url.str().empty()) {
    ADD_FAILURE() << "no PostgreSQL for this test: CAIRN_TEST_POSTGRES_URL_FILE="
                  << (file == nullptr ? "(unset)" : file)
                  << "; run it through ctest, which starts the `postgres` fixture";
    throw std::runtime_error("no PostgreSQL cluster for the test");
  }
  return url.str();
}

std::string NewTestDatabase() {
  std::string cluster = ClusterUrl();
  std::string name = DatabaseName();
  Connection db(cluster);
  db.Exec(fmt::format("CREATE DATABASE \"{}\"", name));
  return cluster.substr(0, cluster.rfind('/') + 1) + name;
}

}  // namespace cairn::catalog::postgres::testing
