#include "common/crypto.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

namespace govshare::common {

Status InitCrypto() {
  if (sodium_init() < 0) return Status::Internal("libsodium could not be initialised");
  return Status::Ok();
}

std::string RandomToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

namespace {

struct FreeContext {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using ContextPtr = std::unique_ptr<EVP_MD_CTX, FreeContext>;

/// A platform that cannot hash cannot sign or verify its audit log: it stops rather than run on.
[[noreturn]] void HashFailed() {
  std::fputs("govshare: OpenSSL's SHA-256 failed; stopping\n", stderr);
  std::abort();
}

const EVP_MD* Sha256Md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) HashFailed();
  return md;
}

void Begin(EVP_MD_CTX* c) {
  if (c == nullptr || EVP_DigestInit_ex2(c, Sha256Md(), nullptr) != 1) HashFailed();
}

void Feed(EVP_MD_CTX* c, std::string_view data) {
  if (EVP_DigestUpdate(c, data.data(), data.size()) != 1) HashFailed();
}

Sha256Digest End(EVP_MD_CTX* c) {
  Sha256Digest out{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(c, out.data(), &size) != 1 || size != out.size()) HashFailed();
  return out;
}

std::string Hex(const Sha256Digest& digest) {
  std::string hex(digest.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  hex.pop_back();
  return hex;
}

}  // namespace

Sha256Digest Sha256Bytes(std::initializer_list<std::string_view> parts) {
  thread_local const ContextPtr context(EVP_MD_CTX_new());
  Begin(context.get());
  for (auto p : parts) Feed(context.get(), p);
  return End(context.get());
}

std::string Sha256Hex(std::string_view data) { return Hex(Sha256Bytes({data})); }

struct Sha256::State {
  ContextPtr context{EVP_MD_CTX_new()};
};

Sha256::Sha256() : state_(std::make_unique<State>()) { Begin(state_->context.get()); }
Sha256::~Sha256() = default;

void Sha256::Update(std::string_view data) { Feed(state_->context.get(), data); }

std::string Sha256::HexDigest() { return Hex(End(state_->context.get())); }

namespace {

/// The secretbox key for a purpose: HMAC-SHA256(secret, purpose), so one platform secret serves several purposes.
std::array<unsigned char, crypto_secretbox_KEYBYTES> TokenKey(std::string_view secret, std::string_view purpose) {
  static_assert(crypto_secretbox_KEYBYTES == crypto_auth_hmacsha256_BYTES);
  std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size());
  crypto_auth_hmacsha256_final(&state, key.data());
  return key;
}

constexpr int kBase64Url = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

}  // namespace

std::string SealToken(std::string_view secret, std::string_view purpose, std::string_view plaintext) {
  const auto key = TokenKey(secret, purpose);
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), out, key.data());
  std::string token(sodium_base64_encoded_len(box.size(), kBase64Url), '\0');
  sodium_bin2base64(token.data(), token.size(), out, box.size(), kBase64Url);
  token.resize(std::strlen(token.c_str()));
  return token;
}

std::optional<std::string> OpenToken(std::string_view secret, std::string_view purpose, std::string_view token) {
  std::string box(token.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(box.data()), box.size(), token.data(), token.size(), nullptr,
                        &length, nullptr, kBase64Url) != 0 ||
      length < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return std::nullopt;
  }
  const auto key = TokenKey(secret, purpose);
  const auto* in = reinterpret_cast<const unsigned char*>(box.data());
  std::string plain(length - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), in + crypto_secretbox_NONCEBYTES,
                                 length - crypto_secretbox_NONCEBYTES, in, key.data()) != 0) {
    return std::nullopt;
  }
  return plain;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  std::string hex(mac.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac.data(), mac.size());
  hex.pop_back();
  return hex;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> HashPassword(std::string_view password, PasswordCost cost) {
  const bool interactive = cost == PasswordCost::kInteractive;
  const unsigned long long ops = interactive ? crypto_pwhash_OPSLIMIT_INTERACTIVE : crypto_pwhash_OPSLIMIT_MIN;
  const std::size_t mem = interactive ? crypto_pwhash_MEMLIMIT_INTERACTIVE : crypto_pwhash_MEMLIMIT_MIN;
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), ops, mem, crypto_pwhash_ALG_ARGON2ID13) !=
      0) {
    return Status::Internal("password hashing ran out of memory");
  }
  return std::string(out.data());
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string GeneratePassword(std::size_t length) {
  // No 0/O/1/l/I: passwords printed once are often typed by hand.
  static constexpr std::string_view kAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  do {
    out.clear();
    for (std::size_t i = 0; i < length; ++i) out.push_back(kAlphabet[randombytes_uniform(kAlphabet.size())]);
  } while (!std::any_of(out.begin(), out.end(), ::isdigit) || !std::any_of(out.begin(), out.end(), ::isupper) ||
           !std::any_of(out.begin(), out.end(), ::islower));
  return out;
}

Status ReadOrCreateSecret(const std::string& path, std::string& secret) {
  {
    std::ifstream in(path);
    if (in && std::getline(in, secret)) {
      if (secret.size() < 32) return Status::Unavailable("secret_invalid", "the secret file holds no valid secret");
      return Status::Ok();
    }
  }
  secret = RandomToken(32);
  std::string tmp = path;
  tmp.append(".tmp");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::Unavailable("write_failed", "cannot create the secret file");
  std::string line = secret;
  line.push_back('\n');
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!written || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("write_failed", "cannot write the secret file");
  }
  return Status::Ok();
}

}  // namespace govshare::common
