#include "cloud/dbt_cloud_admin_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "core/error.h"

namespace cairn::cloud {
namespace {

using namespace std::chrono_literals;

// A transport that records each request and answers the next scripted reply.
struct FakeTransport {
  std::vector<HttpRequest> sent;
  std::deque<HttpResponse> replies;

  DbtCloudAdminClient::Transport Bind() {
    return [this](const HttpRequest& request) {
      sent.push_back(request);
      HttpResponse reply = replies.front();
      if (replies.size() > 1) replies.pop_front();
      return reply;
    };
  }
  void Reply(long status, const nlohmann::json& body) {
    HttpResponse response;
    response.status = status;
    response.body = body.dump();
    replies.push_back(response);
  }
};

DbtCloudCredentials Credentials() {
  DbtCloudCredentials credentials;
  credentials.account_id = "42";
  credentials.api_key = "dbtc_secret_key";
  return credentials;
}

nlohmann::json Envelope(nlohmann::json data) {
  return {{"status", {{"code", 200}, {"is_success", true}}}, {"data", std::move(data)}};
}

std::string HeaderOf(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(DbtCloudAdminClientTest, BaseUrlIsTheDomainUnlessAnAccessUrlIsSet) {
  FakeTransport fake;
  EXPECT_EQ(DbtCloudAdminClient(Credentials(), fake.Bind()).base_url(), "https://cloud.getdbt.com");
  DbtCloudCredentials credentials = Credentials();
  credentials.access_url = "http://127.0.0.1:8080/";
  DbtCloudAdminClient client(credentials, fake.Bind());
  EXPECT_EQ(client.AccountUrl("runs/"), "http://127.0.0.1:8080/api/v2/accounts/42/runs/");
}

TEST(DbtCloudAdminClientTest, TriggerRunPostsTheBodyWithTokenAuthorization) {
  FakeTransport fake;
  fake.Reply(200, Envelope({{"id", 7}, {"status", 1}}));
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  TriggerRunRequest request;
  request.cause = "catalog sync";
  request.git_branch = "main";
  request.steps_override = {"dbt build"};
  nlohmann::json run = client.TriggerRun(123, request);
  EXPECT_EQ(run["id"], 7);
  ASSERT_EQ(fake.sent.size(), 1U);
  EXPECT_EQ(fake.sent[0].method, "POST");
  EXPECT_EQ(fake.sent[0].url, "https://cloud.getdbt.com/api/v2/accounts/42/jobs/123/run/");
  EXPECT_EQ(
      nlohmann::json::parse(fake.sent[0].body),
      nlohmann::json(
          {{"cause", "catalog sync"}, {"git_branch", "main"}, {"steps_override", {"dbt build"}}}));
  EXPECT_EQ(HeaderOf(fake.sent[0], "Authorization"), "Token dbtc_secret_key");
  EXPECT_EQ(HeaderOf(fake.sent[0], "Accept"), "application/json");
  EXPECT_THROW(client.TriggerRun(123, TriggerRunRequest{}), Error);
}

TEST(DbtCloudAdminClientTest, CancelRunPostsToTheRunsCancelPath) {
  FakeTransport fake;
  fake.Reply(200, Envelope({{"id", 9}, {"status", 30}}));
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  EXPECT_EQ(client.CancelRun(9)["status"], 30);
  ASSERT_EQ(fake.sent.size(), 1U);
  EXPECT_EQ(fake.sent[0].method, "POST");
  EXPECT_EQ(fake.sent[0].url, "https://cloud.getdbt.com/api/v2/accounts/42/runs/9/cancel/");
}

TEST(DbtCloudAdminClientTest, ListRunsSendsFiltersAndFollowsPagesUntilTheTotal) {
  FakeTransport fake;
  auto page = [](int first, int count, int total) {
    nlohmann::json data = nlohmann::json::array();
    for (int i = 0; i < count; ++i) data.push_back({{"id", first + i}});
    nlohmann::json body = Envelope(data);
    body["extra"] = {{"pagination", {{"count", count}, {"total_count", total}}}};
    return body;
  };
  fake.Reply(200, page(0, 100, 150));
  fake.Reply(200, page(100, 50, 150));
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  ListRunsQuery query;
  query.job_definition_id = 5;
  query.project_id = 6;
  query.status_in = {10, 20};
  query.order_by = "-finished_at";
  std::vector<nlohmann::json> runs = client.ListRuns(query);
  ASSERT_EQ(runs.size(), 150U);
  EXPECT_EQ(runs[149]["id"], 149);
  ASSERT_EQ(fake.sent.size(), 2U);
  EXPECT_EQ(fake.sent[0].url,
            "https://cloud.getdbt.com/api/v2/accounts/42/runs/?limit=100&offset=0"
            "&job_definition_id=5&project_id=6&status__in=%5B10%2C20%5D&order_by=-finished_at");
  EXPECT_NE(fake.sent[1].url.find("limit=100&offset=100&"), std::string::npos);
}

TEST(DbtCloudAdminClientTest, ListRunsStopsOnAnEmptyPageAndHonoursTheLimit) {
  FakeTransport fake;
  nlohmann::json empty = Envelope(nlohmann::json::array());
  empty["extra"] = {{"pagination", {{"count", 0}, {"total_count", 500}}}};
  fake.Reply(200, empty);
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  EXPECT_TRUE(client.ListRuns({}).empty());
  EXPECT_EQ(fake.sent.size(), 1U);

  FakeTransport one;
  one.Reply(200, Envelope({{{"id", 9}}}));
  DbtCloudAdminClient latest(Credentials(), one.Bind());
  ListRunsQuery query;
  query.limit = 1;
  EXPECT_EQ(latest.ListRuns(query).size(), 1U);
  EXPECT_NE(one.sent[0].url.find("?limit=1&offset=0"), std::string::npos);
}

TEST(DbtCloudAdminClientTest, ErrorsNameTheStatusAndUserMessageButNeverTheKey) {
  FakeTransport fake;
  fake.Reply(404,
             {{"status", {{"code", 404}, {"is_success", false}, {"user_message", "Not found"}}},
              {"data", nullptr}});
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  try {
    client.GetRun(3);
    FAIL() << "no error";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(message.find("HTTP 404: Not found"), std::string::npos) << message;
    EXPECT_NE(message.find("lacks permission"), std::string::npos) << message;
    EXPECT_NE(message.find("/runs/3/"), std::string::npos) << message;
    EXPECT_EQ(message.find("dbtc_secret_key"), std::string::npos) << message;
  }
}

TEST(DbtCloudAdminClientTest, WaitForRunPollsUntilATerminalStatusReportingChanges) {
  FakeTransport fake;
  fake.Reply(200, Envelope({{"id", 3}, {"status", 1}}));
  fake.Reply(200, Envelope({{"id", 3}, {"status", 3}}));
  fake.Reply(200, Envelope({{"id", 3}, {"status", 3}}));
  fake.Reply(200, Envelope({{"id", 3}, {"status", 10}}));
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  std::vector<int> seen;
  WaitOptions options;
  options.first_interval = 1ms;
  options.max_interval = 2ms;
  options.on_status = [&seen](const nlohmann::json& run) { seen.push_back(run["status"]); };
  EXPECT_EQ(client.WaitForRun(3, options)["status"], 10);
  EXPECT_EQ(seen, (std::vector<int>{1, 3, 10}));
  EXPECT_EQ(fake.sent.size(), 4U);
}

TEST(DbtCloudAdminClientTest, WaitForRunTimesOutNamingTheRun) {
  FakeTransport fake;
  fake.Reply(200, Envelope({{"id", 3}, {"status", 3}, {"status_humanized", "Running"}}));
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  WaitOptions options;
  options.timeout = 20ms;
  options.first_interval = 5ms;
  try {
    client.WaitForRun(3, options);
    FAIL() << "no timeout";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("run 3 did not finish"), std::string::npos);
  }
}

TEST(DbtCloudAdminClientTest, ArtifactsAreListedAndDownloadedRaw) {
  FakeTransport fake;
  fake.Reply(200, Envelope(nlohmann::json::array({"manifest.json", "run_results.json"})));
  fake.Reply(200, {{"nodes", nlohmann::json::object()}});
  DbtCloudAdminClient client(Credentials(), fake.Bind());
  EXPECT_EQ(client.ListRunArtifacts(8),
            (std::vector<std::string>{"manifest.json", "run_results.json"}));
  client.DownloadRunArtifact(8, "manifest.json", "/tmp/unused-manifest.json");
  EXPECT_EQ(fake.sent[1].url,
            "https://cloud.getdbt.com/api/v2/accounts/42/runs/8/artifacts/manifest.json");
  ASSERT_TRUE(fake.sent[1].download_to.has_value());
}

TEST(RetryAfterTest, A429OrA503SaysHowManySecondsToWaitCapped) {
  HttpResponse response;
  response.status = 429;
  response.headers = {{"retry-after", "2"}};
  EXPECT_EQ(RetryAfter(response, 60s), std::chrono::milliseconds(2000));
  EXPECT_EQ(RetryAfter(response, 1s), std::chrono::milliseconds(1000));
  response.headers = {{"retry-after", "Wed, 21 Oct 2026 07:28:00 GMT"}};
  EXPECT_FALSE(RetryAfter(response, 60s).has_value());
  response.status = 500;
  response.headers = {{"retry-after", "2"}};
  EXPECT_FALSE(RetryAfter(response, 60s).has_value());
}

}  // namespace
}  // namespace cairn::cloud
