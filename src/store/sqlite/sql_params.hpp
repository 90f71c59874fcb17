#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/json.hpp"

namespace govshare::store::sqlite {

/// A list bound as one parameter: a JSON array for `IN (SELECT value FROM json_each(?))`, or nullopt (SQL NULL)
/// meaning "no restriction". PostgreSQL will bind the same text to `= ANY(?::text[])`-style queries.
inline std::optional<std::string> JsonListParam(const std::optional<std::vector<std::string>>& values) {
  if (!values) return std::nullopt;
  common::JsonWriter w;
  w.StartArray();
  for (const auto& v : *values) w.String(v);
  w.EndArray();
  return w.str();
}

}  // namespace govshare::store::sqlite
