#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

#include "app/platform.hpp"
#include "catalog/transfer.hpp"
#include "common/csv.hpp"
#include "http/handlers/handler_util.hpp"
#include "http/handlers/handlers.hpp"

namespace govshare::http::handlers {

using boost::beast::http::verb;
using common::Result;
using common::Status;
using nlohmann::json;
using org::Permission;
namespace cat = govshare::catalog;

namespace {

constexpr std::size_t kMaxReasonChars = 2000;

json Time(const std::optional<common::UnixSeconds>& t) { return t ? json(common::FormatRfc3339(*t)) : json(nullptr); }

json VersionJson(const cat::Version& v) {
  return {{"number", v.number},
          {"state", std::string(cat::VersionStateName(v.state))},
          {"content", cat::ContentToJson(v.content)},
          {"created_by", v.created_by},
          {"created_at", common::FormatRfc3339(v.created_at)},
          {"updated_at", common::FormatRfc3339(v.updated_at)},
          {"submitted_at", Time(v.submitted_at)},
          {"published_at", Time(v.published_at)},
          {"case_id", v.case_id ? json(*v.case_id) : json(nullptr)},
          {"change_reason", v.change_reason}};
}

json EntryJson(const app::Platform& p, const cat::Entry& e) {
  const auto* region = p.regions().Find(e.region_id);
  return {{"id", e.id},
          {"resource_code", e.resource_code},
          {"provider",
           {{"department_id", e.provider_department_id}, {"name", e.provider_name}, {"credit_code", e.provider_code}}},
          {"region_id", e.region_id},
          {"region_name", region ? region->name : e.region_id},
          {"published_version", e.published_version ? json(*e.published_version) : json(nullptr)},
          {"working_version", e.working_version ? json(*e.working_version) : json(nullptr)},
          {"withdrawn", e.withdrawn},
          {"on_negative_list", e.on_negative_list},
          {"open_case",
           e.open_case_id ? json{{"id", *e.open_case_id}, {"type", e.open_case_type.value_or("")}} : json(nullptr)},
          {"created_at", common::FormatRfc3339(e.created_at)},
          {"updated_at", common::FormatRfc3339(e.updated_at)},
          {"entry_version", e.version}};
}

json CaseJson(const workflow::Case& c) {
  return {{"id", c.id},
          {"type", c.type},
          {"state", c.state},
          {"subject", c.subject},
          {"step", c.step ? json(*c.step) : json(nullptr)},
          {"due_at", Time(c.due_at)},
          {"version", c.version}};
}

/// Writes a status, with the violations as "errors" when the service listed them.
void Fail(Context& ctx, const Status& s, const std::vector<cat::Violation>& violations) {
  if (violations.empty()) return ctx.Problem(s);
  ctx.Problem(s, cat::ViolationsJson(violations));
}

/// Reads {"content": {...}} and the other members named in `allowed`; structural problems → 422 invalid_entry.
Status ReadContent(Context& ctx, json& body, cat::EntryContent& content,
                   std::initializer_list<std::string_view> allowed, std::vector<cat::Violation>& violations) {
  GOVSHARE_RETURN_IF_ERROR(ctx.JsonDocument(body));
  for (const auto& [k, v] : body.items()) {
    if (k != "content" && std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return Status::Invalid("unknown_field", fmt::format("unknown field '{}'", k), "/" + k);
    }
  }
  const auto it = body.find("content");
  if (it == body.end() || !it->is_object()) {
    return Status::Invalid("missing_field", "field 'content' (an object) is required", "/content");
  }
  violations = cat::ParseContent(*it, content);
  for (auto& v : violations) v.field = "/content" + v.field;
  if (!violations.empty()) {
    return Status::Unprocessable("invalid_entry", violations.front().message, violations.front().field);
  }
  return Status::Ok();
}

Result<std::int64_t> IntMember(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || !it->is_number_integer()) {
    return Status::Invalid("missing_field", fmt::format("field '{}' (an integer) is required", name),
                           fmt::format("/{}", name));
  }
  return it->get<std::int64_t>();
}

/// A string member of a JSON object body; `required` rejects absent or blank values.
Result<std::string> TextMember(const common::JsonObject& body, const char* name, bool required,
                               std::size_t max = kMaxReasonChars) {
  std::string out;
  std::optional<std::string> opt;
  Status s = required ? body.RequiredString(name, out, max) : body.OptionalString(name, opt, max);
  if (!s.ok()) return s;
  return required ? out : opt.value_or("");
}

void WriteView(app::Platform& p, Context& ctx, std::int64_t id, unsigned status) {
  auto view = p.catalog().Get(ctx.who(), id);
  if (!view.ok()) return ctx.Problem(view.status());
  json out = EntryJson(p, view->entry);
  out["published"] = view->published ? VersionJson(*view->published) : json(nullptr);
  out["working"] = view->working ? VersionJson(*view->working) : json(nullptr);
  ctx.Json(status, out.dump());
}

// ---- reference data ----

json ElementJson(const cat::DataElement& e) {
  return {{"id", e.id},
          {"name", e.name},
          {"definition", e.definition},
          {"data_type", e.data_type},
          {"representation", e.representation},
          {"value_domain", e.value_domain},
          {"validation", e.validation},
          {"personal", e.personal},
          {"default_level", std::string(cat::LevelName(e.default_level))},
          {"default_mask", e.default_mask},
          {"version", e.version}};
}

void ListElements(app::Platform& p, Context& ctx) {
  json items = json::array();
  for (const auto& e : p.catalog().Elements()) items.push_back(ElementJson(e));
  ctx.Json(200, json{{"items", items}}.dump());
}

void PutElement(app::Platform& p, Context& ctx, std::optional<std::string> id) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  cat::DataElement e;
  std::optional<std::string> definition, representation, value_domain, validation, level, mask;
  std::optional<bool> personal;
  std::optional<std::int64_t> version;
  Status s = body->OnlyFields({"id", "name", "definition", "data_type", "representation", "value_domain", "validation",
                               "personal", "default_level", "default_mask", "version"});
  if (s.ok() && !id) s = body->RequiredString("id", e.id, 16);
  if (s.ok()) s = body->RequiredString("name", e.name, 50);
  if (s.ok()) s = body->OptionalString("definition", definition, 500);
  if (s.ok()) s = body->RequiredString("data_type", e.data_type, 1);
  if (s.ok()) s = body->OptionalString("representation", representation, 16);
  if (s.ok()) s = body->OptionalString("value_domain", value_domain, 500);
  if (s.ok()) s = body->OptionalString("validation", validation, 32);
  if (s.ok()) s = body->OptionalBool("personal", personal);
  if (s.ok()) s = body->OptionalString("default_level", level, 16);
  if (s.ok()) s = body->OptionalString("default_mask", mask, 32);
  if (s.ok()) s = body->OptionalInt("version", version);
  if (!s.ok()) return ctx.Problem(s);
  if (id) {
    e.id = *id;
    if (!version) return ctx.Problem(Status::Invalid("missing_field", "field 'version' is required", "/version"));
  }
  e.definition = definition.value_or("");
  e.representation = representation.value_or("");
  e.value_domain = value_domain.value_or("");
  e.validation = validation.value_or("");
  e.personal = personal.value_or(false);
  e.default_mask = mask.value_or("");
  if (level) {
    auto parsed = cat::ParseLevel(*level);
    if (!parsed) return ctx.Problem(Status::Invalid("invalid_level", "unknown security level", "/default_level"));
    e.default_level = *parsed;
  }
  auto saved = p.catalog().PutElement(ctx.who(), e, id ? version.value_or(0) : 0);
  if (!saved.ok()) return ctx.Problem(saved.status());
  ctx.Json(id ? 200 : 201, ElementJson(saved.value()).dump());
}

