#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cloud/dbt_cloud_credentials.h"
#include "cloud/http_client.h"

// dbt Cloud's Discovery API (GraphQL at the account's metadata host,
// reference/dbt-cloud-api.md §6): one query at a time, and every node of a
// Relay connection by cursor paging. The API key goes in the Authorization
// header only, never into a message.
namespace cairn::cloud {

// The GraphQL endpoint for an account: credentials.discovery_url when set;
// else https://metadata.<host>/graphql, except account-prefixed cell hosts
// ("ab123.us1.dbt.com" -> "ab123.metadata.us1.dbt.com"), whose prefix stays
// first. <host> is the access URL's host when one is given, else the domain.
std::string DiscoveryEndpoint(const DbtCloudCredentials& credentials);

class DbtCloudDiscoveryClient {
 public:
  // `http` must outlive the client.
  DbtCloudDiscoveryClient(DbtCloudCredentials credentials, const HttpClient& http);

  const std::string& endpoint() const { return endpoint_; }

  // The whole response ({"data": ...}) of one query. Throws Error(kIo) when
  // there is no answer or the HTTP status is not 200, naming the status;
  // kInvalidArgument when the response carries GraphQL errors (a 200 with
  // "errors" included), quoting their messages.
  nlohmann::json Query(std::string_view query,
                       const nlohmann::json& variables = nlohmann::json::object()) const;

  // Every node of the connection at `path` under "data" (e.g. {"environment",
  // "applied", "models"}) of a query that takes $first and $after, paging
  // `page_size` (at most 500) at a time while pageInfo.hasNextPage. `on_page`
  // (when set) hears the count so far and the connection's totalCount.
  std::vector<nlohmann::json> AllNodes(
      std::string_view query, nlohmann::json variables, const std::vector<std::string>& path,
      int page_size = 500,
      const std::function<void(std::size_t fetched, std::int64_t total)>& on_page = nullptr) const;

 private:
  DbtCloudCredentials credentials_;
  const HttpClient& http_;
  std::string endpoint_;
};

}  // namespace cairn::cloud
