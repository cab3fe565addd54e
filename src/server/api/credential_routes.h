#pragma once

#include "auth/credential_store.h"
#include "server/http/router.h"

namespace cairn::server {

// Named credential blocks under /api/v1/credentials, as `cairn credentials`
// keeps them: create (the only request that carries an API key), list, one
// by name, delete. Keys are answered masked, never in the clear. Admin
// tokens only: a block lets its holder act on a dbt Cloud account. `blocks`
// must outlive the router.
void AddCredentialRoutes(Router& router, auth::CredentialBlocks& blocks);

}  // namespace cairn::server
