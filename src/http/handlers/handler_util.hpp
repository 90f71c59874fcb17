#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "http/context.hpp"
#include "http/router.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"

namespace govshare::app {
class Platform;
}

namespace govshare::http::handlers {

/// A handler of the platform's API: a plain function of the platform and the request.
using PlatformHandler = void (*)(app::Platform&, Context&);

/// Adds an authenticated route guarded by `permission` (the usual shape of an API route).
void AddRoute(Router& router, app::Platform& platform, boost::beast::http::verb method, std::string pattern,
              org::Permission permission, Exec exec, PlatformHandler handler);

/// A sort field's name in `sort=` and in cursors: id, name, username, display_name, region_id, kind, type, subject,
/// state, due_at, created_at, updated_at, status, valid_to, resource_code, row_count, last_load_at.
std::string_view SortName(org::SortField field);

/// `limit` (default 50, 1-200), `sort` and `cursor` from the query string. `sort` is one of `sortable` (the route's
/// whitelist; empty: the list does not sort) by SortName,
/// ascending, or `-name` descending (400 invalid_sort for any other; absent or `id`: the default id order). `cursor`
/// is the previous page's next_cursor: in the default order the last id; under a sort `name.a|d.id.value`, which must
/// have been made under the same sort (else 400 invalid_cursor).
common::Result<org::PageRequest> ParsePage(const Context& ctx, std::initializer_list<org::SortField> sortable = {});

/// ParsePage for a list keyed by text (grants), in `default_sort` ascending without `sort=`: its cursors are always
/// `name.a|d.key.value` (the key in PageRequest::after_key; keys hold no dot).
common::Result<org::PageRequest> ParseKeyedPage(const Context& ctx, std::initializer_list<org::SortField> sortable,
                                                org::SortField default_sort);

/// The cursor of the page after the row (`id`, sort value `value`) under `page`'s sort (see ParsePage).
std::string PageCursor(const org::PageRequest& page, std::int64_t id, const org::SortValue& value);
/// The cursor of the page after the row keyed `key` (see ParseKeyedPage).
std::string PageCursor(const org::PageRequest& page, std::string_view key, const org::SortValue& value);

/// Writes `"next_cursor"` (key and value): the last item's id when the page is full, else null.
template <typename T>
void WriteNextCursor(common::JsonWriter& w, const std::vector<T>& items, int limit) {
  w.Key("next_cursor");
  if (static_cast<int>(items.size()) == limit && !items.empty()) {
    w.String(std::to_string(items.back().id));
  } else {
    w.Null();
  }
}

/// The next page's cursor when this page of a sortable list is full (its last item's id and sort value, found by
/// SortValueOf), else nullopt.
template <typename T>
std::optional<std::string> NextCursor(const std::vector<T>& items, const org::PageRequest& page) {
  if (static_cast<int>(items.size()) != page.limit || items.empty()) return std::nullopt;
  return PageCursor(page, items.back().id, SortValueOf(items.back(), page.sort));
}

/// Writes `"next_cursor"` of a page of a sortable list (see NextCursor).
template <typename T>
void WriteNextCursor(common::JsonWriter& w, const std::vector<T>& items, const org::PageRequest& page) {
  w.Key("next_cursor");
  if (auto cursor = NextCursor(items, page)) {
    w.String(*cursor);
  } else {
    w.Null();
  }
}

/// Responds {"items":[...],"next_cursor":...} for a page of a sortable list.
template <typename T, typename WriteItem>
void WritePage(Context& ctx, const std::vector<T>& items, const org::PageRequest& page, WriteItem write_item) {
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& item : items) write_item(w, item);
  w.EndArray();
  WriteNextCursor(w, items, page);
  w.EndObject();
  ctx.Json(200, w.str());
}

/// An integer query parameter within [min, max]; `fallback` when absent; invalid_parameter otherwise.
common::Result<std::int64_t> IntQuery(const Context& ctx, std::string_view name, std::int64_t min, std::int64_t max,
                                      std::int64_t fallback);

/// Writes `key` with an RFC 3339 time or null.
void WriteOptionalTime(common::JsonWriter& w, std::string_view key, const std::optional<common::UnixSeconds>& t);

}  // namespace govshare::http::handlers
