#include "store/pg/cluster.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "common/crypto.hpp"
#include "store/rows.hpp"

namespace govshare::store::pg {

using common::Result;
using common::Status;

namespace {

bool IsSha256Hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

/// Hex text of bytes, for a BYTEA parameter in text format (decode($n, 'hex')).
std::string Hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.pop_back();
  return out;
}

}  // namespace

Result<std::string> PgBlobStore::Put(std::string_view bytes) {
  std::string sha = common::Sha256Hex(bytes);
  GOVSHARE_RETURN_IF_ERROR(db_.Write([&](Connection& c) {
    c.Prepare("INSERT INTO blobs(sha256, bytes) VALUES ($1, decode($2, 'hex')) ON CONFLICT(sha256) DO NOTHING")
        .Bind(1, sha)
        .Bind(2, Hex(bytes))
        .Run();
    return Status::Ok();
  }));
  return sha;
}

Result<std::string> PgBlobStore::Get(const std::string& sha256) {
  if (!IsSha256Hex(sha256)) return Status::NotFound("no such file");
  auto hex = SelectRow<std::string>(
      db_, "SELECT encode(bytes, 'hex') FROM blobs WHERE sha256 = $1", [&](Statement& s) { s.Bind(1, sha256); },
      [](const Statement& s) { return s.Text(0); });
  if (!hex.ok()) return hex.status();
  if (!hex.value()) return Status::NotFound("no such file");
  const std::string& h = *hex.value();
  std::string bytes(h.size() / 2, '\0');
  std::size_t length = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), h.data(), h.size(), nullptr, &length,
                     nullptr) != 0) {
    return Status::Unavailable("storage_corrupt", "a stored file could not be read");
  }
  bytes.resize(length);
  if (common::Sha256Hex(bytes) != sha256) {
    return Status::Unavailable("storage_corrupt", "a stored file does not match its hash");
  }
  return bytes;
}

Status CheckSharedSecret(Database& db, const std::string& name, std::string_view secret, const std::string& file) {
  const std::string fingerprint = common::HmacSha256Hex(secret, "govshare-shared-secret-fingerprint:" + name);
  std::string stored;
  GOVSHARE_RETURN_IF_ERROR(db.Write([&](Connection& c) {
    c.Prepare("INSERT INTO shared_secrets(name, fingerprint) VALUES ($1, $2) ON CONFLICT(name) DO NOTHING")
        .Bind(1, name)
        .Bind(2, fingerprint)
        .Run();
    auto s = c.Prepare("SELECT fingerprint FROM shared_secrets WHERE name = $1");
    s.Bind(1, name);
    stored = s.Step() ? s.Text(0) : "";
    return Status::Ok();
  }));
  if (!common::ConstantTimeEquals(stored, fingerprint)) {
    return Status::Unavailable(
        "secret_mismatch",
        fmt::format("{} differs from the one the other nodes of this database use: copy {} from an existing node "
                    "(every node must hold the same {})",
                    file, file, name));
  }
  return Status::Ok();
}

Status PutCalendarYear(Database& db, int year, const std::string& document) {
  return db.Write([&](Connection& c) {
    c.Prepare(
         "INSERT INTO calendar_years(year, document) VALUES ($1::integer, $2) ON CONFLICT(year) DO UPDATE SET "
         "document = excluded.document")
        .Bind(1, year)
        .Bind(2, document)
        .Run();
    return Status::Ok();
  });
}

Result<std::vector<std::string>> ListCalendarYears(Database& db) {
  return SelectRows<std::string>(
      db, "SELECT document FROM calendar_years ORDER BY year", [](Statement&) {},
      [](const Statement& s) { return s.Text(0); });
}

}  // namespace govshare::store::pg
