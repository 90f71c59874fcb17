#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/status.hpp"
#include "org/org_store.hpp"

namespace govshare::store {

/// The SQL expression of a sort field from a list's table of (field, expression), or 400 invalid_sort. Shared by the
/// SQLite and PostgreSQL stores, so both accept exactly the same sort fields for a list.
inline common::Result<std::string_view> SortColumn(
    std::initializer_list<std::pair<org::SortField, std::string_view>> columns, org::SortField field) {
  for (const auto& [f, expr] : columns) {
    if (f == field) return expr;
  }
  return common::Status::Invalid("invalid_sort", "this list cannot be sorted by that field", "?sort");
}

/// Binds the parameters of a page's keyset condition (sqlite::Keyset, pg::Keyset) to a statement of either backend:
/// the last row's id at `id_param` (its text key, PageRequest::after_key, when `text_key`) and, under a sort, its sort
/// value at `value_param` (NULL on a first page).
template <typename Statement>
void BindKeyset(Statement& s, const org::PageRequest& page, int value_param, int id_param, bool text_key = false) {
  if (text_key) {
    s.Bind(id_param, page.after_key);
  } else {
    s.Bind(id_param, page.after_id);
  }
  if (page.DefaultOrder()) return;
  if (!page.after_value) {
    s.BindNull(value_param);
  } else if (const auto* n = std::get_if<std::int64_t>(&*page.after_value)) {
    s.Bind(value_param, *n);
  } else {
    s.Bind(value_param, std::get<std::string>(*page.after_value));
  }
}

/// The sort fields of sharing requests and outward requests (the same columns in both tables).
inline common::Result<std::string_view> RequestSortColumn(org::SortField field) {
  return SortColumn({{org::SortField::kId, "id"},
                     {org::SortField::kState, "state"},
                     {org::SortField::kCreatedAt, "created_at"},
                     {org::SortField::kUpdatedAt, "updated_at"}},
                    field);
}

/// The sort fields of grants, which are keyed by text and listed by created_at without a sort: no id order.
inline common::Result<std::string_view> GrantSortColumn(org::SortField field) {
  return SortColumn({{org::SortField::kCreatedAt, "created_at"},
                     {org::SortField::kValidTo, "valid_to"},
                     {org::SortField::kStatus, "status"}},
                    field);
}

}  // namespace govshare::store