void CreateElement(app::Platform& p, Context& ctx) { PutElement(p, ctx, std::nullopt); }
void UpdateElement(app::Platform& p, Context& ctx) { PutElement(p, ctx, std::string(ctx.Param("element_id"))); }

void ListDatabases(app::Platform& p, Context& ctx) {
  json items = json::array();
  for (const auto& d : p.catalog().Databases()) {
    items.push_back({{"code", d.code},
                     {"name", d.name},
                     {"kind", d.kind},
                     {"keeper_department_id", d.keeper_department_id},
                     {"description", d.description}});
  }
  ctx.Json(200, json{{"items", items}}.dump());
}

void PutDatabase(app::Platform& p, Context& ctx) {
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  cat::ThemeDatabase d;
  d.code = std::string(ctx.Param("code"));
  std::optional<std::string> description;
  Status s = body->OnlyFields({"name", "kind", "keeper_department_id", "description"});
  if (s.ok()) s = body->RequiredString("name", d.name, 50);
  if (s.ok()) s = body->RequiredString("kind", d.kind, 16);
  if (s.ok()) s = body->RequiredInt("keeper_department_id", d.keeper_department_id);
  if (s.ok()) s = body->OptionalString("description", description, 500);
  if (!s.ok()) return ctx.Problem(s);
  d.description = description.value_or("");
  if (auto put = p.catalog().PutDatabase(ctx.who(), d); !put.ok()) return ctx.Problem(put);
  ListDatabases(p, ctx);
}

