#include "common/json_file.hpp"

#include <fmt/format.h>

#include <fstream>

namespace govshare::common {

Result<nlohmann::json> ReadJsonFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Invalid("missing_file", fmt::format("cannot read {}", path));
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid("invalid_json", fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace govshare::common
