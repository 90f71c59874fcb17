#pragma once

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

/// `limit` (default 50, 1-200) and `cursor` (the last id of the previous page) from the query string.
common::Result<org::PageRequest> ParsePage(const Context& ctx);

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

/// Responds {"items":[...],"next_cursor":...} for a page of items that have ids.
template <typename T, typename WriteItem>
void WritePage(Context& ctx, const std::vector<T>& items, int limit, WriteItem write_item) {
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (const auto& item : items) write_item(w, item);
  w.EndArray();
  WriteNextCursor(w, items, limit);
  w.EndObject();
  ctx.Json(200, w.str());
}

/// An integer query parameter within [min, max]; `fallback` when absent; invalid_parameter otherwise.
common::Result<std::int64_t> IntQuery(const Context& ctx, std::string_view name, std::int64_t min, std::int64_t max,
                                      std::int64_t fallback);

/// Writes `key` with an RFC 3339 time or null.
void WriteOptionalTime(common::JsonWriter& w, std::string_view key, const std::optional<common::UnixSeconds>& t);

}  // namespace govshare::http::handlers