void Vocabulary(app::Platform&, Context& ctx) {
  json out = json::object();
  for (const auto* list : {&cat::ShareTypes(), &cat::ShareMethods(), &cat::OpenAttributes(), &cat::UpdateFrequencies(),
                           &cat::Formats(), &cat::Subjects(), &cat::DataTypes(), &cat::Levels()}) {
    json values = json::array();
    for (const auto& c : list->choices) values.push_back({{"value", c.value}, {"label", c.label}});
    out[std::string(list->field)] = values;
  }
  ctx.Json(200, out.dump());
}

// ---- entries ----

void CreateEntry(app::Platform& p, Context& ctx) {
  json body;
  cat::EntryContent content;
  std::vector<cat::Violation> violations;
  if (auto s = ReadContent(ctx, body, content, {}, violations); !s.ok()) return Fail(ctx, s, violations);
  auto created = p.catalog().Create(ctx.who(), content, &violations);
  if (!created.ok()) return Fail(ctx, created.status(), violations);
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/catalog/entries/{}", created->id));
  WriteView(p, ctx, created->id, 201);
}

void GetEntry(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  WriteView(p, ctx, id.value(), 200);
}

void SaveDraft(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  json body;
  cat::EntryContent content;
  std::vector<cat::Violation> violations;
  if (auto s = ReadContent(ctx, body, content, {"entry_version", "change_reason"}, violations); !s.ok()) {
    return Fail(ctx, s, violations);
  }
  auto version = IntMember(body, "entry_version");
  if (!version.ok()) return ctx.Problem(version.status());
  std::string reason;
  if (const auto it = body.find("change_reason"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || !common::IsCleanText(it->get<std::string>())) {
      return ctx.Problem(Status::Invalid("wrong_type", "change_reason must be text", "/change_reason"));
    }
    reason = it->get<std::string>();
  }
  auto saved = p.catalog().SaveDraft(ctx.who(), id.value(), content, version.value(), reason, &violations);
  if (!saved.ok()) return Fail(ctx, saved.status(), violations);
  WriteView(p, ctx, id.value(), 200);
}

void DiscardDraft(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto version = IntQuery(ctx, "entry_version", 1, INT64_MAX, 0);
  if (!version.ok()) return ctx.Problem(version.status());
  if (version.value() == 0) {
    return ctx.Problem(Status::Invalid("missing_parameter", "give ?entry_version", "?entry_version"));
  }
  if (auto s = p.catalog().DiscardDraft(ctx.who(), id.value(), version.value()); !s.ok()) return ctx.Problem(s);
  ctx.NoContent();
}

void CheckEntry(app::Platform& p, Context& ctx) {
  json body;
  cat::EntryContent content;
  std::vector<cat::Violation> violations;
  if (auto s = ReadContent(ctx, body, content, {"entry_id"}, violations); !s.ok()) {
    if (s.code() != "invalid_entry") return ctx.Problem(s);
    ctx.Json(200, json{{"ok", false}, {"errors", json::parse(cat::ViolationsJson(violations))}}.dump());
    return;
  }
  std::optional<std::int64_t> entry_id;
  if (body.contains("entry_id") && !body["entry_id"].is_null()) {
    auto v = IntMember(body, "entry_id");
    if (!v.ok()) return ctx.Problem(v.status());
    entry_id = v.value();
  }
  auto found = p.catalog().Check(ctx.who(), entry_id, content);
  for (auto& v : found) v.field = "/content" + v.field;
  ctx.Json(200, json{{"ok", found.empty()}, {"errors", json::parse(cat::ViolationsJson(found))}}.dump());
}

void Submit(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::int64_t version = 0;
  Status s = body->OnlyFields({"entry_version"});
  if (s.ok()) s = body->RequiredInt("entry_version", version);
  if (!s.ok()) return ctx.Problem(s);
  std::vector<cat::Violation> violations;
  auto submitted = p.catalog().Submit(ctx.who(), id.value(), version, &violations);
  for (auto& v : violations) v.field = "/content" + v.field;
  if (!submitted.ok()) return Fail(ctx, submitted.status(), violations);
  WriteView(p, ctx, id.value(), 200);
}

