#include "ingest/workflow_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace cairn::ingest {
namespace {

constexpr const char* kValid = R"(source:
  type: dbt
  serviceName: jaffle
  sourceConfig:
    config:
      type: DBT
      includeTags: false
      dbtConfigSource:
        dbtConfigType: local
        dbtManifestFilePath: target/manifest.json
        dbtRunResultsFilePath: target/run_results.json
sink:
  type: metadata-store
  config:
    db: sqlite:/tmp/x.db
workflowConfig:
  loggerLevel: DEBUG
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: abc
)";

// Replaces the first occurrence of `from` in the valid config.
std::string Variant(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// The message of the error a config gives.
std::string ErrorOf(const std::string& text, ErrorCode expected = ErrorCode::kInvalidConfig) {
  try {
    ParseWorkflowConfig(text, "workflow.yaml");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(WorkflowConfigTest, ValidConfig) {
  const WorkflowConfig config = ParseWorkflowConfig(kValid, "workflow.yaml");
  EXPECT_EQ(config.connector->type, "dbt");
  EXPECT_EQ(config.service_name, "jaffle");
  EXPECT_EQ(config.sink_type, "metadata-store");
  EXPECT_EQ(config.sink_db, "sqlite:/tmp/x.db");
  EXPECT_EQ(config.logger_level, "DEBUG");
  EXPECT_EQ(config.source()["sourceConfig"]["config"]["includeTags"], false);
}

TEST(WorkflowConfigTest, JsonIsYamlToo) {
  const WorkflowConfig config = ParseWorkflowConfig(
      R"({"source": {"type": "dbt", "serviceName": "s", "sourceConfig": {"config": {"dbtConfigSource":
          {"dbtManifestFilePath": "m.json"}}}}, "sink": {"type": "metadata-store"}})",
      "w.json");
  EXPECT_EQ(config.service_name, "s");
  EXPECT_EQ(config.sink_db, "");
}

TEST(WorkflowConfigTest, UnknownSourceTypeNamesKnownOnes) {
  EXPECT_EQ(ErrorOf(Variant("type: dbt", "type: snowflake")),
            "workflow.yaml:2: at $.source.type: unknown source type 'snowflake' (known: dbt, "
            "dynamodb, postgres, sqlite)");
}

TEST(WorkflowConfigTest, WrongFieldType) {
  EXPECT_EQ(ErrorOf(Variant("includeTags: false", "includeTags: \"no\"")),
            "workflow.yaml:7: at $.source.sourceConfig.config.includeTags: expected a boolean, "
            "found a string");
}

TEST(WorkflowConfigTest, NumberWhereStringExpected) {
  EXPECT_EQ(
      ErrorOf(Variant("dbtManifestFilePath: target/manifest.json", "dbtManifestFilePath: 42")),
      "workflow.yaml:10: at $.source.sourceConfig.config.dbtConfigSource.dbtManifestFilePath: "
      "expected a string, found an integer");
}

TEST(WorkflowConfigTest, UnknownFieldListsAllowedOnes) {
  const std::string message = ErrorOf(Variant("includeTags: false", "includeTagz: false"));
  EXPECT_EQ(message,
            "workflow.yaml:7: at $.source.sourceConfig.config: unknown field 'includeTagz' "
            "(allowed here: dbtConfigSource, includeTags, type)");
}

TEST(WorkflowConfigTest, MissingRequiredField) {
  EXPECT_EQ(
      ErrorOf(Variant("        dbtManifestFilePath: target/manifest.json\n", "")),
      "workflow.yaml:8: at $.source.sourceConfig.config.dbtConfigSource: missing required field "
      "'dbtManifestFilePath'.");
}

TEST(WorkflowConfigTest, EnumValueNamesChoices) {
  EXPECT_EQ(ErrorOf(Variant("loggerLevel: DEBUG", "loggerLevel: LOUD")),
            "workflow.yaml:17: at $.workflowConfig.loggerLevel: expected one of \"DEBUG\", "
            "\"INFO\", \"WARN\", "
            "\"ERROR\", found \"LOUD\"");
}

TEST(WorkflowConfigTest, MissingSink) {
  const std::string text = std::string(kValid).substr(0, std::string(kValid).find("sink:"));
  EXPECT_EQ(ErrorOf(text), "workflow.yaml:1: at $: missing required field 'sink'.");
}

TEST(WorkflowConfigTest, YamlSyntaxErrorHasLine) {
  EXPECT_EQ(ErrorOf("source:\n  type: dbt\n  serviceName: [unclosed\n"),
            "workflow.yaml:4: YAML syntax error: end of sequence flow not found");
}

TEST(WorkflowConfigTest, TopLevelMustBeAMapping) {
  EXPECT_EQ(ErrorOf("- a\n- b\n"),
            "workflow.yaml:1: at $: expected a mapping (key: value) at the top level");
}

