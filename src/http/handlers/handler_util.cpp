#include "http/handlers/handler_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace govshare::http::handlers {

using common::Status;

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 200;

/// The whole of `text` as a decimal integer, or nullopt.
std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return v;
}

common::Result<std::int64_t> NonNegative(const std::string& text, std::string_view name) {
  const auto v = ParseInteger(text);
  if (!v || *v < 0) {
    return Status::Invalid("invalid_parameter",
                           fmt::format("query parameter '{}' must be a non-negative integer", name),
                           fmt::format("?{}", name));
  }
  return *v;
}

}  // namespace

std::string_view SortName(org::SortField field) {
  using F = org::SortField;
  switch (field) {
    case F::kId:
      return "id";
    case F::kName:
      return "name";
    case F::kUsername:
      return "username";
    case F::kDisplayName:
      return "display_name";
    case F::kRegion:
      return "region_id";
    case F::kKind:
      return "kind";
    case F::kType:
      return "type";
    case F::kSubject:
      return "subject";
    case F::kState:
      return "state";
    case F::kDueAt:
      return "due_at";
    case F::kCreatedAt:
      return "created_at";
    case F::kUpdatedAt:
      return "updated_at";
    case F::kStatus:
      return "status";
    case F::kValidTo:
      return "valid_to";
    case F::kResourceCode:
      return "resource_code";
    case F::kRowCount:
      return "row_count";
    case F::kLastLoadAt:
      return "last_load_at";
  }
  return "id";
}

void AddRoute(Router& router, app::Platform& platform, boost::beast::http::verb method, std::string pattern,
              org::Permission permission, Exec exec, PlatformHandler handler) {
  router.Add({method, std::move(pattern), Access::kAuthenticated, permission, exec,
              [&platform, handler](Context& ctx) { handler(platform, ctx); }});
}

namespace {

/// ParsePage and ParseKeyedPage: `default_sort` ascending without `sort=`; cursors of rows keyed by text when
/// `text_key`.
common::Result<org::PageRequest> ParsePageOf(const Context& ctx, std::initializer_list<org::SortField> sortable,
                                             org::SortField default_sort, bool text_key) {
  org::PageRequest page;
  page.limit = kDefaultLimit;
  page.sort = default_sort;
  if (auto limit = ctx.Query("limit")) {
    auto v = NonNegative(*limit, "limit");
    if (!v.ok()) return v.status();
    if (*v < 1 || *v > kMaxLimit) {
      return Status::Invalid("invalid_parameter", fmt::format("limit must be 1 to {}", kMaxLimit), "?limit");
    }
    page.limit = static_cast<int>(*v);
  }
  if (auto sort = ctx.Query("sort"); sort && sortable.size() > 0) {
    std::string_view name = *sort;
    page.descending = name.starts_with('-');
    if (page.descending) name.remove_prefix(1);
    const auto* field =
        std::find_if(sortable.begin(), sortable.end(), [&](org::SortField f) { return SortName(f) == name; });
    if (field == sortable.end()) {
      std::string names;
      for (const auto f : sortable) names += fmt::format("{}{}", names.empty() ? "" : ", ", SortName(f));
      return Status::Invalid("invalid_sort", fmt::format("this list sorts by {} ('-' before it: descending)", names),
                             "?sort");
    }
    page.sort = *field;
  }
  auto cursor = ctx.Query("cursor");
  if (!cursor) return page;
  if (page.DefaultOrder() && !text_key) {
    if (cursor->find('.') != std::string::npos) {
      return Status::Invalid("invalid_cursor", "the cursor was made under another sort", "?cursor");
    }
    auto v = NonNegative(*cursor, "cursor");
    if (!v.ok()) return v.status();
    page.after_id = *v;
    return page;
  }
  // name.a|d.id.value: the value last, since text may hold dots.
  const auto bad = Status::Invalid("invalid_cursor", "the cursor was not made under this sort", "?cursor");
  const std::string prefix = fmt::format("{}.{}.", SortName(page.sort), page.descending ? 'd' : 'a');
  if (!cursor->starts_with(prefix)) return bad;
  const std::string_view rest = std::string_view(*cursor).substr(prefix.size());
  const auto dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0) return bad;
  if (text_key) {
    page.after_key = std::string(rest.substr(0, dot));
  } else {
    const auto id = ParseInteger(rest.substr(0, dot));
    if (!id || *id < 0) return bad;
    page.after_id = *id;
  }
  const auto value = rest.substr(dot + 1);
  if (org::IsIntegerSort(page.sort)) {
    const auto n = ParseInteger(value);
    if (!n) return bad;
    page.after_value = *n;
  } else {
    page.after_value = std::string(value);
  }
  return page;
}

}  // namespace

common::Result<org::PageRequest> ParsePage(const Context& ctx, std::initializer_list<org::SortField> sortable) {
  return ParsePageOf(ctx, sortable, org::SortField::kId, false);
}

common::Result<org::PageRequest> ParseKeyedPage(const Context& ctx, std::initializer_list<org::SortField> sortable,
                                                org::SortField default_sort) {
  return ParsePageOf(ctx, sortable, default_sort, true);
}

std::string PageCursor(const org::PageRequest& page, std::int64_t id, const org::SortValue& value) {
  if (page.DefaultOrder()) return std::to_string(id);
  return PageCursor(page, std::string_view(std::to_string(id)), value);
}

std::string PageCursor(const org::PageRequest& page, std::string_view key, const org::SortValue& value) {
  const std::string text = std::holds_alternative<std::int64_t>(value) ? std::to_string(std::get<std::int64_t>(value))
                                                                       : std::get<std::string>(value);
  return fmt::format("{}.{}.{}.{}", SortName(page.sort), page.descending ? 'd' : 'a', key, text);
}

common::Result<std::int64_t> IntQuery(const Context& ctx, std::string_view name, std::int64_t min, std::int64_t max,
                                      std::int64_t fallback) {
  auto text = ctx.Query(name);
  if (!text) return fallback;
  auto v = NonNegative(*text, name);
  if (!v.ok()) return v.status();
  if (*v < min || *v > max) {
    return Status::Invalid("invalid_parameter", fmt::format("'{}' must be {} to {}", name, min, max),
                           fmt::format("?{}", name));
  }
  return v;
}

void WriteOptionalTime(common::JsonWriter& w, std::string_view key, const std::optional<common::UnixSeconds>& t) {
  w.Key(key);
  if (t) {
    w.String(common::FormatRfc3339(*t));
  } else {
    w.Null();
  }
}

}  // namespace govshare::http::handlers
