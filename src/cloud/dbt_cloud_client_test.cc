#include "cloud/dbt_cloud_client.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace cairn::cloud {
namespace {

DbtCloudCredentials Credentials() {
  return {.account_id = "42", .api_key = "dbtc_unused", .domain = "ab123.us1.dbt.com"};
}

TEST(DbtCloudClientTest, TheTypeChoosesTheClient) {
  const HttpClient http;
  DbtCloudClient admin = MakeDbtCloudClient(Credentials(), "administrative", http);
  ASSERT_TRUE(std::holds_alternative<DbtCloudAdminClient>(admin));
  EXPECT_EQ(std::get<DbtCloudAdminClient>(admin).base_url(), "https://ab123.us1.dbt.com");

  DbtCloudClient metadata = MakeDbtCloudClient(Credentials(), "metadata", http);
  ASSERT_TRUE(std::holds_alternative<DbtCloudDiscoveryClient>(metadata));
  EXPECT_EQ(std::get<DbtCloudDiscoveryClient>(metadata).endpoint(),
            "https://ab123.metadata.us1.dbt.com/graphql")
      << "an account-prefixed host has its metadata host beside it";
}

TEST(DbtCloudClientTest, AnyOtherTypeNamesTheAllowedOnes) {
  const HttpClient http;
  try {
    MakeDbtCloudClient(Credentials(), "graphql", http);
    FAIL() << "made a client of an unknown type";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("'graphql' (allowed: administrative, metadata)"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace cairn::cloud
