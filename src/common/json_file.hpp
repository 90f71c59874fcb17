#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.hpp"

namespace govshare::common {

/// Reads a JSON data file shipped with or given to govshare (regions, demo data, rule packs). Request bodies use
/// JsonObject (simdjson) instead; nlohmann-json is for configuration and data files only.
Result<nlohmann::json> ReadJsonFile(const std::string& path);

/// Replaces `path` with `content` durably: writes a temporary file, fsyncs it, renames it over `path` and fsyncs the
/// directory, so that after a crash the file holds either the old or the new content, and a success is on disk.
Status WriteFileDurably(const std::string& path, std::string_view content);

}  // namespace govshare::common