// The valid config with a metadata-rest sink (and no sink.config.db).
std::string RestVariant(const std::string& from = "", const std::string& to = "") {
  std::string text = Variant("type: metadata-store\n  config:\n    db: sqlite:/tmp/x.db",
                             "type: metadata-rest\n  config: {}");
  if (from.empty()) return text;
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(WorkflowConfigTest, RestSinkTakesTheServerAndTokenFromWorkflowConfig) {
  const WorkflowConfig config = ParseWorkflowConfig(RestVariant(), "workflow.yaml");
  EXPECT_EQ(config.sink_type, "metadata-rest");
  ASSERT_TRUE(config.rest_sink.has_value());
  // OpenMetadata's hostPort ends with /api; Cairn's routes carry it themselves.
  EXPECT_EQ(config.rest_sink->base_url, "http://localhost:8585");
  EXPECT_EQ(config.rest_sink->token, "abc");
  EXPECT_EQ(ParseWorkflowConfig(RestVariant("hostPort: http://localhost:8585/api",
                                            "hostPort: https://cairn.example.com/"),
                                "workflow.yaml")
                .rest_sink->base_url,
            "https://cairn.example.com");
  EXPECT_FALSE(ParseWorkflowConfig(kValid, "workflow.yaml").rest_sink.has_value());
}

TEST(WorkflowConfigTest, RestSinkReadsTheTokenFromTheFileJwtTokenNames) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "cairn_workflow_config_test_token";
  std::ofstream(file) << "  cairn_token_from_file\n";
  const WorkflowConfig config =
      ParseWorkflowConfig(RestVariant("jwtToken: abc", "jwtToken: " + file.string()), "w.yaml");
  EXPECT_EQ(config.rest_sink->token, "cairn_token_from_file");
  std::ofstream(file, std::ios::trunc) << "\n";
  EXPECT_EQ(ErrorOf(RestVariant("jwtToken: abc", "jwtToken: " + file.string())),
            "workflow.yaml:21: at $.workflowConfig.openMetadataServerConfig.securityConfig."
            "jwtToken: the token file '" +
                file.string() + "' is empty");
  std::filesystem::remove(file);
}

TEST(WorkflowConfigTest, RestSinkRefusesProvidersWithoutAClientFlowByName) {
  EXPECT_EQ(ErrorOf(RestVariant("authProvider: openmetadata", "authProvider: basic"),
                    ErrorCode::kUnsupported),
            "workflow.yaml:19: at $.workflowConfig.openMetadataServerConfig.authProvider: "
            "authProvider 'basic' is not supported by the metadata-rest sink (it has no client "
            "flow); supported: openmetadata, custom-oidc, auth0, okta, azure, google");
  EXPECT_NE(
      ErrorOf(RestVariant("    authProvider: openmetadata\n", "")).find("needs an authProvider"),
      std::string::npos);
}

// The rest variant with `provider` and these securityConfig lines.
std::string OidcVariant(const std::string& provider, const std::string& security) {
  return RestVariant("authProvider: openmetadata\n    securityConfig:\n      jwtToken: abc\n",
                     "authProvider: " + provider + "\n    securityConfig:\n" + security);
}

TEST(WorkflowConfigTest, RestSinkReadsEachOidcProvidersClient) {
  const auto custom = ParseWorkflowConfig(
      OidcVariant(
          "custom-oidc",
          "      clientId: bot\n      secretKey: s\n      tokenEndpoint: http://idp/token\n"),
      "w.yaml");
  ASSERT_TRUE(custom.rest_sink->oidc.has_value());
  EXPECT_EQ(custom.rest_sink->oidc->token_endpoint, "http://idp/token");
  EXPECT_EQ(custom.rest_sink->oidc->client_secret, "s");
  EXPECT_TRUE(custom.rest_sink->token.empty());

  const auto auth0 = ParseWorkflowConfig(
      OidcVariant("auth0", "      clientId: bot\n      secretKey: s\n      domain: t.auth0.com\n"),
      "w.yaml");
  EXPECT_EQ(auth0.rest_sink->oidc->token_endpoint, "https://t.auth0.com/t.auth0.com/oauth/token");
  EXPECT_EQ(auth0.rest_sink->oidc->audience, "https://t.auth0.com/api/v2/");

  const auto azure = ParseWorkflowConfig(
      OidcVariant(
          "azure",
          "      clientId: app\n      clientSecret: s\n      authority: "
          "https://login.microsoftonline.com/tenant/\n      scopes: [api://app/.default]\n"),
      "w.yaml");
  EXPECT_EQ(azure.rest_sink->oidc->token_endpoint,
            "https://login.microsoftonline.com/tenant/oauth2/v2.0/token");
  EXPECT_EQ(azure.rest_sink->oidc->scopes, std::vector<std::string>{"api://app/.default"});
}