void Review(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  std::string decision;
  std::optional<std::string> comment;
  Status s = body->OnlyFields({"decision", "comment"});
  if (s.ok()) s = body->RequiredString("decision", decision, 16);
  if (s.ok()) s = body->OptionalString("comment", comment, kMaxReasonChars);
  if (!s.ok()) return ctx.Problem(s);
  auto reviewed = p.catalog().Review(ctx.who(), id.value(), decision, comment.value_or(""));
  if (!reviewed.ok()) return ctx.Problem(reviewed.status());
  WriteView(p, ctx, id.value(), 200);
}

void RecordChange(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  Status s = body->OnlyFields({"date", "reason", "description"});
  if (!s.ok()) return ctx.Problem(s);
  auto date = TextMember(body.value(), "date", true, 10);
  auto reason = TextMember(body.value(), "reason", true, 16);
  auto description = TextMember(body.value(), "description", true);
  for (const auto* r : {&date, &reason, &description}) {
    if (!r->ok()) return ctx.Problem(r->status());
  }
  auto opened = p.catalog().RecordChange(ctx.who(), id.value(), *date, *reason, *description);
  if (!opened.ok()) return ctx.Problem(opened.status());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/cases/{}", opened->id));
  ctx.Json(201, json{{"case", CaseJson(opened.value())}}.dump());
}

void Withdraw(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  if (auto s = body->OnlyFields({"reason"}); !s.ok()) return ctx.Problem(s);
  auto reason = TextMember(body.value(), "reason", true);
  if (!reason.ok()) return ctx.Problem(reason.status());
  auto opened = p.catalog().Withdraw(ctx.who(), id.value(), *reason);
  if (!opened.ok()) return ctx.Problem(opened.status());
  ctx.headers.emplace_back("Location", fmt::format("/api/v1/cases/{}", opened->id));
  ctx.Json(201, json{{"case", CaseJson(opened.value())}}.dump());
}

void ListVersions(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto versions = p.catalog().Versions(ctx.who(), id.value());
  if (!versions.ok()) return ctx.Problem(versions.status());
  json items = json::array();
  for (const auto& v : versions.value()) items.push_back(VersionJson(v));
  ctx.Json(200, json{{"items", items}}.dump());
}

void GetVersion(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  auto number = ctx.IdParam("number");
  if (!id.ok()) return ctx.Problem(id.status());
  if (!number.ok() || number.value() > INT32_MAX) {
    return ctx.Problem(Status::Invalid("invalid_id", "the version number is a positive integer"));
  }
  auto v = p.catalog().GetVersion(ctx.who(), id.value(), static_cast<int>(number.value()));
  if (!v.ok()) return ctx.Problem(v.status());
  ctx.Json(200, VersionJson(v.value()).dump());
}

void DiffVersions(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto from = IntQuery(ctx, "from", 1, INT32_MAX, 0);
  auto to = IntQuery(ctx, "to", 1, INT32_MAX, 0);
  if (!from.ok()) return ctx.Problem(from.status());
  if (!to.ok()) return ctx.Problem(to.status());
  if (from.value() == 0 || to.value() == 0) {
    return ctx.Problem(Status::Invalid("missing_parameter", "give ?from= and ?to= version numbers"));
  }
  auto changes = p.catalog().Diff(ctx.who(), id.value(), static_cast<int>(*from), static_cast<int>(*to));
  if (!changes.ok()) return ctx.Problem(changes.status());
  json items = json::array();
  for (const auto& c : changes.value()) items.push_back({{"field", c.field}, {"before", c.before}, {"after", c.after}});
  ctx.Json(200, json{{"from", *from}, {"to", *to}, {"changes", items}}.dump());
}

