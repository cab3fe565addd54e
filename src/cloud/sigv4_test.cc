#include "cloud/sigv4.h"

#include <gtest/gtest.h>

#include <chrono>

#include "core/error.h"

namespace cairn::cloud {
namespace {

// The known-answer vectors of ../shared/reference/aws-apis.md §2.1 (botocore
// 1.43.11, clock fixed at 2015-08-30T12:36:00Z).
AwsCredentials Keys() {
  return {.access_key_id = "AKIDEXAMPLE",
          .secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
}

SigningScope Scope(std::string service, SigningStyle style = SigningStyle::kDefault) {
  using namespace std::chrono;
  sys_days day = year{2015} / August / 30;
  return {.region = "us-east-1",
          .service = std::move(service),
          .time = day + hours{12} + minutes{36},
          .style = style};
}

// Line 4 of the string to sign.
std::string CanonicalRequestHash(const SignedRequest& signed_request) {
  return signed_request.string_to_sign.substr(signed_request.string_to_sign.rfind('\n') + 1);
}

std::string HeaderOf(const SignedRequest& signed_request, std::string_view name) {
  for (const auto& [key, value] : signed_request.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(SigV4Test, GetVanilla) {
  SignedRequest signed_request =
      SignV4({.endpoint = "https://example.amazonaws.com"}, Keys(), Scope("service"));
  EXPECT_EQ(signed_request.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(CanonicalRequestHash(signed_request),
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(signed_request.signature,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(HeaderOf(signed_request, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(signed_request.url, "https://example.amazonaws.com/");
}

TEST(SigV4Test, DynamoDbJsonPost) {
  SignedRequest signed_request =
      SignV4({.method = "POST",
              .endpoint = "https://dynamodb.us-east-1.amazonaws.com",
              .headers = {{"Content-Type", "application/x-amz-json-1.0"},
                          {"X-Amz-Target", "DynamoDB_20120810.ListTables"}},
              .payload = R"({"Limit":10})"},
             Keys(), Scope("dynamodb"));
  EXPECT_NE(signed_request.canonical_request.find("\ncontent-type;host;x-amz-date;x-amz-target\n"
                                                  "7323ae808f32f1a67f80c52911966937e5b960c236a8de"
                                                  "953aec7c984492feb0"),
            std::string::npos)
      << signed_request.canonical_request;
  EXPECT_EQ(CanonicalRequestHash(signed_request),
            "8024cb62ac722da8a9b5e0c40241e96ceaf77c64c23e1d13994fab492dcd706e");
  EXPECT_EQ(signed_request.signature,
            "11041d969631ff3f1d1f8d3b5fac1fe918edd3847f40dcc4423df1f26416af70");
  EXPECT_EQ(HeaderOf(signed_request, "X-Amz-Content-SHA256"), "") << "only S3 sends it";
}

TEST(SigV4Test, S3ListWithSessionToken) {
  AwsCredentials session = Keys();
  session.session_token = "SESSIONTOKENEXAMPLE";
  SignedRequest signed_request =
      SignV4({.endpoint = "https://my-bucket.s3.us-east-1.amazonaws.com",
              .query = {{"list-type", "2"},
                        {"prefix", "dbt/target/"},
                        {"continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/"}}},
             session, Scope("s3", SigningStyle::kS3));
  EXPECT_NE(signed_request.canonical_request.find(
                "\ncontinuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2F&list-type=2&"
                "prefix=dbt%2Ftarget%2F\n"),
            std::string::npos)
      << signed_request.canonical_request;
  EXPECT_NE(signed_request.canonical_request.find(
                "\nhost;x-amz-content-sha256;x-amz-date;x-amz-security-token\n"),
            std::string::npos);
  EXPECT_EQ(CanonicalRequestHash(signed_request),
            "e9fcf939f1361fda7012b46e13444bd371870e3bbd699dc002e7b0cb9b537ca0");
  EXPECT_EQ(signed_request.signature,
            "2d884bea99754b14a3fd8800c9a49f5f3b3722b99b8f100b4949c32b59acdc82");
  EXPECT_EQ(HeaderOf(signed_request, "X-Amz-Security-Token"), "SESSIONTOKENEXAMPLE");
  EXPECT_EQ(signed_request.url,
            "https://my-bucket.s3.us-east-1.amazonaws.com/?continuation-token="
            "1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2F&list-type=2&prefix=dbt%2Ftarget%2F");
}

TEST(SigV4Test, StsAssumeRoleFormPost) {
  SignedRequest signed_request = SignV4(
      {.method = "POST",
       .endpoint = "https://sts.us-east-1.amazonaws.com",
       .headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}},
       .payload = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%"
                  "3Arole%2Fdemo&RoleSessionName=catalog&ExternalId=ext-123&DurationSeconds=900"},
      Keys(), Scope("sts"));
  EXPECT_TRUE(signed_request.canonical_request.ends_with(
      "285f2e8927837965920dcacc4f8a67309444f87729e37cb85577764733a165ac"));
  EXPECT_EQ(CanonicalRequestHash(signed_request),
            "0fa24694f0aaba40b61d0734ed4767d59978cc0afc051da77fad49ebf8698ded");
  EXPECT_EQ(signed_request.signature,
            "33814b5b87e418cb156808cf9291cfe47800a5c906a6c05d7dab528b12e42911");
}

TEST(SigV4Test, QueryParametersAreSortedByName) {
  SignedRequest signed_request = SignV4({.endpoint = "https://example.amazonaws.com",
                                         .query = {{"Param2", "value2"}, {"Param1", "value1"}}},
                                        Keys(), Scope("service"));
  EXPECT_NE(signed_request.canonical_request.find("\nParam1=value1&Param2=value2\n"),
            std::string::npos);
  EXPECT_EQ(signed_request.signature,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Test, UnsignedPayloadAndDefaultPortsAndHopByHopHeaders) {
  SignedRequest signed_request =
      SignV4({.method = "PUT",
              .endpoint = "https://example.amazonaws.com:443",
              .path = "/my-bucket/dbt/target/manifest%20copy.json",
              .headers = {{"User-Agent", "cairn"}, {"Content-Length", "12"}},
              .payload_hash = std::string(kUnsignedPayload)},
             Keys(), Scope("s3", SigningStyle::kS3));
  EXPECT_EQ(HeaderOf(signed_request, "Host"), "example.amazonaws.com");
  EXPECT_EQ(HeaderOf(signed_request, "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD");
  EXPECT_NE(
      signed_request.canonical_request.find("PUT\n/my-bucket/dbt/target/manifest%20copy.json\n"),
      std::string::npos)
      << "S3 signs the path as sent";
  EXPECT_NE(signed_request.canonical_request.find("\ncontent-length;host;x-amz-content-sha256;"
                                                  "x-amz-date\nUNSIGNED-PAYLOAD"),
            std::string::npos)
      << "User-Agent is not signed: " << signed_request.canonical_request;
}

TEST(SigV4Test, OtherServicesNormaliseAndEncodeThePathAgain) {
  SignedRequest signed_request =
      SignV4({.endpoint = "http://127.0.0.1:5000", .path = "/a/./b/../c%20d//e/"}, Keys(),
             Scope("service"));
  EXPECT_TRUE(signed_request.canonical_request.starts_with("GET\n/a/c%2520d/e/\n"))
      << signed_request.canonical_request;
  EXPECT_EQ(HeaderOf(signed_request, "Host"), "127.0.0.1:5000");
}

TEST(SigV4Test, EncodingKeepsOnlyTheUnreservedSet) {
  EXPECT_EQ(UriEncode("a b+c=d/e~f_g.h-i", false), "a%20b%2Bc%3Dd%2Fe~f_g.h-i");
  EXPECT_EQ(UriEncode("dbt/target/é", true), "dbt/target/%C3%A9");
  EXPECT_EQ(CanonicalQueryString({{"b", ""}, {"a", "2"}, {"a", "1"}}), "a=1&a=2&b=");
}

TEST(SigV4Test, MissingKeysAreRefused) {
  EXPECT_THROW(SignV4({.endpoint = "https://example.amazonaws.com"}, {}, Scope("service")),
               cairn::Error);
}

}  // namespace
}  // namespace cairn::cloud
