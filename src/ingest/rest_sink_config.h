#pragma once

#include <optional>
#include <string>

#include "ingest/config_document.h"
#include "ingest/oidc_token_provider.h"

namespace cairn::ingest {

// Where a metadata-rest sink sends its snapshot: a remote `cairn serve`
// (workflowConfig.openMetadataServerConfig), and how it authenticates.
struct RestSinkConfig {
  // scheme://host:port[/prefix] without a trailing slash or OpenMetadata's
  // "/api" suffix: the sink appends /api/v1/... itself.
  std::string base_url;
  // authProvider openmetadata: securityConfig.jwtToken, or the trimmed
  // content of the file it names. A secret: never printed, logged or put in
  // an error message.
  std::string token;
  // The OIDC providers (custom-oidc, auth0, okta, azure, google): the client
  // that obtains the token instead.
  std::optional<OidcClientConfig> oidc;
};

// The metadata-rest sink's settings from a workflow document that passed
// schemas/workflow.json. hostPort must be an http(s) URL; a trailing "/api"
// (OpenMetadata's form, http://host:8585/api) is dropped so that OpenMetadata
// configs port over. A jwtToken that names an existing file is read from it.
// Each OIDC provider's securityConfig fields are read as docs/auth.md
// describes. Throws Error kInvalidConfig naming the line and JSON path of
// what is missing or wrong, kUnsupported for an authProvider without a
// client flow (basic, ldap, saml, aws-cognito, no-auth).
RestSinkConfig ReadRestSinkConfig(const ConfigDocument& document);

}  // namespace cairn::ingest