Result<cat::SearchQuery> ParseSearch(const app::Platform& p, const Context& ctx) {
  cat::SearchQuery q;
  q.q = ctx.Query("q").value_or("");
  if (common::Utf8Length(q.q) > 100) return Status::Invalid("invalid_parameter", "q is at most 100 characters", "?q");
  if (auto v = ctx.Query("provider")) {
    std::int64_t id = 0;
    const auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), id);
    if (ec != std::errc() || ptr != v->data() + v->size() || id <= 0) {
      return Status::Invalid("invalid_parameter", "provider is a department id", "?provider");
    }
    q.provider_department_id = id;
  }
  if (auto region = ctx.Query("region")) {
    if (p.regions().Find(*region) == nullptr) {
      return Status::Invalid("invalid_parameter", "region is not a region id", "?region");
    }
    std::unordered_set<std::string> ids;
    for (const auto& r : p.regions().all()) {
      if (p.regions().IsWithin(r.id, *region)) ids.insert(r.id);
    }
    q.region_ids = std::move(ids);
  }
  struct Filter {
    const char* name;
    std::optional<std::string>* target;
    const cat::ValueList* values;
  };
  for (const Filter& f :
       {Filter{"share_type", &q.share_type, &cat::ShareTypes()},
        Filter{"security_level", &q.security_level, &cat::Levels()}, Filter{"format", &q.format, &cat::Formats()},
        Filter{"update_frequency", &q.update_frequency, &cat::UpdateFrequencies()},
        Filter{"subject", &q.subject, &cat::Subjects()}}) {
    if (auto v = ctx.Query(f.name)) {
      if (!f.values->Contains(*v)) {
        return Status::Invalid("invalid_parameter", fmt::format("unknown {}", f.name), fmt::format("?{}", f.name));
      }
      *f.target = *v;
    }
  }
  q.database = ctx.Query("database");
  q.scope = ctx.Query("scope").value_or("published");
  if (q.scope != "published" && q.scope != "working" && q.scope != "all") {
    return Status::Invalid("invalid_parameter", "scope is published, working or all", "?scope");
  }
  q.working_state = ctx.Query("state");
  if (q.working_state && *q.working_state != "draft" && *q.working_state != "in_review" &&
      *q.working_state != "returned") {
    return Status::Invalid("invalid_parameter", "state is draft, in_review or returned", "?state");
  }
  auto withdrawn = ctx.Query("include_withdrawn");
  q.include_withdrawn = withdrawn && *withdrawn == "true";
  if (auto sort = ctx.Query("sort")) {  // relevance by default; the entry's last update on request
    if (*sort != "updated_at" && *sort != "-updated_at") {
      return Status::Invalid("invalid_sort", "the search sorts by relevance (no sort), updated_at or -updated_at",
                             "?sort");
    }
    q.order = cat::SearchQuery::Order::kUpdatedAt;
    q.descending = *sort == "-updated_at";
  }
  auto offset = IntQuery(ctx, "offset", 0, 10000, 0);
  if (!offset.ok()) return offset.status();
  auto limit = IntQuery(ctx, "limit", 1, 100, 20);
  if (!limit.ok()) return limit.status();
  q.offset = static_cast<int>(*offset);
  q.limit = static_cast<int>(*limit);
  return q;
}

void Search(app::Platform& p, Context& ctx) {
  auto q = ParseSearch(p, ctx);
  if (!q.ok()) return ctx.Problem(q.status());
  const auto result = p.catalog().Search(ctx.who(), q.value());
  json items = json::array();
  for (const auto& hit : result.hits) {
    const auto& e = hit.entry->entry;
    const auto& v = hit.published ? *hit.entry->published : *hit.entry->working;
    const auto& c = v.content;
    items.push_back({{"id", e.id},
                     {"resource_code", e.resource_code},
                     {"name", c.name},
                     {"abstract", c.abstract},
                     {"provider", {{"department_id", e.provider_department_id}, {"name", e.provider_name}}},
                     {"region_id", e.region_id},
                     {"version", v.number},
                     {"state", std::string(cat::VersionStateName(v.state))},
                     {"share_type", c.share_type},
                     {"security_level", c.security_level ? json(cat::LevelName(*c.security_level)) : json(nullptr)},
                     {"format", c.format},
                     {"update_frequency", c.update_frequency},
                     {"subject", c.subject},
                     {"databases", c.databases},
                     {"item_count", c.items.size()},
                     {"on_negative_list", e.on_negative_list},
                     {"published_at", Time(v.published_at)},
                     {"updated_at", common::FormatRfc3339(e.updated_at)}});
  }
  json facets = json::object();
  for (const auto& [name, counts] : result.facets) {
    json values = json::array();
    for (const auto& [value, count] : counts) {
      json f = {{"value", value}, {"count", count}};
      if (name == "provider") {
        std::int64_t id = 0;
        std::from_chars(value.data(), value.data() + value.size(), id);
        if (auto it = result.provider_names.find(id); it != result.provider_names.end()) f["label"] = it->second;
      } else if (name == "region") {
        if (const auto* region = p.regions().Find(value)) f["label"] = region->name;
      }
      values.push_back(std::move(f));
    }
    facets[name] = values;
  }
  ctx.Json(
      200,
      json{{"total", result.total}, {"offset", q->offset}, {"limit", q->limit}, {"items", items}, {"facets", facets}}
          .dump());
}

// ---- negative list ----

