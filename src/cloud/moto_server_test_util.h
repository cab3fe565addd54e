#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>

#include "cloud/http_client.h"

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

  HttpClient http_{{.connect_timeout = std::chrono::milliseconds(2000),
                    .max_attempts = 2,
                    .backoff_base = std::chrono::milliseconds(10)}};

 private:
  static inline int port_ = 0;
  static inline pid_t pid_ = 0;
};

}  // namespace cairn::cloud::testing
