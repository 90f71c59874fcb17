#pragma once

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/json.hpp"
#include "common/status.hpp"
#include "org/org_store.hpp"
#include "store/sort_columns.hpp"
#include "store/sqlite/database.hpp"

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

/// The keyset condition and ORDER BY of a page (org::PageRequest): `column` is the SQL expression of the sort field,
/// `id_column` the row id. The default order is `id_column > ?{id_param}`; any other sort compares the row value
/// (column, id) with (?{value_param}, ?{id_param}), which is NULL on a first page. Bind with BindKeyset.
struct KeysetSql {
  std::string where;
  std::string order_by;
};

inline KeysetSql Keyset(const org::PageRequest& page, std::string_view column, std::string_view id_column,
                        int value_param, int id_param) {
  if (page.DefaultOrder()) return {fmt::format("{} > ?{}", id_column, id_param), std::string(id_column)};
  const char* dir = page.descending ? "DESC" : "ASC";
  return {fmt::format("(?{0} IS NULL OR ({2}, {3}) {4} (?{0}, ?{1}))", value_param, id_param, column, id_column,
                      page.descending ? "<" : ">"),
          fmt::format("{0} {2}, {1} {2}", column, id_column, dir)};
}

using store::BindKeyset;

using store::SortColumn;

}  // namespace govshare::store::sqlite
