#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>

// Tests' dbt Cloud: tests/fake_dbt_cloud (the machine's Python and Flask) on
// 127.0.0.1, one per test suite, stopped by PID. Account 1 takes the API key
// kFakeApiKey; the Discovery API serves jaffle_shop as environment 7.
namespace cairn::cloud::testing {

inline constexpr const char* kFakeApiKey = "dbtc_fake_test_api_key";
inline constexpr const char* kFakeEnvironment = "7";

class FakeDbtCloudTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  static std::string Url(const std::string& path);

 private:
  static inline int port_ = 0;
  static inline pid_t pid_ = 0;
  static inline int stdin_ = -1;  // the fake runs until it closes
};

}  // namespace cairn::cloud::testing
