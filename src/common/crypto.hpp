#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace govshare::common {

/// Initialises libsodium; safe to call many times from any thread. Fails only if the OS has no entropy source.
Status InitCrypto();

/// `bytes` random bytes from the OS CSPRNG, encoded as unpadded base64url.
std::string RandomToken(std::size_t bytes = 32);
/// A platform secret kept in `path`: read if it exists, else 32 random bytes written there durably (mode 0600) as
/// text. Used for keys that must survive restarts (e.g. the `hash` mask's key, DATA_DIR/mask.key).
Status ReadOrCreateSecret(const std::string& path, std::string& secret);
using Sha256Digest = std::array<std::uint8_t, 32>;
/// SHA-256 of the concatenation of `parts`. Every SHA-256 of the platform is OpenSSL's, fetched once (with one context
/// per thread here): it uses the CPU's SHA extensions where there are some (several times faster than portable code,
/// and every audited request hashes its answer, its record and about one inner tree node). If OpenSSL cannot hash,
/// the process stops: it could neither keep nor verify its audit log.
Sha256Digest Sha256Bytes(std::initializer_list<std::string_view> parts);
/// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);
/// SHA-256 of content that arrives in pieces (e.g. a streamed response body). Not thread-safe.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void Update(std::string_view data);
  /// Lower-case hex digest of everything updated so far; ends the hash (call once).
  std::string HexDigest();

 private:
  struct State;
  std::unique_ptr<State> state_;
};
/// Authenticated encryption of a short token under a 32-byte key derived from `secret` and `purpose` (XSalsa20-Poly1305
/// with a random nonce), as unpadded base64url: for opaque values handed to clients (e.g. paging cursors) that must
/// neither be read nor forged.
std::string SealToken(std::string_view secret, std::string_view purpose, std::string_view plaintext);
/// The plaintext of a SealToken value, or nullopt if it was not sealed under this secret and purpose or was altered.
std::optional<std::string> OpenToken(std::string_view secret, std::string_view purpose, std::string_view token);
/// Lower-case hex HMAC-SHA256 of `data` under `key` (RFC 2104).
std::string HmacSha256Hex(std::string_view key, std::string_view data);
/// Constant-time equality of two equal-length strings (false when lengths differ).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

/// Cost of argon2id password hashing. kInteractive is libsodium's recommended interactive profile (64 MiB, 2 passes);
/// kMinimum exists only so that unit tests creating many users stay fast.
enum class PasswordCost { kInteractive, kMinimum };

/// argon2id hash in libsodium's self-describing string format (includes salt and parameters).
Result<std::string> HashPassword(std::string_view password, PasswordCost cost = PasswordCost::kInteractive);
/// True if `password` matches `hash`. Constant time with respect to the password.
bool VerifyPassword(std::string_view password, const std::string& hash);
/// A random password of letters and digits that satisfies the password policy.
std::string GeneratePassword(std::size_t length = 16);

}  // namespace govshare::common
