#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cloud/dbt_cloud_credentials.h"
#include "cloud/http_client.h"

// Service tokens through the Admin API v3 shape
// (../shared/reference/dbt-cloud-api.md §2, §3, §5): dbt Cloud's own, and
// Cairn's, which answers the same paths and envelope.
namespace cairn::cloud {

inline constexpr int kServiceTokenActive = 1;
inline constexpr int kServiceTokenInactive = 2;

struct ServiceTokenGrant {
  std::string permission_set;
  std::optional<std::int64_t> project_id;  // nullopt: all projects
  std::vector<std::string> writable_environment_categories;

  bool operator==(const ServiceTokenGrant&) const = default;
};

struct ServiceTokenInfo {
  std::int64_t id = 0;
  std::string uid;
  std::string name;
  int state = kServiceTokenActive;
  std::string created_at;
  std::vector<ServiceTokenGrant> grants;
};

struct CreatedServiceToken {
  ServiceTokenInfo token;
  std::string token_string;  // secret, shown by the API this once: never logged
};

// What the token rotation needs of an account's service tokens; the
// client below is the implementation, tests give their own.
class ServiceTokenApi {
 public:
  virtual ~ServiceTokenApi() = default;
  virtual CreatedServiceToken Create(const std::string& name,
                                     const std::vector<ServiceTokenGrant>& grants) = 0;
  // Every active token (state=1), across pages.
  virtual std::vector<ServiceTokenInfo> ListActive() = 0;
  // nullopt when the account has no token of this id; inactive ones are returned.
  virtual std::optional<ServiceTokenInfo> Get(std::int64_t id) = 0;
  // Revokes (dbt Cloud and Cairn keep the record, state 2). A token already
  // gone is not an error: a resumed rotation deletes it again.
  virtual void Delete(std::int64_t id) = 0;
  // Where the API is, for messages ("https://cloud.getdbt.com account 42").
  virtual std::string Describe() const = 0;
};

// One account at one base URL. Sends `Authorization: Token <key>`. Every
// call throws cairn::Error naming the operation and the envelope's
// user_message: kNotFound for 404, kInvalidArgument for 400/401/403, kIo
// for no answer or 5xx/429 past the HTTP client's retries. Messages never
// hold the key or a token_string.
class ServiceTokenClient final : public ServiceTokenApi {
 public:
  // `account_url`: ".../api/v3/accounts/<id>" (no trailing '/').
  ServiceTokenClient(std::string account_url, std::string api_key, const HttpClient& http,
                     int page_size = 100);

  // dbt Cloud: the access URL, else https://<domain>.
  static ServiceTokenClient ForDbtCloud(const DbtCloudCredentials& credentials,
                                        const HttpClient& http);
  // The v3 account URL those credentials point at.
  static std::string DbtCloudAccountUrl(const DbtCloudCredentials& credentials);
  // "http(s)://host:port" of a Cairn server (or any v3-shaped API root).
  static std::string AccountUrl(const std::string& base_url, const std::string& account_id);

  CreatedServiceToken Create(const std::string& name,
                             const std::vector<ServiceTokenGrant>& grants) override;
  std::vector<ServiceTokenInfo> ListActive() override;
  std::optional<ServiceTokenInfo> Get(std::int64_t id) override;
  void Delete(std::int64_t id) override;
  std::string Describe() const override { return account_url_; }

 private:
  HttpResponse Send(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& what) const;

  std::string account_url_;
  std::string api_key_;
  const HttpClient& http_;
  int page_size_;
};

}  // namespace cairn::cloud
