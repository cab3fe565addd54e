#pragma once

#include <memory>

#include "catalog/model.h"
#include "cloud/http_client.h"
#include "ingest/oidc_token_provider.h"
#include "ingest/rest_sink_config.h"

namespace cairn::ingest {

// The metadata-rest sink: sends a snapshot to a remote `cairn serve`, which
// applies it in one transaction (PUT /api/v1/services/{service}/snapshots/
// {origin}, body catalog/snapshot_json.h). PUT is idempotent, so the
// client's retries of connection errors, 5xx and 429 are safe: a repeat of an
// applied snapshot changes nothing. The token is the configured one
// (openmetadata) or one an OIDC provider's client obtains, asked for again
// before each attempt so that a token due for refresh is never sent; it goes
// only into the Authorization header, never into a message.
// Thread-compatible.
class RestSink {
 public:
  // A server applying a large project answers only when it has committed, so
  // the stall timeout is generous.
  static cloud::HttpClientOptions DefaultClientOptions();

  explicit RestSink(RestSinkConfig config,
                    cloud::HttpClientOptions options = DefaultClientOptions());

  struct Result {
    catalog::ApplyReport applied;
    catalog::CatalogCounts catalog;  // the server's catalog after the apply
  };

  // Throws Error: kInvalidConfig when the server refuses the token (401/403),
  // kIo when it cannot be reached or fails (after the retries), kParse or
  // kInvalidArgument when it refuses the snapshot, with the server's message.
  Result Apply(const catalog::ServiceSnapshot& snapshot) const;

  const std::string& base_url() const { return config_.base_url; }

 private:
  std::string Token() const;

  RestSinkConfig config_;
  cloud::HttpClient client_;
  std::unique_ptr<OidcTokenProvider> oidc_;  // null: config_.token
};

}  // namespace cairn::ingest
