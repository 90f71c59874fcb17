#include "http/handlers/handler_util.hpp"

#include <fmt/format.h>

#include <charconv>

namespace govshare::http::handlers {

using common::Status;

namespace {

constexpr int kDefaultLimit = 50;
constexpr int kMaxLimit = 200;

common::Result<std::int64_t> NonNegative(const std::string& text, std::string_view name) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v < 0) {
    return Status::Invalid("invalid_parameter",
                           fmt::format("query parameter '{}' must be a non-negative integer", name),
                           fmt::format("?{}", name));
  }
  return v;
}

}  // namespace

void AddRoute(Router& router, app::Platform& platform, boost::beast::http::verb method, std::string pattern,
              org::Permission permission, Exec exec, PlatformHandler handler) {
  router.Add({method, std::move(pattern), Access::kAuthenticated, permission, exec,
              [&platform, handler](Context& ctx) { handler(platform, ctx); }});
}

common::Result<org::PageRequest> ParsePage(const Context& ctx) {
  org::PageRequest page;
  page.limit = kDefaultLimit;
  if (auto limit = ctx.Query("limit")) {
    auto v = NonNegative(*limit, "limit");
    if (!v.ok()) return v.status();
    if (*v < 1 || *v > kMaxLimit) {
      return Status::Invalid("invalid_parameter", fmt::format("limit must be 1 to {}", kMaxLimit), "?limit");
    }
    page.limit = static_cast<int>(*v);
  }
  if (auto cursor = ctx.Query("cursor")) {
    auto v = NonNegative(*cursor, "cursor");
    if (!v.ok()) return v.status();
    page.after_id = *v;
  }
  return page;
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