TEST(WorkflowConfigTest, RestSinkNamesTheMissingOidcField) {
  EXPECT_EQ(ErrorOf(OidcVariant("custom-oidc", "      clientId: bot\n      tokenEndpoint: x\n")),
            "workflow.yaml:20: at $.workflowConfig.openMetadataServerConfig.securityConfig."
            "secretKey: authProvider custom-oidc needs securityConfig.secretKey");
  EXPECT_NE(ErrorOf(OidcVariant("azure",
                                "      clientId: a\n      clientSecret: s\n      authority: x\n"))
                .find("needs securityConfig.scopes"),
            std::string::npos);
  EXPECT_NE(ErrorOf(OidcVariant("okta", "      clientId: a\n      orgURL: x\n      email: e\n"))
                .find("securityConfig.privateKey"),
            std::string::npos);
  EXPECT_NE(ErrorOf(OidcVariant("okta",
                                "      clientId: a\n      orgURL: x\n      email: e\n"
                                "      privateKey: '{\"kty\": \"RSA\"}'\n"))
                .find("not an RSA private JWK: the JWK has no 'n'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(OidcVariant("google", "      secretKey: '{\"type\": \"service_account\"}'\n"))
                .find("with 'client_email'"),
            std::string::npos);
}

TEST(WorkflowConfigTest, RestSinkNeedsAServerAUrlAndAToken) {
  const std::string no_server = RestVariant().substr(0, RestVariant().find("  openMetadataServer"));
  EXPECT_EQ(ErrorOf(no_server),
            "workflow.yaml:15: at $.workflowConfig.openMetadataServerConfig: a metadata-rest sink "
            "needs workflowConfig.openMetadataServerConfig {hostPort, authProvider: openmetadata, "
            "securityConfig: {jwtToken}}");
  EXPECT_NE(ErrorOf(RestVariant("http://localhost:8585/api", "localhost:8585"))
                .find("at $.workflowConfig.openMetadataServerConfig.hostPort: hostPort must be"),
            std::string::npos);
  const std::string no_token = RestVariant("    securityConfig:\n      jwtToken: abc\n", "");
  EXPECT_NE(ErrorOf(no_token).find("needs securityConfig.jwtToken"), std::string::npos);
  EXPECT_EQ(ErrorOf(Variant("type: metadata-store", "type: metadata-rest")),
            "workflow.yaml:15: at $.sink.config.db: db names a local store, which a "
            "metadata-rest sink does not use");
}

TEST(WorkflowConfigTest, MissingFileIsNotFound) {
  try {
    LoadWorkflowConfig("/nonexistent/workflow.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kNotFound);
  }
}

TEST(WorkflowConfigTest, EachConfigSourceTypeHasItsOwnFields) {
  EXPECT_EQ(ErrorOf(Variant("dbtManifestFilePath: target/manifest.json",
                            "dbtManifestHttpPath: https://x/manifest.json")),
            "workflow.yaml:10: at $.source.sourceConfig.config.dbtConfigSource: unknown field "
            "'dbtManifestHttpPath' (allowed here: dbtCatalogFilePath, dbtConfigType, "
            "dbtManifestFilePath, dbtRunResultsFilePath, dbtSourcesFilePath)");
  const std::string http =
      Variant("dbtConfigType: local\n        dbtManifestFilePath: target/manifest.json",
              "dbtConfigType: http\n        dbtManifestHttpPath: ftp://x/manifest.json");
  EXPECT_NE(ErrorOf(http).find("workflow.yaml:10: at $.source.sourceConfig.config.dbtConfigSource."
                               "dbtManifestHttpPath:"),
            std::string::npos)
      << ErrorOf(http);
}

// Every workflow under examples/ is one Cairn accepts.
TEST(WorkflowConfigTest, TheExamplesAreValid) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(CAIRN_SOURCE_DIR "/examples")) {
    if (entry.path().extension() != ".yaml") continue;
    ++seen;
    EXPECT_NO_THROW(LoadWorkflowConfig(entry.path().string())) << entry.path();
  }
  EXPECT_GE(seen, 3);
}

TEST(ConfigDocumentTest, ScalarsFollowYamlCoreSchema) {
  const ConfigDocument doc = ParseConfigDocument(
      "a: true\nb: 'true'\nc: 12\nd: 1.5\ne: ~\nf: text\ng: \"12\"\nh: [1, x]\n", "t.yaml");
  EXPECT_EQ(doc.value["a"], true);
  EXPECT_EQ(doc.value["b"], "true");
  EXPECT_EQ(doc.value["c"], 12);
  EXPECT_EQ(doc.value["d"], 1.5);
  EXPECT_TRUE(doc.value["e"].is_null());
  EXPECT_EQ(doc.value["f"], "text");
  EXPECT_EQ(doc.value["g"], "12");
  EXPECT_EQ(doc.value["h"][1], "x");
  EXPECT_EQ(doc.LineOf("/h/1"), 8);
  EXPECT_EQ(doc.LineOf("/c"), 3);
  EXPECT_EQ(JsonPathFromPointer("/h/1"), "$.h[1]");
  EXPECT_EQ(JsonPathFromPointer(""), "$");
}

}  // namespace
}  // namespace cairn::ingest
