#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "store/blob_store.hpp"
#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// Blobs (case attachments) in the database's table `blobs` (migration 8), so that every node serves every attachment;
/// content-addressed as FileBlobStore: storing the same bytes twice keeps one row, and a read is checked against its
/// name.
class PgBlobStore final : public BlobStore {
 public:
  explicit PgBlobStore(Database& db) : db_(db) {}
  common::Result<std::string> Put(std::string_view bytes) override;
  common::Result<std::string> Get(const std::string& sha256) override;

 private:
  Database& db_;
};

/// Every node of one deployment must hold the same secret `name` (the hash-mask key, the audit signing key): the
/// first node to start records a fingerprint of it (an HMAC under a fixed label, which does not reveal the secret);
/// a node whose secret has another fingerprint is refused with `secret_mismatch`, naming the file to copy from an
/// existing node. `file` is only for the message.
common::Status CheckSharedSecret(Database& db, const std::string& name, std::string_view secret,
                                 const std::string& file);

/// Working-day calendar years installed by an administrator (table calendar_years), shared by every node: the JSON
/// document of each year, by year.
common::Status PutCalendarYear(Database& db, int year, const std::string& document);
common::Result<std::vector<std::string>> ListCalendarYears(Database& db);

}  // namespace govshare::store::pg
