#pragma once

// Owners of what libjwt hands out, for the .cc files that call it.
#include <jwt.h>

#include <cstdlib>
#include <memory>

namespace cairn::auth {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtHandle = std::unique_ptr<jwt_t, JwtFree>;

// libjwt's strings (encoded tokens, claims as JSON) come from malloc.
struct MallocFree {
  void operator()(char* text) const { std::free(text); }  // NOLINT(cppcoreguidelines-no-malloc)
};
using JwtString = std::unique_ptr<char, MallocFree>;

}  // namespace cairn::auth
