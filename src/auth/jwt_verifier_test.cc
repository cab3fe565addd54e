#include "auth/jwt_verifier.h"

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "auth/bearer_authenticator.h"
#include "auth/jwk.h"
#include "auth/jwt_signer.h"
#include "core/error.h"

namespace cairn::auth {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kSecret = "a-test-secret-of-more-than-32-bytes-0123456789";
constexpr const char* kIssuer = "https://issuer.test";
constexpr const char* kAudience = "cairn-api";

std::string Base64Url(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

// An RSA key pair for the tests, as PEM and as a JWK.
struct TestKey {
  std::string private_pem;
  std::string public_pem;
  std::string kid;
  json jwk;
  json private_jwk;

  static TestKey Generate(const std::string& kid, unsigned bits = 2048) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(bits), EVP_PKEY_free);
    TestKey test{.kid = kid};
    test.private_pem = Pem(key.get(), true);
    test.public_pem = Pem(key.get(), false);
    test.jwk = {{"kty", "RSA"},
                {"kid", kid},
                {"use", "sig"},
                {"alg", "RS256"},
                {"n", Base64Url(Number(key.get(), OSSL_PKEY_PARAM_RSA_N))},
                {"e", Base64Url(Number(key.get(), OSSL_PKEY_PARAM_RSA_E))}};
    test.private_jwk = test.jwk;
    for (const auto& [field, param] : {std::pair{"d", OSSL_PKEY_PARAM_RSA_D},
                                       {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
                                       {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
                                       {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
                                       {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
                                       {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}}) {
      test.private_jwk[field] = Base64Url(Number(key.get(), param));
    }
    return test;
  }

 private:
  static std::string Pem(EVP_PKEY* key, bool private_key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (private_key) {
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PUBKEY(bio.get(), key);
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(size)};
  }
  static std::string Number(EVP_PKEY* key, const char* name) {
    BIGNUM* number = nullptr;
    EVP_PKEY_get_bn_param(key, name, &number);
    std::string bytes(static_cast<std::size_t>(BN_num_bytes(number)), '\0');
    BN_bn2bin(number, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(number);
    return bytes;
  }
};

std::int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json OidcClaims() {
  return {{"iss", kIssuer}, {"aud", kAudience}, {"sub", "etl-bot"}, {"exp", Now() + 300}};
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    key_ = new TestKey(TestKey::Generate("k1"));
    other_key_ = new TestKey(TestKey::Generate("k2"));
  }
  static void TearDownTestSuite() {
    delete key_;
    delete other_key_;
  }

  void SetUp() override {
    secret_file_ = fs::temp_directory_path() / ("cairn_jwt_secret_" + std::to_string(::getpid()));
    std::ofstream(secret_file_) << kSecret << "\n";
    jwks_ = {{"keys", json::array({key_->jwk})}};
  }
  void TearDown() override { fs::remove(secret_file_); }

  JwtSettings Settings() const {
    return {.secret_file = secret_file_,
            .issuer = kIssuer,
            .jwks_url = "http://127.0.0.1:1/jwks",
            .audience = kAudience};
  }
  std::unique_ptr<JwtVerifier> Verifier(JwtSettings settings) {
    return std::make_unique<JwtVerifier>(std::move(settings), [this] { return jwks_.dump(); });
  }
  std::unique_ptr<JwtVerifier> Verifier() { return Verifier(Settings()); }

  static std::string Rs256(const json& claims, const TestKey& key) {
    return SignJwt(claims.dump(), JwtAlgorithm::kRs256, key.private_pem, key.kid);
  }

  static void ExpectRefused(const JwtVerifier& verifier, const std::string& token,
                            const std::string& reason) {
    try {
      verifier.Verify(token);
      ADD_FAILURE() << "accepted, expected: " << reason;
    } catch (const Error& e) {
      EXPECT_NE(e.message().find(reason), std::string::npos) << e.message();
      EXPECT_EQ(e.message().find(token), std::string::npos) << "the message holds the token";
    }
  }

  static TestKey* key_;
  static TestKey* other_key_;
  fs::path secret_file_;
  json jwks_;
};

TestKey* JwtVerifierTest::key_ = nullptr;
TestKey* JwtVerifierTest::other_key_ = nullptr;

TEST_F(JwtVerifierTest, AcceptsCairnsOwnHs256Token) {
  const std::string token = MintCairnJwt(kSecret, "ingest-bot", "job_admin", std::chrono::hours(1),
                                         kDefaultPermissionClaim);
  const Principal principal = Verifier()->Verify(token);
  EXPECT_EQ(principal.name, "ingest-bot");
  EXPECT_EQ(principal.access, Access::kIngest);
  EXPECT_EQ(principal.token_id, 0);
}

TEST_F(JwtVerifierTest, AcceptsTheIssuersRs256TokenWithTheDefaultPermissionSet) {
  auto verifier = Verifier();
  const Principal principal = verifier->Verify(Rs256(OidcClaims(), *key_));
  EXPECT_EQ(principal.name, "etl-bot");
  EXPECT_EQ(principal.access, Access::kRead);  // metadata_only
  EXPECT_EQ(verifier->jwks_fetches(), 1);
  verifier->Verify(Rs256(OidcClaims(), *key_));
  EXPECT_EQ(verifier->jwks_fetches(), 1) << "the JWKS is cached";
}

TEST_F(JwtVerifierTest, ThePermissionClaimGivesTheHighestAccessOfItsSets) {
  json claims = OidcClaims();
  claims["cairn_permission_set"] = json::array({"readonly", "developer", "no_such_set"});
  EXPECT_EQ(Verifier()->Verify(Rs256(claims, *key_)).access, Access::kIngest);
  claims["cairn_permission_set"] = "billing_admin";
  EXPECT_EQ(Verifier()->Verify(Rs256(claims, *key_)).access, Access::kNone);

  JwtSettings settings = Settings();
  settings.permission_claim = "roles";
  settings.default_permission_set = "job_admin";
  claims.erase("cairn_permission_set");
  EXPECT_EQ(Verifier(settings)->Verify(Rs256(claims, *key_)).access, Access::kIngest);
  claims["roles"] = "account_admin";
  EXPECT_EQ(Verifier(settings)->Verify(Rs256(claims, *key_)).access, Access::kAdmin);
}

TEST_F(JwtVerifierTest, NameIsTheEmailWhenThereIsNoSub) {
  json claims = OidcClaims();
  claims.erase("sub");
  claims["email"] = "ana@example.com";
  EXPECT_EQ(Verifier()->Verify(Rs256(claims, *key_)).name, "ana@example.com");
  claims.erase("email");
  ExpectRefused(*Verifier(), Rs256(claims, *key_), "no sub or email");
}

TEST_F(JwtVerifierTest, RefusesExpiredTokensBeyondTheLeeway) {
  json claims = OidcClaims();
  claims["exp"] = Now() - 10;  // within the 30 s leeway
  EXPECT_NO_THROW(Verifier()->Verify(Rs256(claims, *key_)));
  claims["exp"] = Now() - 120;
  ExpectRefused(*Verifier(), Rs256(claims, *key_), "expired");
  claims.erase("exp");
  ExpectRefused(*Verifier(), Rs256(claims, *key_), "no exp");
}

TEST_F(JwtVerifierTest, RefusesTokensNotValidYet) {
  json claims = OidcClaims();
  claims["nbf"] = Now() + 300;
  ExpectRefused(*Verifier(), Rs256(claims, *key_), "not valid yet");
  claims["nbf"] = Now() + 5;
  EXPECT_NO_THROW(Verifier()->Verify(Rs256(claims, *key_)));
}

TEST_F(JwtVerifierTest, RefusesAWrongIssuerOrAudience) {
  json claims = OidcClaims();
  claims["iss"] = "https://evil.test";
  ExpectRefused(*Verifier(), Rs256(claims, *key_), "iss");
  claims = OidcClaims();
  claims["aud"] = "another-api";
  ExpectRefused(*Verifier(), Rs256(claims, *key_), "aud");
  claims["aud"] = json::array({"another-api", kAudience});
  EXPECT_NO_THROW(Verifier()->Verify(Rs256(claims, *key_)));
  // An RS256 token claiming Cairn's own issuer gets no shortcut.
  claims = OidcClaims();
  claims["iss"] = kCairnJwtIssuer;
  claims.erase("aud");
  ExpectRefused(*Verifier(), Rs256(claims, *key_), "iss");
}

TEST_F(JwtVerifierTest, RefusesAWrongSignature) {
  TestKey impostor = *other_key_;
  impostor.kid = "k1";  // claims to be the issuer's key
  ExpectRefused(*Verifier(), Rs256(OidcClaims(), impostor), "signature");

  const std::string good = Rs256(OidcClaims(), *key_);
  const std::size_t dot = good.find('.');
  json claims = OidcClaims();
  claims["cairn_permission_set"] = "account_admin";
  const std::string tampered =
      good.substr(0, dot + 1) + Base64Url(claims.dump()) + good.substr(good.rfind('.'));
  ExpectRefused(*Verifier(), tampered, "signature");

  const std::string hs256 = MintCairnJwt(std::string(kSecret) + "x", "bot", "readonly",
                                         std::chrono::hours(1), kDefaultPermissionClaim);
  ExpectRefused(*Verifier(), hs256, "signature");
}

TEST_F(JwtVerifierTest, RefusesAlgNone) {
  const std::string payload = Base64Url(OidcClaims().dump());
  for (const std::string header : {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})"}) {
    ExpectRefused(*Verifier(), Base64Url(header) + "." + payload + ".", "alg");
    ExpectRefused(*Verifier(), Base64Url(header) + "." + payload + ".c2ln", "alg");
  }
  ExpectRefused(*Verifier(), Base64Url(R"({"alg":"HS512"})") + "." + payload + ".c2ln", "alg");
}

TEST_F(JwtVerifierTest, RefusesHs256SignedWithTheIssuersPublicKey) {
  // The classic confusion: the RSA public key (public, after all) used as
  // an HMAC secret. HS256 is only ever checked with Cairn's secret.
  json claims = OidcClaims();
  const std::string forged = SignJwt(claims.dump(), JwtAlgorithm::kHs256, key_->public_pem, "k1");
  ExpectRefused(*Verifier(), forged, "signature");
  JwtSettings no_secret = Settings();
  no_secret.secret_file.clear();
  ExpectRefused(*Verifier(no_secret), forged, "HS256 JWTs are refused");
  claims["iss"] = kCairnJwtIssuer;
  ExpectRefused(*Verifier(no_secret),
                SignJwt(claims.dump(), JwtAlgorithm::kHs256, key_->public_pem), "HS256");
}

TEST_F(JwtVerifierTest, RefusesRs256WithoutAnIssuer) {
  JwtSettings hs_only{.secret_file = secret_file_};
  ExpectRefused(*Verifier(hs_only), Rs256(OidcClaims(), *key_), "no OIDC issuer");
}

TEST_F(JwtVerifierTest, AnUnknownKidFetchesTheJwksAgain) {
  JwtSettings eager = Settings();
  eager.jwks_refetch_interval = std::chrono::seconds(0);
  auto verifier = Verifier(eager);
  EXPECT_NO_THROW(verifier->Verify(Rs256(OidcClaims(), *key_)));
  // The issuer rotates: k2 appears in its JWKS.
  jwks_["keys"].push_back(other_key_->jwk);
  EXPECT_EQ(verifier->Verify(Rs256(OidcClaims(), *other_key_)).name, "etl-bot");
  EXPECT_EQ(verifier->jwks_fetches(), 2);
  EXPECT_NO_THROW(verifier->Verify(Rs256(OidcClaims(), *key_)));
  EXPECT_EQ(verifier->jwks_fetches(), 2) << "known kids need no fetch";
}

TEST_F(JwtVerifierTest, AnUnknownKidFetchesTheJwksAtMostOncePerInterval) {
  auto verifier = Verifier();  // 60 s
  EXPECT_NO_THROW(verifier->Verify(Rs256(OidcClaims(), *key_)));
  jwks_["keys"].push_back(other_key_->jwk);
  TestKey unknown = *other_key_;
  unknown.kid = "k3";
  ExpectRefused(*verifier, Rs256(OidcClaims(), unknown), "no key 'k3'");
  ExpectRefused(*verifier, Rs256(OidcClaims(), *other_key_), "no key 'k2'");
  EXPECT_EQ(verifier->jwks_fetches(), 1) << "refetched within the interval";
}

TEST_F(JwtVerifierTest, AJwksThatCannotBeReadRefusesTheToken) {
  JwtVerifier verifier(Settings(),
                       []() -> std::string { throw Error(ErrorCode::kIo, "connection refused"); });
  ExpectRefused(verifier, Rs256(OidcClaims(), *key_), "JWKS could not be read");
  JwtVerifier garbage(Settings(), [] { return std::string("<html>"); });
  ExpectRefused(garbage, Rs256(OidcClaims(), *key_), "JWKS could not be read");
}

TEST_F(JwtVerifierTest, SettingsAreChecked) {
  JwtSettings partial = Settings();
  partial.audience.clear();
  EXPECT_THROW(Verifier(partial), Error);
  JwtSettings unknown_set = Settings();
  unknown_set.default_permission_set = "superuser";
  EXPECT_THROW(Verifier(unknown_set), Error);
  std::ofstream(secret_file_) << "too-short\n";
  EXPECT_THROW(Verifier(), Error);
  EXPECT_THROW(
      MintCairnJwt("too-short", "bot", "readonly", std::chrono::hours(1), kDefaultPermissionClaim),
      Error);
  EXPECT_THROW(
      MintCairnJwt(kSecret, "bot", "superuser", std::chrono::hours(1), kDefaultPermissionClaim),
      Error);
}

TEST_F(JwtVerifierTest, JwkBecomesThePublicKey) {
  EXPECT_EQ(RsaPublicKeyPemFromJwk(key_->jwk.dump()), key_->public_pem);
  json ec = key_->jwk;
  ec["kty"] = "EC";
  EXPECT_THROW(RsaPublicKeyPemFromJwk(ec.dump()), Error);
  json encryption = key_->jwk;
  encryption["use"] = "enc";
  EXPECT_THROW(RsaPublicKeyPemFromJwk(encryption.dump()), Error);
  json bad = key_->jwk;
  bad["n"] = "not base64url!";
  EXPECT_THROW(RsaPublicKeyPemFromJwk(bad.dump()), Error);
  bad.erase("n");
  EXPECT_THROW(RsaPublicKeyPemFromJwk(bad.dump()), Error);
  EXPECT_THROW(RsaPublicKeyPemFromJwk(TestKey::Generate("small", 1024).jwk.dump()), Error);
}

TEST_F(JwtVerifierTest, PrivateJwkBecomesAKeyThatSigns) {
  EXPECT_EQ(RsaPrivateKeyPemFromJwk(key_->private_jwk.dump()), key_->private_pem);
  TestKey from_jwk = *key_;
  from_jwk.private_pem = RsaPrivateKeyPemFromJwk(key_->private_jwk.dump());
  EXPECT_EQ(Verifier()->Verify(Rs256(OidcClaims(), from_jwk)).name, "etl-bot");
  EXPECT_THROW(RsaPrivateKeyPemFromJwk(key_->jwk.dump()), Error) << "no d, p, q, ...";
}

TEST(LooksLikeJwtTest, TellsJwtsFromServiceTokens) {
  EXPECT_TRUE(LooksLikeJwt("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"));
  EXPECT_TRUE(LooksLikeJwt("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."));
  EXPECT_FALSE(LooksLikeJwt("cairn_0123456789abcdefghijABCDEFGHIJ0123456789"));
  EXPECT_FALSE(LooksLikeJwt("a.b"));
  EXPECT_FALSE(LooksLikeJwt(".b.c"));
  EXPECT_FALSE(LooksLikeJwt("a.b.c.d"));
  EXPECT_FALSE(LooksLikeJwt("a b.c.d"));
}

// Answers for service tokens and counts what it was asked.
class CountingTokens final : public Authenticator {
 public:
  std::optional<Principal> Authenticate(std::string_view authorization) override {
    ++asked;
    if (authorization == "Bearer cairn_good") return Principal{.token_id = 7, .name = "tok"};
    return std::nullopt;
  }
  int asked = 0;
};

TEST_F(JwtVerifierTest, BearerAuthenticatorSendsJwtsToTheVerifierAndTheRestToTokens) {
  CountingTokens tokens;
  auto verifier = Verifier();
  BearerAuthenticator authenticator(tokens, verifier.get());
  EXPECT_EQ(authenticator.Authenticate("Bearer cairn_good")->token_id, 7);
  EXPECT_EQ(authenticator.Authenticate("bearer  " + Rs256(OidcClaims(), *key_))->name, "etl-bot");
  EXPECT_FALSE(authenticator.Authenticate("Bearer " + Rs256(OidcClaims(), *other_key_)));
  EXPECT_EQ(tokens.asked, 1) << "a refused JWT is not tried as a service token";

  BearerAuthenticator tokens_only(tokens, nullptr);
  EXPECT_FALSE(tokens_only.Authenticate("Bearer " + Rs256(OidcClaims(), *key_)));
  EXPECT_TRUE(tokens_only.Authenticate("Bearer cairn_good"));
}

}  // namespace
}  // namespace cairn::auth
