#include "auth/token_secret.h"

#include <gtest/gtest.h>

#include <set>

namespace cairn::auth {
namespace {

TEST(TokenSecretTest, TokensAreLongRandomAndPrefixed) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = GenerateTokenString();
    EXPECT_EQ(token.size(), 46u);
    EXPECT_EQ(token.rfind("cairn_", 0), 0u);
    for (char c : token.substr(6)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(TokenSecretTest, VerifiesOnlyTheExactToken) {
  std::string token = GenerateTokenString();
  std::string salt = GenerateSalt();
  std::string verifier = Verifier(salt, token);
  EXPECT_EQ(verifier.size(), 64u);
  EXPECT_TRUE(VerifyToken(token, salt, verifier));
  std::string changed = token;
  changed.back() = changed.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(VerifyToken(changed, salt, verifier));
  EXPECT_FALSE(VerifyToken(token, GenerateSalt(), verifier));
  EXPECT_FALSE(VerifyToken(token, salt, verifier.substr(1)));
}

TEST(TokenSecretTest, SaltsMakeVerifiersDifferAndLookupKeysDoNot) {
  std::string token = GenerateTokenString();
  EXPECT_NE(Verifier(GenerateSalt(), token), Verifier(GenerateSalt(), token));
  EXPECT_EQ(LookupKey(token), LookupKey(token));
  EXPECT_EQ(LookupKey(token).size(), 16u);
  EXPECT_EQ(token.find(LookupKey(token)), std::string::npos);
}

}  // namespace
}  // namespace cairn::auth
