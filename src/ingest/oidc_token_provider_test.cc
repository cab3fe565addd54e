#include "ingest/oidc_token_provider.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "auth/jwt_verifier.h"
#include "core/error.h"

namespace cairn::ingest {
namespace {

using std::chrono::seconds;

TEST(RefreshAfterTest, At80PercentAndAtLeastAMinuteBeforeExpiry) {
  EXPECT_EQ(RefreshAfter(seconds(3600)), seconds(2880));
  EXPECT_EQ(RefreshAfter(seconds(300)), seconds(240));
  EXPECT_EQ(RefreshAfter(seconds(150)), seconds(90));  // 60 s before, earlier than 80 %
  EXPECT_EQ(RefreshAfter(seconds(75)), seconds(15));
  EXPECT_EQ(RefreshAfter(seconds(60)), seconds(0));
  EXPECT_EQ(RefreshAfter(seconds(1)), seconds(0));
  EXPECT_EQ(RefreshAfter(seconds(0)), seconds(0));
}

// A token endpoint in memory: records the requests, answers `answer`.
struct FakeEndpoint {
  std::vector<cloud::HttpRequest> requests;
  long status = 200;
  int expires_in = 300;
  std::string answer;

  OidcTokenProvider::Transport Transport() {
    return [this](const cloud::HttpRequest& request) {
      requests.push_back(request);
      cloud::HttpResponse response;
      response.status = status;
      response.body =
          answer.empty()
              ? nlohmann::json{{"access_token", "token-" + std::to_string(requests.size())},
                               {"expires_in", expires_in}}
                    .dump()
              : answer;
      return response;
    };
  }
};

OidcClientConfig CustomOidc() {
  return {.provider = "custom-oidc",
          .token_endpoint = "http://127.0.0.1:1/token",
          .client_id = "cairn-bot",
          .client_secret = "s3cr3t&=+"};
}

class OidcTokenProviderTest : public ::testing::Test {
 protected:
  std::unique_ptr<OidcTokenProvider> Provider(OidcClientConfig config) {
    return std::make_unique<OidcTokenProvider>(std::move(config), cloud::HttpClientOptions{},
                                               endpoint_.Transport(), [this] { return now_; });
  }
  FakeEndpoint endpoint_;
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

TEST_F(OidcTokenProviderTest, KeepsTheTokenUntilItIsDueAndThenFetchesAnother) {
  auto provider = Provider(CustomOidc());
  EXPECT_EQ(provider->Token(), "token-1");
  now_ += seconds(239);
  EXPECT_EQ(provider->Token(), "token-1");
  EXPECT_EQ(provider->requests(), 1);
  now_ += seconds(1);  // 80 % of 300 s
  EXPECT_EQ(provider->Token(), "token-2");
  EXPECT_EQ(provider->requests(), 2);

  endpoint_.expires_in = 5;  // too short to keep: fetched for every use
  now_ += seconds(1000);
  EXPECT_EQ(provider->Token(), "token-3");
  EXPECT_EQ(provider->Token(), "token-4");
}

TEST_F(OidcTokenProviderTest, ClientCredentialsAreAFormPost) {
  auto provider = Provider(CustomOidc());
  provider->Token();
  ASSERT_EQ(endpoint_.requests.size(), 1U);
  const cloud::HttpRequest& request = endpoint_.requests[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.url, "http://127.0.0.1:1/token");
  EXPECT_EQ(request.body,
            "grant_type=client_credentials&client_id=cairn-bot&client_secret=s3cr3t%26%3D%2B");

  OidcClientConfig azure = CustomOidc();
  azure.scopes = {"api://x/.default", "openid"};
  azure.audience = "https://api";
  Provider(azure)->Token();
  EXPECT_NE(endpoint_.requests[1].body.find("&audience=https%3A%2F%2Fapi&scope=api%3A%2F%2Fx%2F."
                                            "default%20openid"),
            std::string::npos)
      << endpoint_.requests[1].body;
}

std::string RsaPrivateKeyPem() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

TEST_F(OidcTokenProviderTest, OktaSendsASignedClientAssertionInTheQuery) {
  auto provider = Provider({.provider = "okta",
                            .grant = OidcClientConfig::Grant::kClientAssertion,
                            .token_endpoint = "http://127.0.0.1:1/oauth2/v1/token",
                            .client_id = "okta-client",
                            .private_key = RsaPrivateKeyPem(),
                            .scopes = {"cairn"},
                            .form_in_query = true});
  provider->Token();
  const cloud::HttpRequest& request = endpoint_.requests.at(0);
  EXPECT_TRUE(request.body.empty());
  const std::string prefix =
      "http://127.0.0.1:1/oauth2/v1/token?grant_type=client_credentials&scope=cairn&"
      "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&"
      "client_assertion=";
  ASSERT_TRUE(request.url.starts_with(prefix)) << request.url;
  EXPECT_TRUE(auth::LooksLikeJwt(request.url.substr(prefix.size())));
}

TEST_F(OidcTokenProviderTest, GoogleAsksForAnIdToken) {
  endpoint_.answer = R"({"id_token":"google-id-token"})";
  auto provider = Provider({.provider = "google",
                            .grant = OidcClientConfig::Grant::kJwtBearer,
                            .token_endpoint = "http://127.0.0.1:1/token",
                            .client_id = "sa@project.iam.gserviceaccount.com",
                            .private_key = RsaPrivateKeyPem(),
                            .key_id = "kid-1",
                            .audience = "cairn"});
  EXPECT_EQ(provider->Token(), "google-id-token");
  EXPECT_TRUE(endpoint_.requests.at(0).body.starts_with(
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion="));
  now_ += seconds(2879);  // no expires_in: an hour
  provider->Token();
  EXPECT_EQ(provider->requests(), 1);
}

TEST_F(OidcTokenProviderTest, ARefusalSaysWhatTheEndpointSaidButNotTheSecret) {
  endpoint_.status = 401;
  endpoint_.answer = R"({"error":"invalid_client","error_description":"bad secret s3cr3t&=+"})";
  auto provider = Provider(CustomOidc());
  try {
    provider->Token();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidConfig);
    EXPECT_EQ(e.message(),
              "the custom-oidc token endpoint http://127.0.0.1:1/token refused the client: HTTP "
              "401: invalid_client: bad secret ***");
  }
  endpoint_.status = 200;
  endpoint_.answer = R"({"token_type":"Bearer"})";
  EXPECT_THROW(provider->Token(), Error);
}

}  // namespace
}  // namespace cairn::ingest
