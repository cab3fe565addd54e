#pragma once

#include <string_view>
#include <variant>

#include "cloud/dbt_cloud_admin_client.h"
#include "cloud/dbt_cloud_credentials.h"
#include "cloud/dbt_cloud_discovery_client.h"
#include "cloud/http_client.h"

// Choosing a dbt Cloud client by type, as dbt Cloud's own Python helpers do
// (get_client("administrative" | "metadata")).
namespace cairn::cloud {

using DbtCloudClient = std::variant<DbtCloudAdminClient, DbtCloudDiscoveryClient>;

// "administrative": the API v2 client; "metadata": the Discovery API client
// at the credentials' metadata host, sending through `http` (which must
// outlive it). Any other type is cairn::Error(kInvalidArgument) naming the
// allowed ones.
DbtCloudClient MakeDbtCloudClient(const DbtCloudCredentials& credentials, std::string_view type,
                                  const HttpClient& http);

}  // namespace cairn::cloud