json NegativeJson(app::Platform& p, const cat::NegativeListItem& n) {
  json out = {{"id", n.id},
              {"entry_id", n.entry_id},
              {"department_id", n.department_id},
              {"kind", n.kind},
              {"status", n.status},
              {"legal_basis", n.legal_basis},
              {"reason", n.reason},
              {"case_id", n.case_id ? json(*n.case_id) : json(nullptr)},
              {"created_at", common::FormatRfc3339(n.created_at)},
              {"decided_at", Time(n.decided_at)}};
  if (auto e = p.catalog().index().Get(n.entry_id)) {
    out["resource_code"] = e->entry.resource_code;
    out["provider_name"] = e->entry.provider_name;
    const auto* v = e->published ? e->published.get() : e->working.get();
    out["name"] = v ? v->content.name : "";
  }
  return out;
}

void ApplyNegativeList(app::Platform& p, Context& ctx) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  if (auto s = body->OnlyFields({"kind", "legal_basis", "reason"}); !s.ok()) return ctx.Problem(s);
  auto kind = TextMember(body.value(), "kind", true, 16);
  auto basis = TextMember(body.value(), "legal_basis", false, 1000);
  auto reason = TextMember(body.value(), "reason", true);
  for (const auto* r : {&kind, &basis, &reason}) {
    if (!r->ok()) return ctx.Problem(r->status());
  }
  auto item = p.catalog().ApplyNegativeList(ctx.who(), id.value(), *kind, *basis, *reason);
  if (!item.ok()) return ctx.Problem(item.status());
  ctx.Json(201, NegativeJson(p, item.value()).dump());
}

void NegativeList(app::Platform& p, Context& ctx, bool listed_only) {
  auto items = p.catalog().NegativeList(ctx.who(), listed_only);
  if (!items.ok()) return ctx.Problem(items.status());
  json out = json::array();
  for (const auto& n : items.value()) out.push_back(NegativeJson(p, n));
  ctx.Json(200, json{{"items", out}}.dump());
}
void PublishedNegativeList(app::Platform& p, Context& ctx) { NegativeList(p, ctx, true); }
void NegativeListApplications(app::Platform& p, Context& ctx) { NegativeList(p, ctx, false); }

// ---- responsibilities and findings ----

void Responsibilities(app::Platform& p, Context& ctx) {
  const auto format = ctx.Query("format").value_or("json");
  if (format != "json" && format != "csv") {
    return ctx.Problem(Status::Invalid("invalid_parameter", "format is json or csv", "?format"));
  }
  const auto lines = p.catalog().Responsibilities();
  if (format == "csv") {
    std::string out = "\xEF\xBB\xBF";
    common::AppendCsvRow(out, {"数据元", "数据元名称", "数据主体", "责任部门", "部门编号", "信息资源代码"});
    for (const auto& l : lines) {
      std::string codes;
      for (const auto& c : l.resource_codes) codes += (codes.empty() ? "" : ";") + c;
      common::AppendCsvRow(out, {l.element, l.element_name, std::string(cat::Subjects().LabelOf(l.subject)),
                                 l.department_name, std::to_string(l.department_id), codes});
    }
    ctx.status = 200;
    ctx.content_type = "text/csv; charset=utf-8";
    ctx.body = std::move(out);
    ctx.headers.emplace_back("Content-Disposition", "attachment; filename=\"responsibilities.csv\"");
    return;
  }
  json items = json::array();
  for (const auto& l : lines) {
    items.push_back({{"element", l.element},
                     {"element_name", l.element_name},
                     {"subject", l.subject},
                     {"department_id", l.department_id},
                     {"department_name", l.department_name},
                     {"resource_codes", l.resource_codes}});
  }
  ctx.Json(200, json{{"items", items}}.dump());
}

json FindingJson(app::Platform& p, const cat::Finding& f) {
  json entries = json::array();
  for (auto id : f.entry_ids) {
    json e = {{"id", id}};
    if (auto ie = p.catalog().index().Get(id)) {
      e["resource_code"] = ie->entry.resource_code;
      e["provider_name"] = ie->entry.provider_name;
      e["department_id"] = ie->entry.provider_department_id;
      if (ie->published) e["name"] = ie->published->content.name;
    }
    entries.push_back(std::move(e));
  }
  json elements = json::array();
  for (const auto& id : f.elements) {
    auto e = p.catalog().Element(id);
    elements.push_back({{"id", id}, {"name", e ? e->name : id}});
  }
  return {{"id", f.id},
          {"subject", f.subject},
          {"elements", elements},
          {"entries", entries},
          {"source_entry_id", f.source_entry_id ? json(*f.source_entry_id) : json(nullptr)},
          {"status", f.status},
          {"resolution", f.resolution},
          {"case_id", f.case_id ? json(*f.case_id) : json(nullptr)},
          {"detected_at", common::FormatRfc3339(f.detected_at)},
          {"decided_at", Time(f.decided_at)}};
}

