#pragma once

#include <string>
#include <string_view>

#include "common/status.hpp"

namespace govshare::store {

/// Content-addressed storage of files (case attachments): a blob is named by the SHA-256 of its bytes, so storing the
/// same file twice keeps one copy and a stored file can be verified against its name. Thread-safe.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  /// Stores `bytes` durably and returns their lower-case hex SHA-256.
  virtual common::Result<std::string> Put(std::string_view bytes) = 0;
  virtual common::Result<std::string> Get(const std::string& sha256) = 0;
};

/// Blobs as files DIR/<sha256>, written with fsync and an atomic rename.
class FileBlobStore final : public BlobStore {
 public:
  explicit FileBlobStore(std::string dir) : dir_(std::move(dir)) {}
  common::Result<std::string> Put(std::string_view bytes) override;
  common::Result<std::string> Get(const std::string& sha256) override;

 private:
  std::string dir_;
};

}  // namespace govshare::store
