#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cairn::auth {

// What a route needs and what a token may do. Grants are cumulative levels:
// an ingestion writer can also read, an admin can do everything.
enum class Access : std::uint8_t {
  kNone = 0,    // no access (a token whose grants give Cairn nothing)
  kRead = 1,    // read the catalog (entities, search, lineage, history, runs)
  kIngest = 2,  // plus: integrations, uploads, extraction runs, edits
  kAdmin = 3,   // plus: service tokens
};

// Who is calling: the token that authenticated the request.
struct Principal {
  std::int64_t token_id = 0;
  std::string name;  // the token's name, for the access log and edit records
  Access access = Access::kNone;

  bool Allows(Access needed) const { return access >= needed; }
};

// Turns an Authorization header into a Principal. Implementations are called
// from every I/O thread at once and must be thread-safe and fast (no
// per-request writes that serialise requests).
class Authenticator {
 public:
  virtual ~Authenticator() = default;

  // `authorization` is the raw header value ("Bearer X" or "Token X"); empty
  // when the header is missing. nullopt: missing, malformed, unknown,
  // revoked or expired token (the caller answers 401 without saying which).
  virtual std::optional<Principal> Authenticate(std::string_view authorization) = 0;
};

}  // namespace cairn::auth
