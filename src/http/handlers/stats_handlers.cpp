// The supervision dashboard (驾驶舱, Art. 28: authorities supervise sharing and its deadlines): platform-wide counts
// for every user — the published catalog by share type and provider, the deadline compliance of sharing requests,
// data calls per day and late cases per department. Counts only: no record, no personal data, so no reach check.
#include <algorithm>
#include <chrono>

#include "app/platform.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"
#include "sharing/sharing_service.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using org::Permission;

namespace {

constexpr std::int64_t kDefaultDays = 14;
constexpr std::int64_t kMaxDays = 90;

/// The published catalog's facets: entries by share type and by provider department (most first).
void WriteCatalog(app::Platform& p, common::JsonWriter& w) {
  catalog::SearchQuery q;
  q.scope = "published";
  q.limit = 0;
  const auto result = p.catalog().index().Search(q, [](const catalog::Entry&) { return false; });
  w.Key("catalog").StartObject().Field("published", static_cast<std::int64_t>(result.total));
  w.Key("by_share_type").StartArray();
  if (const auto it = result.facets.find("share_type"); it != result.facets.end()) {
    for (const auto& [type, count] : it->second) {
      w.StartObject().Field("share_type", type).Field("count", static_cast<std::int64_t>(count)).EndObject();
    }
  }
  w.EndArray();
  std::vector<std::pair<std::int64_t, int>> providers;
  if (const auto it = result.facets.find("provider"); it != result.facets.end()) {
    for (const auto& [id, count] : it->second) providers.emplace_back(std::stoll(id), count);
  }
  std::stable_sort(providers.begin(), providers.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  w.Key("by_department").StartArray();
  for (const auto& [id, count] : providers) {
    const auto name = result.provider_names.find(id);
    w.StartObject()
        .Field("department_id", id)
        .Field("department_name", name == result.provider_names.end() ? std::string() : name->second)
        .Field("count", static_cast<std::int64_t>(count))
        .EndObject();
  }
  w.EndArray().EndObject();
}

void Dashboard(app::Platform& p, Context& ctx) {
  auto days = IntQuery(ctx, "days", 1, kMaxDays, kDefaultDays);
  if (!days.ok()) return ctx.Problem(days.status());
  // Sharing requests with statutory deadlines (Art. 15-17): conditional requests and requests for outside data.
  auto compliance = p.cases().Compliance({sharing::kConditionalCase, sharing::kOutwardCase});
  if (!compliance.ok()) return ctx.Problem(compliance.status());
  auto late = p.cases().OverdueByDepartment();
  if (!late.ok()) return ctx.Problem(late.status());
  // Audit records carry the system clock's time (Platform::AuditHttp), so the days are counted on that clock too.
  const auto now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto calls = p.audit().CountDataCallsPerDay(now_us, static_cast<int>(days.value()));
  if (!calls.ok()) return ctx.Problem(calls.status());

  common::JsonWriter w;
  w.StartObject().Field("generated_at", common::FormatRfc3339(p.clock().Now()));
  WriteCatalog(p, w);
  w.Key("requests")
      .StartObject()
      .Field("on_time", compliance->on_time)
      .Field("overdue", compliance->overdue)
      .Field("escalated", compliance->escalated)
      .EndObject();
  w.Key("data_calls").StartArray();
  for (const auto& d : calls.value()) {
    w.StartObject().Field("date", d.date).Field("allowed", d.allowed).Field("denied", d.denied).EndObject();
  }
  w.EndArray().Key("overdue_by_department").StartArray();
  for (const auto& d : late.value()) {
    w.StartObject()
        .Field("department_id", d.department_id)
        .Field("department_name", d.department_name)
        .Field("cases", d.cases)
        .EndObject();
  }
  w.EndArray().EndObject();
  ctx.Json(200, w.str());
}

}  // namespace

void RegisterStatsRoutes(Router& router, app::Platform& platform) {
  // Blocking: the aggregates scan the cases and the last days of the audit log.
  AddRoute(router, platform, verb::get, "/api/v1/stats/dashboard", Permission::kStatsRead, Exec::kBlocking, Dashboard);
}

}  // namespace govshare::http::handlers