void ListFindings(app::Platform& p, Context& ctx) {
  auto findings = p.catalog().Findings(ctx.who());
  if (!findings.ok()) return ctx.Problem(findings.status());
  json items = json::array();
  for (const auto& f : findings.value()) items.push_back(FindingJson(p, f));
  ctx.Json(200, json{{"items", items}}.dump());
}

void ScanFindings(app::Platform& p, Context& ctx) {
  auto created = p.catalog().ScanDuplicates();
  if (!created.ok()) return ctx.Problem(created.status());
  ctx.Json(200, json{{"new_findings", created.value()}}.dump());
}

void DecideFinding(app::Platform& p, Context& ctx, bool dismiss) {
  auto id = ctx.IdParam("id");
  if (!id.ok()) return ctx.Problem(id.status());
  auto body = ctx.JsonBody();
  if (!body.ok()) return ctx.Problem(body.status());
  const char* field = dismiss ? "reason" : "note";
  if (auto s = body->OnlyFields({field}); !s.ok()) return ctx.Problem(s);
  auto text = TextMember(body.value(), field, true);
  if (!text.ok()) return ctx.Problem(text.status());
  auto f = dismiss ? p.catalog().DismissFinding(ctx.who(), id.value(), *text)
                   : p.catalog().RectifyFinding(ctx.who(), id.value(), *text);
  if (!f.ok()) return ctx.Problem(f.status());
  ctx.Json(200, FindingJson(p, f.value()).dump());
}
void DismissFinding(app::Platform& p, Context& ctx) { DecideFinding(p, ctx, true); }
void RectifyFinding(app::Platform& p, Context& ctx) { DecideFinding(p, ctx, false); }

// ---- import and export ----

void Import(app::Platform& p, Context& ctx) {
  const auto type = ctx.request[boost::beast::http::field::content_type];
  const bool submit = ctx.Query("submit").value_or("false") == "true";
  cat::ImportFile file;
  if (type.substr(0, 8) == "text/csv") {
    auto read = cat::ReadImportCsv(ctx.request.body());
    if (!read.ok()) return ctx.Problem(read.status());
    file = std::move(read.value());
  } else {
    json body;
    if (auto s = ctx.JsonDocument(body); !s.ok()) return ctx.Problem(s);
    file = cat::ReadImportJson(body);
  }
  auto report = p.catalog().Import(ctx.who(), file.contents, file.rows, file.errors, submit);
  if (!report.ok()) return ctx.Problem(report.status());
  json errors = json::array();
  for (const auto& e : report->errors) {
    errors.push_back({{"row", e.row},
                      {"field", e.violation.field},
                      {"rule", e.violation.rule},
                      {"article", e.violation.article},
                      {"message", e.violation.message}});
  }
  if (!report->errors.empty()) {
    return ctx.Problem(Status::Unprocessable("import_rejected",
                                             fmt::format("nothing was imported: {} problem(s) in the file, first on "
                                                         "row {}",
                                                         report->errors.size(), report->errors.front().row)),
                       errors.dump());
  }
  ctx.Json(
      201,
      json{{"imported", report->entry_ids.size()}, {"entry_ids", report->entry_ids}, {"submitted", submit}}.dump());
}

void Export(app::Platform& p, Context& ctx) {
  const auto format = ctx.Query("format").value_or("json");
  if (format != "json" && format != "csv" && format != "dcat") {
    return ctx.Problem(Status::Invalid("invalid_parameter", "format is json, csv or dcat", "?format"));
  }
  std::vector<std::shared_ptr<const cat::IndexedEntry>> entries;
  std::optional<std::string> region = ctx.Query("region");
  if (region && p.regions().Find(*region) == nullptr) {
    return ctx.Problem(Status::Invalid("invalid_parameter", "region is not a region id", "?region"));
  }
  p.catalog().index().ForEach([&](const cat::IndexedEntry& e) {
    if (!e.published || e.entry.withdrawn) return;
    if (region && !p.regions().IsWithin(e.entry.region_id, *region)) return;
    entries.push_back(p.catalog().index().Get(e.entry.id));
  });
  std::erase(entries, nullptr);
  ctx.status = 200;
  if (format == "csv") {
    ctx.content_type = "text/csv; charset=utf-8";
    ctx.body = cat::ExportCsv(entries);
    ctx.headers.emplace_back("Content-Disposition", "attachment; filename=\"catalog.csv\"");
  } else if (format == "dcat") {
    ctx.content_type = "application/ld+json";
    ctx.body = cat::ExportDcat(entries, p.catalog().Databases(), "urn:govshare").dump();
  } else {
    ctx.Json(200, cat::ExportJson(entries).dump());
  }
}

}  // namespace

