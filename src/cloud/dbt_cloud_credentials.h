#pragma once

#include <string>

// What a dbt Cloud client needs to reach one account: the parts of a named
// credential block (cairn credentials create dbt-cloud ...) that the
// clients read. Shared by the credential store, which keeps blocks sealed,
// and the administrative, service-token and Discovery clients.
namespace cairn::cloud {

struct DbtCloudCredentials {
  std::string account_id;
  // A service token or personal access token. Secret: never logged, never
  // put in an error message or on a command line.
  std::string api_key;
  // The account's host, "cloud.getdbt.com" by default; a multi-tenant
  // region ("emea.dbt.com"), an account-prefixed cell ("ab123.us1.dbt.com")
  // or a single-tenant host.
  std::string domain = "cloud.getdbt.com";
  // Full base URLs that override what the domain implies (the account's
  // "Access URL" and "Discovery API URL"; tests point them at a local
  // server). Empty: https://<domain> and the Discovery host rule of
  // reference/dbt-cloud-api.md §1.
  std::string access_url;
  std::string discovery_url;
};

}  // namespace cairn::cloud
