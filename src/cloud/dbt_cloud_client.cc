#include "cloud/dbt_cloud_client.h"

#include <fmt/format.h>

#include "core/error.h"

namespace cairn::cloud {

DbtCloudClient MakeDbtCloudClient(const DbtCloudCredentials& credentials, std::string_view type,
                                  const HttpClient& http) {
  if (type == "administrative") {
    return DbtCloudClient(std::in_place_type<DbtCloudAdminClient>, credentials);
  }
  if (type == "metadata") {
    return DbtCloudClient(std::in_place_type<DbtCloudDiscoveryClient>, credentials, http);
  }
  throw Error(
      ErrorCode::kInvalidArgument,
      fmt::format("dbt Cloud: unknown client type '{}' (allowed: administrative, metadata)", type));
}

}  // namespace cairn::cloud
