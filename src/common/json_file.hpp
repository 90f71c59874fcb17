#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.hpp"

namespace govshare::common {

/// Reads a JSON data file shipped with or given to govshare (regions, demo data, rule packs). Request bodies use
/// JsonObject (simdjson) instead; nlohmann-json is for configuration and data files only.
Result<nlohmann::json> ReadJsonFile(const std::string& path);

}  // namespace govshare::common
