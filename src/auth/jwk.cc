#include "auth/jwk.h"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "core/error.h"

namespace cairn::auth {
namespace {

using nlohmann::json;

constexpr int kMinRsaBits = 2048;

Error Refused(std::string reason) {
  return Error(ErrorCode::kInvalidArgument, std::move(reason));
}

struct BignumFree {
  void operator()(BIGNUM* n) const { BN_free(n); }
};
struct ParamBuildFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyContextFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::unique_ptr<BIGNUM, BignumFree> BignumOfJwkField(const json& jwk, const char* field) {
  if (!jwk.contains(field) || !jwk[field].is_string()) {
    throw Refused(fmt::format("the JWK has no '{}'", field));
  }
  const std::string bytes = Base64UrlDecode(jwk[field].get<std::string>()).value_or("");
  if (bytes.empty()) throw Refused(fmt::format("the JWK's '{}' is not base64url", field));
  return std::unique_ptr<BIGNUM, BignumFree>(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                static_cast<int>(bytes.size()), nullptr));
}

// An RSA key of the JWK's fields named in `fields` (JWK name -> OpenSSL
// parameter): the public ones, or all for a key pair.
std::unique_ptr<EVP_PKEY, PkeyFree> RsaKey(
    const json& jwk, const std::vector<std::pair<const char*, const char*>>& fields,
    int selection) {
  std::vector<std::unique_ptr<BIGNUM, BignumFree>> numbers;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBuildFree> build(OSSL_PARAM_BLD_new());
  if (!build) throw Error(ErrorCode::kInternal, "OpenSSL could not hold the RSA parameters");
  for (const auto& [field, param] : fields) {
    numbers.push_back(BignumOfJwkField(jwk, field));
    if (!numbers.back() || OSSL_PARAM_BLD_push_BN(build.get(), param, numbers.back().get()) != 1) {
      throw Error(ErrorCode::kInternal, "OpenSSL could not hold the RSA parameters");
    }
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(build.get()));
  std::unique_ptr<EVP_PKEY_CTX, PkeyContextFree> context(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  if (!params || !context || EVP_PKEY_fromdata_init(context.get()) != 1 ||
      EVP_PKEY_fromdata(context.get(), &key, selection, params.get()) != 1) {
    throw Refused("the JWK's numbers are not an RSA key");
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> owned(key);
  if (EVP_PKEY_get_bits(owned.get()) < kMinRsaBits) {
    throw Refused(fmt::format("the JWK's RSA modulus has fewer than {} bits", kMinRsaBits));
  }
  return owned;
}

// The JWK as JSON, if it claims to be an RSA signature key for RS256.
json RsaSignatureJwk(std::string_view jwk_json) {
  json jwk = json::parse(jwk_json, nullptr, /*allow_exceptions=*/false);
  if (!jwk.is_object()) throw Refused("the JWK is not a JSON object");
  if (jwk.value("kty", "") != "RSA") throw Refused("the JWK is not an RSA key (kty)");
  if (jwk.contains("use") && jwk["use"] != "sig") throw Refused("the JWK is not a signature key");
  if (jwk.contains("alg") && jwk["alg"] != "RS256") throw Refused("the JWK is not for RS256");
  return jwk;
}

std::string PemOf(EVP_PKEY& key, bool private_key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  const int written = bio ? (private_key ? PEM_write_bio_PrivateKey(bio.get(), &key, nullptr,
                                                                    nullptr, 0, nullptr, nullptr)
                                         : PEM_write_bio_PUBKEY(bio.get(), &key))
                          : 0;
  if (written != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL could not write a public key");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}
}  // namespace

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// RFC 4648 §5 without padding, as JWS and JWK use it.
std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (!std::all_of(text.begin(), text.end(), IsBase64UrlChar) || text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string standard(text);
  std::replace(standard.begin(), standard.end(), '-', '+');
  std::replace(standard.begin(), standard.end(), '_', '/');
  const std::size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');
  std::string bytes(standard.size() / 4 * 3, '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                      reinterpret_cast<const unsigned char*>(standard.data()),
                                      static_cast<int>(standard.size()));
  if (written < 0) return std::nullopt;
  bytes.resize(static_cast<std::size_t>(written) - padding);
  return bytes;
}

std::string RsaPublicKeyPemFromJwk(std::string_view jwk_json) {
  const json jwk = RsaSignatureJwk(jwk_json);
  return PemOf(*RsaKey(jwk, {{"n", OSSL_PKEY_PARAM_RSA_N}, {"e", OSSL_PKEY_PARAM_RSA_E}},
                       EVP_PKEY_PUBLIC_KEY),
               false);
}

std::string RsaPrivateKeyPemFromJwk(std::string_view jwk_json) {
  const json jwk = RsaSignatureJwk(jwk_json);
  return PemOf(*RsaKey(jwk,
                       {{"n", OSSL_PKEY_PARAM_RSA_N},
                        {"e", OSSL_PKEY_PARAM_RSA_E},
                        {"d", OSSL_PKEY_PARAM_RSA_D},
                        {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
                        {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
                        {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
                        {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
                        {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}},
                       EVP_PKEY_KEYPAIR),
               true);
}

}  // namespace cairn::auth
