#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cloud/http_client.h"

namespace cairn::ingest {

// How an OpenMetadata auth provider gets a token (reference
// openmetadata-workflow.md §6), reduced to what goes on the wire. Built by
// ReadRestSinkConfig from securityConfig; every field but `provider` may be
// a secret and is never printed or logged.
struct OidcClientConfig {
  enum class Grant {
    kClientSecret,     // custom-oidc, auth0, azure: a client_credentials form POST
    kClientAssertion,  // okta: client_credentials with an RS256 client-assertion JWT
    kJwtBearer,        // google: a service account's signed JWT-bearer grant, for an ID token
  };
  std::string provider;  // the authProvider, for messages
  Grant grant = Grant::kClientSecret;
  std::string token_endpoint;
  std::string client_id;      // okta: the assertion's iss and sub; google: client_email
  std::string client_secret;  // kClientSecret
  std::string private_key;    // kClientAssertion, kJwtBearer: PEM
  std::string key_id;         // kJwtBearer: the service account's private_key_id
  std::string audience;       // auth0: the API; google: the ID token's target_audience
  std::vector<std::string> scopes;
  // okta sends its form as query parameters of the POST, as OpenMetadata's
  // client does; everyone else in the body.
  bool form_in_query = false;
};

// When a token of `lifetime` is fetched again: at 80 % of its lifetime, and
// at least 60 s before it expires (a token about to expire is not sent on a
// large upload). Zero for a lifetime of 60 s or less: fetched for each use.
std::chrono::seconds RefreshAfter(std::chrono::seconds lifetime);

// The bearer token of an OIDC client: obtained from the provider's token
// endpoint on first use, kept, and obtained again once RefreshAfter its
// lifetime (`expires_in`; 3600 s when the answer has none) has passed.
// Thread-safe; one request at a time.
class OidcTokenProvider {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Transport = std::function<cloud::HttpResponse(const cloud::HttpRequest&)>;

  // `transport` and `clock` are for tests; by default a cloud::HttpClient
  // with `options` and the steady clock.
  explicit OidcTokenProvider(OidcClientConfig config, cloud::HttpClientOptions options = {},
                             Transport transport = nullptr, Clock clock = nullptr);

  // A token that is not due for refresh. Throws Error kInvalidConfig when
  // the endpoint refuses the client (its error, never the secret), kIo when
  // it cannot be reached or answers no token.
  std::string Token();

  // Token requests made so far.
  int requests() const;

 private:
  cloud::HttpRequest TokenRequest() const;
  std::string Fetch();

  OidcClientConfig config_;
  Transport transport_;
  Clock clock_;
  mutable std::mutex mutex_;
  std::string token_;
  std::chrono::steady_clock::time_point refresh_at_{};
  int requests_ = 0;
};

}  // namespace cairn::ingest
