#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto.hpp"
#include "common/json_file.hpp"
#include "store/blob_store.hpp"

namespace govshare::store {

common::Result<std::string> FileBlobStore::Put(std::string_view bytes) {
  std::string sha = common::Sha256Hex(bytes);
  const std::string path = fmt::format("{}/{}", dir_, sha);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return sha;  // content-addressed: already stored
  std::filesystem::create_directories(dir_, ec);
  if (ec) return common::Status::Unavailable("storage_error", fmt::format("cannot create {}", dir_));
  GOVSHARE_RETURN_IF_ERROR(common::WriteFileDurably(path, bytes));
  return sha;
}

common::Result<std::string> FileBlobStore::Get(const std::string& sha256) {
  if (sha256.size() != 64 || sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return common::Status::NotFound("no such file");
  }
  std::ifstream in(fmt::format("{}/{}", dir_, sha256), std::ios::binary);
  if (!in) return common::Status::NotFound("no such file");
  std::ostringstream out;
  out << in.rdbuf();
  std::string bytes = out.str();
  if (common::Sha256Hex(bytes) != sha256) {
    return common::Status::Unavailable("storage_corrupt", "a stored file does not match its hash");
  }
  return bytes;
}

}  // namespace govshare::store