void RegisterCatalogRoutes(Router& router, app::Platform& platform) {
  auto add = [&](verb method, std::string pattern, Permission perm, Exec exec, PlatformHandler fn) {
    AddRoute(router, platform, method, std::move(pattern), perm, exec, fn);
  };
  add(verb::get, "/api/v1/catalog/vocabulary", Permission::kCatalogRead, Exec::kInline, Vocabulary);
  add(verb::get, "/api/v1/catalog/elements", Permission::kCatalogRead, Exec::kInline, ListElements);
  add(verb::post, "/api/v1/catalog/elements", Permission::kCatalogManage, Exec::kBlocking, CreateElement);
  add(verb::put, "/api/v1/catalog/elements/{element_id}", Permission::kCatalogManage, Exec::kBlocking, UpdateElement);
  add(verb::get, "/api/v1/catalog/databases", Permission::kCatalogRead, Exec::kInline, ListDatabases);
  add(verb::put, "/api/v1/catalog/databases/{code}", Permission::kCatalogManage, Exec::kBlocking, PutDatabase);
  add(verb::get, "/api/v1/catalog/search", Permission::kCatalogRead, Exec::kInline, Search);
  add(verb::post, "/api/v1/catalog/check", Permission::kCatalogCompile, Exec::kInline, CheckEntry);
  add(verb::post, "/api/v1/catalog/entries", Permission::kCatalogCompile, Exec::kBlocking, CreateEntry);
  add(verb::get, "/api/v1/catalog/entries/{id}", Permission::kCatalogRead, Exec::kInline, GetEntry);
  add(verb::put, "/api/v1/catalog/entries/{id}/draft", Permission::kCatalogCompile, Exec::kBlocking, SaveDraft);
  add(verb::delete_, "/api/v1/catalog/entries/{id}/draft", Permission::kCatalogCompile, Exec::kBlocking, DiscardDraft);
  add(verb::post, "/api/v1/catalog/entries/{id}/submit", Permission::kCatalogCompile, Exec::kBlocking, Submit);
  add(verb::post, "/api/v1/catalog/entries/{id}/review", Permission::kCatalogReview, Exec::kBlocking, Review);
  add(verb::post, "/api/v1/catalog/entries/{id}/changes", Permission::kCatalogCompile, Exec::kBlocking, RecordChange);
  add(verb::post, "/api/v1/catalog/entries/{id}/withdrawal", Permission::kCatalogCompile, Exec::kBlocking, Withdraw);
  add(verb::post, "/api/v1/catalog/entries/{id}/negative-list", Permission::kCatalogCompile, Exec::kBlocking,
      ApplyNegativeList);
  add(verb::get, "/api/v1/catalog/entries/{id}/versions", Permission::kCatalogRead, Exec::kBlocking, ListVersions);
  add(verb::get, "/api/v1/catalog/entries/{id}/versions/{number}", Permission::kCatalogRead, Exec::kBlocking,
      GetVersion);
  add(verb::get, "/api/v1/catalog/entries/{id}/diff", Permission::kCatalogRead, Exec::kBlocking, DiffVersions);
  add(verb::get, "/api/v1/catalog/negative-list", Permission::kCatalogRead, Exec::kBlocking, PublishedNegativeList);
  add(verb::get, "/api/v1/catalog/negative-list/applications", Permission::kCatalogRead, Exec::kBlocking,
      NegativeListApplications);
  add(verb::get, "/api/v1/catalog/responsibilities", Permission::kCatalogRead, Exec::kBlocking, Responsibilities);
  add(verb::get, "/api/v1/catalog/findings", Permission::kCatalogRead, Exec::kBlocking, ListFindings);
  add(verb::post, "/api/v1/catalog/findings/scan", Permission::kCatalogReview, Exec::kBlocking, ScanFindings);
  add(verb::post, "/api/v1/catalog/findings/{id}/dismiss", Permission::kCatalogReview, Exec::kBlocking, DismissFinding);
  add(verb::post, "/api/v1/catalog/findings/{id}/rectify", Permission::kCatalogReview, Exec::kBlocking, RectifyFinding);
  add(verb::post, "/api/v1/catalog/import", Permission::kCatalogCompile, Exec::kBlocking, Import);
  add(verb::get, "/api/v1/catalog/export", Permission::kCatalogRead, Exec::kBlocking, Export);
}

}  // namespace govshare::http::handlers
