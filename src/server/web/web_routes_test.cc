#include "server/web/web_routes.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "server/web/web_assets.h"

namespace cairn::server {
namespace {

std::string HeaderOf(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(WebRoutesTest, ThePageIsHtmlThatIsNeverCachedStale) {
  Response page = WebAssetResponse("/index.html", "");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(page, "Cache-Control"), "no-cache");
  EXPECT_NE(page.body.find("<html"), std::string::npos);
  EXPECT_EQ(HeaderOf(page, "Content-Encoding"), "");
}

TEST(WebRoutesTest, ThePageForbidsScriptsFromElsewhere) {
  std::string policy = HeaderOf(WebAssetResponse("/index.html", ""), "Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(policy.find("script-src"), std::string::npos) << "scripts fall back to 'self'";
}

TEST(WebRoutesTest, GzipOnlyWhenTheClientAcceptsIt) {
  const WebAsset* compressible = nullptr;
  for (const WebAsset& asset : WebAssets()) {
    if (!asset.gzip.empty()) compressible = &asset;
  }
  ASSERT_NE(compressible, nullptr) << "at least the page compresses";
  std::string path(compressible->path);
  Response zipped = WebAssetResponse(path, "br, gzip, deflate");
  EXPECT_EQ(HeaderOf(zipped, "Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.body, compressible->gzip);
  EXPECT_LT(zipped.body.size(), compressible->body.size());
  EXPECT_EQ(HeaderOf(zipped, "Vary"), "Accept-Encoding");
  for (const char* refused : {"", "identity", "gzip;q=0", "deflate, gzip; q=0.0"}) {
    Response plain = WebAssetResponse(path, refused);
    EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "") << refused;
    EXPECT_EQ(plain.body, compressible->body) << refused;
  }
  EXPECT_EQ(HeaderOf(WebAssetResponse(path, "gzip;q=0.5"), "Content-Encoding"), "gzip");
}

TEST(WebRoutesTest, AnUnknownFileIs404) {
  Response missing = WebAssetResponse("/assets/nope.js", "gzip");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(WebAssetResponse("/assets/../index.html", "").status, 404);
}

TEST(WebRoutesTest, AssetsAreSortedAndHashedAssetsCacheForever) {
  std::span<const WebAsset> assets = WebAssets();
  for (std::size_t i = 1; i < assets.size(); ++i) EXPECT_LT(assets[i - 1].path, assets[i].path);
  for (const WebAsset& asset : assets) {
    if (!asset.path.starts_with("/assets/")) continue;
    EXPECT_EQ(HeaderOf(WebAssetResponse(std::string(asset.path), ""), "Cache-Control"),
              "public, max-age=31536000, immutable")
        << asset.path;
  }
}

// Every script and style the page names is in the binary.
TEST(WebRoutesTest, ThePageOnlyReferencesEmbeddedAssets) {
  if (!WebUiBuilt()) GTEST_SKIP() << "built with CAIRN_WEB=OFF";
  std::string page = WebAssetResponse("/index.html", "").body;
  std::regex reference(R"re((?:src|href)="(/assets/[^"]+)")re");
  int found = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), reference);
       it != std::sregex_iterator(); ++it) {
    ++found;
    EXPECT_EQ(WebAssetResponse((*it)[1].str(), "").status, 200) << (*it)[1].str();
  }
  EXPECT_GE(found, 2) << "a script and a style sheet";
}

}  // namespace
}  // namespace cairn::server
