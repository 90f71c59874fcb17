#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

#include "app/platform.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Result;
using common::Status;
using org::Permission;

namespace {

constexpr int kMaxDays = 366;

Result<std::int64_t> DateParam(const Context& ctx, std::string_view name) {
  auto text = ctx.Query(name);
  if (!text) {
    return Status::Invalid("missing_parameter", fmt::format("query parameter '{}' is required", name),
                           fmt::format("?{}", name));
  }
  auto day = common::ParseDate(*text);
  if (!day) {
    return Status::Invalid("invalid_date", fmt::format("'{}' must be a date YYYY-MM-DD", name),
                           fmt::format("?{}", name));
  }
  return *day;
}

void AddWorkingDays(app::Platform& p, Context& ctx) {
  auto from = DateParam(ctx, "from");
  if (!from.ok()) return ctx.Problem(from.status());
  const auto days_text = ctx.Query("days").value_or("");
  int days = 0;
  const auto [ptr, ec] = std::from_chars(days_text.data(), days_text.data() + days_text.size(), days);
  if (ec != std::errc() || ptr != days_text.data() + days_text.size() || days < 1 || days > kMaxDays) {
    return ctx.Problem(
        Status::Invalid("invalid_parameter", fmt::format("days must be an integer 1 to {}", kMaxDays), "?days"));
  }
  auto due = p.calendar().AddWorkingDays(from.value(), days);
  if (!due.ok()) return ctx.Problem(due.status());
  common::JsonWriter w;
  w.StartObject()
      .Field("from", calendar::FormatDay(from.value()))
      .Field("days", days)
      .Field("date", calendar::FormatDay(due.value()))
      .Field("due_at", common::FormatRfc3339(calendar::EndOfShanghaiDay(due.value())))
      .EndObject();
  ctx.Json(200, w.str());
}

void WorkingDays(app::Platform& p, Context& ctx) {
  auto from = DateParam(ctx, "from");
  auto to = DateParam(ctx, "to");
  if (!from.ok()) return ctx.Problem(from.status());
  if (!to.ok()) return ctx.Problem(to.status());
  auto count = p.calendar().WorkingDaysBetween(from.value(), to.value());
  if (!count.ok()) return ctx.Problem(count.status());
  common::JsonWriter w;
  w.StartObject()
      .Field("from", calendar::FormatDay(from.value()))
      .Field("to", calendar::FormatDay(to.value()))
      .Field("working_days", count.value())
      .EndObject();
  ctx.Json(200, w.str());
}

Result<int> YearParam(const Context& ctx) {
  const auto text = ctx.Param("year");
  int year = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (ec != std::errc() || ptr != text.data() + text.size() || year < 1990 || year > 2100) {
    return Status::NotFound(fmt::format("'{}' is not a year", text));
  }
  return year;
}

void WriteDays(common::JsonWriter& w, std::string_view key, const std::vector<std::int64_t>& days) {
  w.Key(key).StartArray();
  for (auto d : days) w.String(calendar::FormatDay(d));
  w.EndArray();
}

void ListYears(app::Platform& p, Context& ctx) {
  common::JsonWriter w;
  w.StartObject().Key("items").StartArray();
  for (int y : p.calendar().Years()) w.Int(y);
  w.EndArray().EndObject();
  ctx.Json(200, w.str());
}

void GetYear(app::Platform& p, Context& ctx) {
  auto year = YearParam(ctx);
  if (!year.ok()) return ctx.Problem(year.status());
  auto summary = p.calendar().Summary(year.value());
  if (!summary.ok()) return ctx.Problem(summary.status());
  common::JsonWriter w;
  w.StartObject().Field("year", summary->year).Field("working_days", summary->working_days);
  WriteDays(w, "holidays", summary->holidays);
  WriteDays(w, "makeup_workdays", summary->makeup_workdays);
  w.EndObject();
  ctx.Json(200, w.str());
}

void PutYear(app::Platform& p, Context& ctx) {
  auto year = YearParam(ctx);
  if (!year.ok()) return ctx.Problem(year.status());
  auto checked = ctx.JsonBody();  // strict UTF-8 and JSON, one object, before the data-file parser sees it
  if (!checked.ok()) return ctx.Problem(checked.status());
  nlohmann::json body = nlohmann::json::parse(ctx.request.body(), nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("year") || body["year"] != year.value()) {
    return ctx.Problem(Status::Unprocessable("year_mismatch", "the body's year must be the year in the path", "/year"));
  }
  if (auto s = p.InstallCalendarYear(body); !s.ok()) return ctx.Problem(s);
  GetYear(p, ctx);
}

void Rules(app::Platform& p, Context& ctx) {
  const auto& pack = p.rules();
  common::JsonWriter w;
  w.StartObject().Field("pack", pack.id()).Field("title", pack.title()).Field("note", pack.note());
  w.Key("steps").StartArray();
  for (const auto& s : pack.steps()) {
    w.StartObject()
        .Field("id", s.id)
        .Field("name", s.name)
        .Field("working_days", s.working_days)
        .Field("extension_working_days", s.extension_working_days)
        .Field("max_extensions", s.max_extensions)
        .Field("article", s.article)
        .EndObject();
  }
  w.EndArray().EndObject();
  ctx.Json(200, w.str());
}

}  // namespace

void RegisterCalendarRoutes(Router& router, app::Platform& platform) {
  auto& p = platform;
  auto add = [&](verb method, std::string pattern, Permission perm, Exec exec, void (*fn)(app::Platform&, Context&)) {
    router.Add(
        {method, std::move(pattern), Access::kAuthenticated, perm, exec, [&p, fn](Context& ctx) { fn(p, ctx); }});
  };
  add(verb::get, "/api/v1/calendar/add-working-days", Permission::kCalendarRead, Exec::kInline, AddWorkingDays);
  add(verb::get, "/api/v1/calendar/working-days", Permission::kCalendarRead, Exec::kInline, WorkingDays);
  add(verb::get, "/api/v1/calendar/years", Permission::kCalendarRead, Exec::kInline, ListYears);
  add(verb::get, "/api/v1/calendar/years/{year}", Permission::kCalendarRead, Exec::kInline, GetYear);
  add(verb::put, "/api/v1/calendar/years/{year}", Permission::kCalendarManage, Exec::kBlocking, PutYear);
  add(verb::get, "/api/v1/rules", Permission::kCalendarRead, Exec::kInline, Rules);
}

}  // namespace govshare::http::handlers
