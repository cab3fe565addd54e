#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>

#include "cloud/http_client.h"
#include "cloud/sigv4.h"
#include "core/error.h"

// Tests' AWS: moto_server from the machine's Python on 127.0.0.1 (one per
// test suite, stopped by PID), seeded with boto3.
namespace cairn::cloud::testing {

// A port nothing listens on at 127.0.0.1 (for a test server to take).
int FreePort();

class MotoServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  static std::string Url(const std::string& path);

  // Runs Python with boto3 clients `s3`, `sts`, `dynamodb` and `secretsmanager` of the server
  // bound.
  static void Boto3(const std::string& code);

  // Empties moto of what earlier tests of the suite made.
  void ResetMoto() {
    ASSERT_EQ(http_.Send({.method = "POST", .url = Url("/moto-api/reset")}).status, 200);
  }

  // A client of one of moto's services (DynamoDbClient, SecretsManagerClient:
  // a location, a credentials provider and the HTTP client) in us-east-1
  // with moto's example keys.
  template <typename Client>
  Client ClientOfMoto() const {
    return Client(
        {.region = "us-east-1", .endpoint = Url("/")},
        [] {
          return AwsCredentials{.access_key_id = "AKIAIOSFODNN7EXAMPLE",
                                .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET"};
        },
        http_);
  }

  HttpClient http_{{.connect_timeout = std::chrono::milliseconds(2000),
                    .max_attempts = 2,
                    .backoff_base = std::chrono::milliseconds(10)}};

 private:
  static inline int port_ = 0;
  static inline pid_t pid_ = 0;
};

// The error a call throws; fails the test when it does not throw.
template <typename Call>
Error ErrorOf(Call call) {
  try {
    call();
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "no error";
  return Error(ErrorCode::kInternal, "none");
}

}  // namespace cairn::cloud::testing
