#include "sharing/sharing_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "common/crypto.hpp"
#include "common/json.hpp"

namespace govshare::sharing {

using common::Result;
using common::Status;
using org::Permission;
using org::Principal;
using org::Role;
using workflow::Case;
using workflow::CaseType;
using workflow::DomainChange;
using workflow::OnDeadline;
using workflow::Party;
using workflow::Transition;
using workflow::WaitRule;

namespace {

/// A page of the rows the caller may see: reads the store's list (`list(page)`) in the caller's order, four times as
/// many rows at a time, and keeps those `keep` accepts until the page is full or the list ends, so a filter the store
/// cannot express never shortens a page that has more rows after it.
template <typename Row, typename List, typename Keep>
Result<std::vector<Row>> VisiblePage(const org::PageRequest& page, List list, Keep keep) {
  std::vector<Row> out;
  const int limit = page.limit;
  org::PageRequest cursor = page;
  cursor.limit = limit * 4;
  while (static_cast<int>(out.size()) < limit) {
    auto rows = list(cursor);
    if (!rows.ok()) return rows.status();
    if (rows->empty()) break;
    for (auto& r : rows.value()) {
      cursor.After(r);
      if (!keep(r)) continue;
      out.push_back(std::move(r));
      if (static_cast<int>(out.size()) == limit) break;
    }
  }
  return out;
}

constexpr const char* kRequestRef = "share_request:";
constexpr const char* kOutwardRef = "outward_request:";
constexpr std::size_t kMaxText = 1000;
constexpr int kMaxValidityDays = 1095;
constexpr std::int64_t kMaxVolume = 1000000000;
const std::vector<Role> kAuthority = {Role::kAuthorityReviewer, Role::kAuthorityHead};
const std::vector<Role> kProviderStaff = {Role::kDataSteward, Role::kCatalogManager};

bool Has(const Principal& p, Role r) { return p.kind == Principal::Kind::kUser && p.roles.Has(r); }
bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

std::optional<std::int64_t> RefId(const std::optional<std::string>& reference, std::string_view prefix) {
  if (!reference || reference->rfind(prefix, 0) != 0) return std::nullopt;
  std::int64_t id = 0;
  const char* begin = reference->data() + prefix.size();
  const char* end = reference->data() + reference->size();
  auto [ptr, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return id;
}

CaseType MakeType(std::string id, std::string name, std::string initial, std::vector<std::string> finals,
                  std::vector<Transition> transitions, std::vector<WaitRule> waits) {
  CaseType t;
  t.id = std::move(id);
  t.name = std::move(name);
  t.initial_state = std::move(initial);
  t.final_states = std::move(finals);
  t.transitions = std::move(transitions);
  t.waits = std::move(waits);
  return t;
}

Transition T(const char* action, const char* from, const char* to, std::vector<Role> roles, bool comment = false,
             bool up = false) {
  Transition t{action, from, to, std::move(roles), comment};
  t.moves_up = up;
  return t;
}

bool MethodOffers(const std::vector<std::string>& methods, const std::string& manner) {
  auto has = [&](const char* m) { return std::find(methods.begin(), methods.end(), m) != methods.end(); };
  if (manner == "lookup" || manner == "verify") return has("api");
  if (manner == "bulk") return has("table") || has("file");
  if (manner == "subscribe") return has("api") || has("table");
  return !methods.empty();  // aggregate statistics: any method
}

/// The declared scenario (Art. 14, 15): purpose, legal basis and scope of use, a manner of use, volume and validity.
Status CheckScenario(const Scenario& s) {
  for (const auto& [value, field] :
       {std::pair{&s.purpose, "/scenario/purpose"}, std::pair{&s.legal_basis, "/scenario/legal_basis"},
        std::pair{&s.scope, "/scenario/scope"}}) {
    if (Blank(*value) || common::Utf8Length(*value) > kMaxText) {
      return Status::Unprocessable("scenario_incomplete",
                                   "declare the purpose, legal basis and scope of use (Art. 14, 15)", field);
    }
  }
  if (!IsManner(s.manner)) {
    return Status::Invalid("invalid_manner", "manner is lookup, verify, bulk, subscribe or aggregate",
                           "/scenario/manner");
  }
  if (s.volume_per_day < 1 || s.volume_per_day > kMaxVolume) {
    return Status::Invalid("invalid_volume", "volume_per_day is 1 to 10^9", "/scenario/volume_per_day");
  }
  if (s.validity_days < 1 || s.validity_days > kMaxValidityDays) {
    return Status::Invalid("invalid_validity", "validity_days is 1 to 1095", "/scenario/validity_days");
  }
  return Status::Ok();
}

}  // namespace

SharingService::SharingService(SharingStore& store, catalog::CatalogService& catalog, workflow::CaseService& cases,
                               org::OrgStore& org, const org::RegionTree& regions, const org::Authorizer& authorizer,
                               const common::Clock& clock, SharingOptions options)
    : store_(store),
      catalog_(catalog),
      cases_(cases),
      org_(org),
      regions_(regions),
      authorizer_(authorizer),
      clock_(clock),
      options_(options) {}

Status SharingService::Start() { return RegisterCaseTypes(); }

Status SharingService::RegisterCaseTypes() {
  auto hook = [this](const Case& c, const Transition& t, const Principal&, const std::string& comment,
                     const std::shared_ptr<const void>& payload) { return OnTransition(c, t, comment, payload); };
  auto after = [this](const Case& c) { AfterCommit(c); };
  // Art. 15, 17: routed up to the authority whose region contains both parties (each hop 3 WD), reviewed and forwarded
  // (3 WD), answered by the provider (5 WD), provided by the authority after a yes (3 WD); a refusal needs reasons and
  // may be objected to, and the authority then decides.
  CaseType conditional = MakeType(
      kConditionalCase, "有条件共享申请", "routing", {"granted", "rejected", "closed"},
      {T("route_up", "routing", "routing", kAuthority, false, true), T("forward", "routing", "answering", kAuthority),
       T("reject", "routing", "rejected", kAuthority, true), T("answer_yes", "answering", "providing", kProviderStaff),
       T("answer_terms", "answering", "providing", kProviderStaff),
       T("answer_no", "answering", "refused", kProviderStaff, true), T("provide", "providing", "granted", kAuthority),
       T("object", "refused", "coordination", {Role::kRequester}, true),
       T("accept_refusal", "refused", "closed", {Role::kRequester}),
       T("uphold", "coordination", "closed", kAuthority, true),
       T("order", "coordination", "providing", kAuthority, true)},
      {WaitRule{"routing", Party::kAuthority, "conditional_review", OnDeadline::kEscalate},
       WaitRule{"answering", Party::kProvider, "conditional_answer", OnDeadline::kEscalate},
       WaitRule{"providing", Party::kAuthority, "conditional_provide", OnDeadline::kEscalate},
       WaitRule{"refused", Party::kRequester, "", OnDeadline::kMarkOverdue},
       WaitRule{"coordination", Party::kAuthority, "", OnDeadline::kMarkOverdue}});
  conditional.on_transition = hook;
  conditional.after_commit = after;
  conditional.state_labels = {{"granted", "已授权"}, {"rejected", "已驳回"}, {"closed", "已办结"}};
  GOVSHARE_RETURN_IF_ERROR(cases_.RegisterType(std::move(conditional)));
  // Art. 15: for unconditional data the authority provides within 3 WD (at once by default).
  CaseType unconditional = MakeType(
      kUnconditionalCase, "无条件共享申请", "providing", {"granted", "rejected"},
      {T("provide", "providing", "granted", kAuthority), T("reject", "providing", "rejected", kAuthority, true)},
      {WaitRule{"providing", Party::kAuthority, "unconditional_provide", OnDeadline::kEscalate}});
  unconditional.on_transition = hook;
  unconditional.after_commit = after;
  unconditional.state_labels = {{"granted", "已授权"}, {"rejected", "已驳回"}};
  GOVSHARE_RETURN_IF_ERROR(cases_.RegisterType(std::move(unconditional)));
  // Art. 17: data held by a ministry or another province is requested through the provincial authority, which reviews
  // the request (3 WD), forwards it (recording where and under which number) and records the holder's answer.
  CaseType outward = MakeType(kOutwardCase, "国家或外省数据共享申请", "reviewing", {"answered", "rejected"},
                              {T("forward_out", "reviewing", "forwarded", kAuthority, true),
                               T("reject", "reviewing", "rejected", kAuthority, true),
                               T("record_answer", "forwarded", "answered", kAuthority, true)},
                              {WaitRule{"reviewing", Party::kAuthority, "conditional_review", OnDeadline::kEscalate},
                               WaitRule{"forwarded", Party::kAuthority, "", OnDeadline::kMarkOverdue}});
  outward.on_transition = [this](const Case& c, const Transition& t, const Principal&, const std::string& comment,
                                 const std::shared_ptr<const void>&) { return OnOutwardTransition(c, t, comment); };
  outward.state_labels = {{"forwarded", "已转报"}, {"answered", "已答复"}, {"rejected", "已驳回"}};
  return cases_.RegisterType(std::move(outward));
}

Status SharingService::CheckApplication(const Principal& p, std::int64_t application_id) const {
  auto app = org_.GetApplication(application_id);
  if (!app.ok()) return app.status();
  if (!app.value() || app.value()->department_id != p.department_id || !app.value()->active) {
    return Status::Unprocessable("invalid_application", "name an active application of your department",
                                 "/application_id");
  }
  return Status::Ok();
}

// ---- visibility -----------------------------------------------------------------------------------------------------

bool SharingService::AtAuthorityOver(const Principal& p, std::int64_t department_id) const {
  if (p.kind != Principal::Kind::kUser || !p.at_authority) return false;
  auto d = org_.GetDepartment(department_id);
  return d.ok() && d.value() && regions_.IsWithin(d.value()->region_id, p.region_id);
}

bool SharingService::SeesRequest(const Principal& p, const ShareRequest& r) const {
  if (Has(p, Role::kPlatformAdmin) || Has(p, Role::kAuditor)) return true;
  if (p.kind != Principal::Kind::kUser) return false;
  if (p.department_id == r.requester_department_id || p.department_id == r.provider_department_id) return true;
  return AtAuthorityOver(p, r.requester_department_id) || AtAuthorityOver(p, r.provider_department_id);
}

bool SharingService::SeesGrant(const Principal& p, const Grant& g) const {
  if (Has(p, Role::kPlatformAdmin) || Has(p, Role::kAuditor)) return true;
  if (p.kind == Principal::Kind::kApplication) return p.id == g.application_id;  // its own grants, for the exchange
  if (p.department_id == g.consumer_department_id || p.department_id == g.provider_department_id) return true;
  return AtAuthorityOver(p, g.consumer_department_id) || AtAuthorityOver(p, g.provider_department_id);
}

Principal SharingService::Platform(const std::string& region_id) const {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = 0;  // the platform (history shows actor 0)
  p.name = "platform";
  p.region_id = region_id;
  p.at_authority = true;
  p.roles.Add(Role::kAuthorityReviewer);
  return p;
}

std::vector<std::string> SharingService::RowScope(std::int64_t department_id) const {
  auto d = org_.GetDepartment(department_id);
  if (!d.ok() || !d.value()) return {"-"};  // matches nothing: fail closed
  const auto* region = regions_.Find(d.value()->region_id);
  if (region == nullptr) return {"-"};
  if (region->level == org::RegionLevel::kProvince) return {};  // the whole province
  std::vector<std::string> out;
  auto prefix = [](std::string code) {
    while (code.size() > 2 && code.compare(code.size() - 2, 2, "00") == 0) code.resize(code.size() - 2);
    return code;
  };
  if (region->division_code) {
    out.push_back(prefix(*region->division_code));
  } else {  // 雄安新区: no code of its own; its counties' codes
    for (const auto& r : regions_.all()) {
      if (r.parent_id == region->id && r.division_code) out.push_back(prefix(*r.division_code));
    }
  }
  if (out.empty()) out.push_back("-");
  return out;
}

// ---- requests
// ---------------------------------------------------------------------------------------------------------

Result<ShareRequest> SharingService::Submit(const Principal& p, const NewRequest& n) {
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kShareRequest, {p.region_id, p.department_id}));
  auto view = catalog_.Get(p, n.entry_id);
  if (!view.ok()) return view.status();
  if (!view->published || view->entry.withdrawn) {
    return Status::Unprocessable("entry_not_published", "only a published catalog entry can be requested", "/entry_id");
  }
  const auto& entry = view->entry;
  const auto& content = view->published->content;
  if (content.share_type == "not_shared") {  // Art. 11: refused at submission, citing the legal basis
    return Status::Unprocessable(
        "not_shared", fmt::format("该资源列入负面清单，不予共享。依据：{}", content.legal_basis), "/entry_id");
  }
  if (entry.provider_department_id == p.department_id) {
    return Status::Unprocessable("own_data", "a department does not request its own data", "/entry_id");
  }
  GOVSHARE_RETURN_IF_ERROR(CheckApplication(p, n.application_id));
  if (n.items.empty()) return Status::Unprocessable("items_required", "name the information items needed", "/items");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    const auto& name = n.items[i];
    const bool known = std::any_of(content.items.begin(), content.items.end(),
                                   [&](const catalog::Item& item) { return item.name == name; });
    if (!known || !seen.insert(name).second) {
      return Status::Unprocessable("unknown_item", fmt::format("'{}' is not an item of the entry (or repeated)", name),
                                   fmt::format("/items/{}", i));
    }
  }
  const auto& s = n.scenario;
  GOVSHARE_RETURN_IF_ERROR(CheckScenario(s));
  if (!MethodOffers(content.share_methods, s.manner)) {
    return Status::Unprocessable("manner_not_offered", "the entry's share methods do not offer this manner of use",
                                 "/scenario/manner");
  }
  if (!n.accept_commitments) {  // Art. 14: no wider scope, other purpose or other manner of use
    return Status::Unprocessable("commitments_required", "accept the use commitments of Art. 14",
                                 "/accept_commitments");
  }
  auto requester = org_.GetDepartment(p.department_id);
  auto provider = org_.GetDepartment(entry.provider_department_id);
  if (!requester.ok()) return requester.status();
  if (!provider.ok()) return provider.status();
  if (!requester.value() || !provider.value()) return Status::Internal("a party's department is missing");

  const auto now = clock_.Now();
  ShareRequest r;
  r.requester_department_id = p.department_id;
  r.application_id = n.application_id;
  r.entry_id = entry.id;
  r.entry_version = view->published->number;
  r.provider_department_id = entry.provider_department_id;
  r.share_type = content.share_type;
  r.items = n.items;
  r.scenario = s;
  r.commitments_accepted_at = now;
  r.state = "submitted";
  r.created_by = p.id;
  r.created_at = now;
  r.updated_at = now;
  GOVSHARE_RETURN_IF_ERROR(store_.PutRequest(nullptr, r));

  // Art. 17: a conditional request starts at the authority of the requester's region and is routed up; an
  // unconditional one goes to the authority whose region contains both parties.
  std::string region = requester.value()->region_id;
  if (r.share_type == "unconditional") {
    while (!regions_.IsWithin(provider.value()->region_id, region)) {
      const auto* parent = regions_.Find(region);
      if (parent == nullptr || !parent->parent_id) break;
      region = *parent->parent_id;
    }
  }
  workflow::NewCase open;
  open.type = r.share_type == "unconditional" ? kUnconditionalCase : kConditionalCase;
  open.subject = fmt::format("{}（{}）", content.name, entry.resource_code);
  open.reference = fmt::format("{}{}", kRequestRef, r.id);
  open.requester_department_id = r.requester_department_id;
  open.provider_department_id = r.provider_department_id;
  open.region_id = region;
  open.comment = ScenarioSummary(s);
  open.domain_change = [this, r](store::Transaction& tx, const Case& c) mutable {
    r.case_id = c.id;
    r.state = c.state;
    return store_.PutRequest(&tx, r);
  };
  auto opened = cases_.Open(&p, open);
  if (!opened.ok()) {
    r.state = "rejected";
    r.refusal_reasons = "申请未能提交：" + opened.status().message();
    r.updated_at = clock_.Now();
    (void)store_.PutRequest(nullptr, r);
    return opened.status();
  }
  if (r.share_type == "unconditional" && options_.auto_grant_unconditional) {
    const auto platform = Platform(opened->region_id);
    workflow::TransitionRequest t;
    t.action = "provide";
    t.comment = "无条件共享，平台即时提供";
    t.version = opened->version;
    auto fired = cases_.Fire(platform, opened->id, t);
    if (!fired.ok()) spdlog::warn("auto grant of request {}: {}", r.id, fired.status().ToString());
  }
  auto stored = store_.GetRequest(r.id);
  if (!stored.ok()) return stored.status();
  return *stored.value();
}

Result<ShareRequest> SharingService::Get(const Principal& p, std::int64_t id) {
  auto r = store_.GetRequest(id);
  if (!r.ok()) return r.status();
  if (!r.value() || !SeesRequest(p, *r.value())) return Status::NotFound(fmt::format("request {} does not exist", id));
  return *r.value();
}

Result<std::vector<ShareRequest>> SharingService::List(const Principal& p, const std::string& as,
                                                       const std::optional<std::string>& state,
                                                       const org::PageRequest& page) {
  if (p.kind != Principal::Kind::kUser) return Status::Forbidden("applications have no requests to list");
  RequestFilter f;
  f.state = state;
  if (as == "requester") {
    f.requester_department_id = p.department_id;
  } else if (as == "provider") {
    f.provider_department_id = p.department_id;
  } else if (as != "authority" && as != "all") {
    return Status::Invalid("invalid_parameter", "as is requester, provider, authority or all", "?as");
  }
  return VisiblePage<ShareRequest>(
      page, [&](const org::PageRequest& cursor) { return store_.ListRequests(f, cursor); },
      [&](const ShareRequest& r) {
        const bool mine = p.department_id == r.requester_department_id || p.department_id == r.provider_department_id;
        if (as == "authority" && (mine || !(AtAuthorityOver(p, r.requester_department_id) ||
                                            AtAuthorityOver(p, r.provider_department_id)))) {
          return false;
        }
        return SeesRequest(p, r);
      });
}

Result<ShareRequest> SharingService::Fire(const Principal& p, std::int64_t id, const std::string& action,
                                          const std::string& comment, std::shared_ptr<const void> payload) {
  auto r = Get(p, id);
  if (!r.ok()) return r.status();
  if (!r->case_id) return Status::Conflict("no_case", "the request has no case");
  auto view = cases_.Get(p, *r->case_id);
  if (!view.ok()) return view.status();
  workflow::TransitionRequest t;
  t.action = action;
  t.comment = comment;
  t.version = view->c.version;
  t.payload = std::move(payload);
  auto fired = cases_.Fire(p, *r->case_id, t);
  if (!fired.ok()) return fired.status();
  return Get(p, id);
}

Result<ShareRequest> SharingService::Answer(const Principal& p, std::int64_t id, const std::string& decision,
                                            const std::string& reasons, const std::optional<Terms>& terms) {
  if (decision != "yes" && decision != "terms" && decision != "no") {
    return Status::Invalid("invalid_decision", "decision is yes, terms or no", "/decision");
  }
  if (decision == "terms" && !terms) {
    return Status::Invalid("missing_field", "an answer with narrower terms needs 'terms'", "/terms");
  }
  std::shared_ptr<const void> payload;
  if (decision == "terms") payload = std::make_shared<const Terms>(*terms);
  return Fire(p, id, "answer_" + decision, reasons, payload);
}

Result<ShareRequest> SharingService::Object(const Principal& p, std::int64_t id, const std::string& reason) {
  return Fire(p, id, "object", reason, nullptr);
}

Result<ShareRequest> SharingService::Decide(const Principal& p, std::int64_t id, const std::string& decision,
                                            const std::string& reasons, const std::optional<Terms>& terms) {
  if (decision != "uphold" && decision != "order") {
    return Status::Invalid("invalid_decision", "decision is uphold or order", "/decision");
  }
  std::shared_ptr<const void> payload;
  if (terms) payload = std::make_shared<const Terms>(*terms);
  return Fire(p, id, decision, reasons, payload);
}

// ---- the case hook
// ------------------------------------------------------------------------------------------------------

Result<DomainChange> SharingService::OnTransition(const Case& c, const Transition& t, const std::string& comment,
                                                  const std::shared_ptr<const void>& payload) {
  const auto id = RefId(c.reference, kRequestRef);
  if (!id) return Status::Internal("sharing case without its request");
  auto loaded = store_.GetRequest(*id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Internal("sharing request missing");
  ShareRequest r = *loaded.value();
  auto provider = org_.GetDepartment(r.provider_department_id);
  if (!provider.ok()) return provider.status();
  const std::string provider_region = provider.value() ? provider.value()->region_id : std::string();
  const bool at_common_level = regions_.IsWithin(provider_region, c.region_id);
  if (t.action == "route_up" && at_common_level) {
    return Status::Unprocessable("route_not_needed",
                                 "this authority's region contains both parties: review and forward it (Art. 17)");
  }
  if (t.action == "forward" && !at_common_level) {
    return Status::Unprocessable("route_up_first",
                                 "the provider is outside this authority's region: route the request up (Art. 17)");
  }
  auto validate_terms = [&](const Terms& terms) -> Status {
    if (terms.items.empty())
      return Status::Unprocessable("invalid_terms", "terms grant at least one item", "/terms/items");
    for (const auto& item : terms.items) {
      if (std::find(r.items.begin(), r.items.end(), item) == r.items.end()) {
        return Status::Unprocessable("terms_wider", fmt::format("'{}' was not requested: terms may only narrow", item),
                                     "/terms/items");
      }
    }
    if (terms.validity_days < 1 || terms.validity_days > r.scenario.validity_days) {
      return Status::Unprocessable("terms_wider", "validity may only be shortened", "/terms/validity_days");
    }
    if (terms.volume_per_day < 1 || terms.volume_per_day > r.scenario.volume_per_day) {
      return Status::Unprocessable("terms_wider", "volume may only be lowered", "/terms/volume_per_day");
    }
    for (const auto& [item, mask] : terms.masks) {
      if (std::find(terms.items.begin(), terms.items.end(), item) == terms.items.end()) {
        return Status::Unprocessable("invalid_terms", fmt::format("mask for '{}', which is not granted", item),
                                     "/terms/masks");
      }
      if (mask.empty() || mask.size() > 32) {
        return Status::Unprocessable("invalid_terms", "a mask is a masking rule name", "/terms/masks");
      }
    }
    return Status::Ok();
  };
  const auto* terms = static_cast<const Terms*>(payload.get());
  std::optional<Grant> grant;
  if (t.action == "answer_terms" || (t.action == "order" && terms)) {
    if (!terms) {
      return Status::Unprocessable("terms_required", "answer with terms through POST /api/v1/requests/{id}/answer");
    }
    GOVSHARE_RETURN_IF_ERROR(validate_terms(*terms));
    r.terms = *terms;
    if (t.action == "order") r.decision = comment;
  } else if (t.action == "answer_no") {
    r.refusal_reasons = comment;
  } else if (t.action == "object") {
    r.objection = comment;
  } else if (t.action == "uphold" || t.action == "order") {
    r.decision = comment;
  } else if (t.action == "reject") {
    r.refusal_reasons = comment;
  } else if (t.action == "provide") {
    auto made = MakeGrant(r);
    if (!made.ok()) return made.status();
    grant = made.value();
    r.grant_id = grant->id;
  }
  r.state = t.to;
  r.updated_at = clock_.Now();
  return DomainChange([this, r, grant](store::Transaction& tx) mutable {
    if (grant) GOVSHARE_RETURN_IF_ERROR(store_.InsertGrant(&tx, *grant));
    return store_.PutRequest(&tx, r);
  });
}

void SharingService::AfterCommit(const Case& c) {
  if (c.state != "providing" || !options_.auto_provide || c.type != kConditionalCase) return;
  workflow::TransitionRequest t;
  t.action = "provide";
  t.comment = "提供部门同意，平台即时提供";
  t.version = c.version;
  auto fired = cases_.Fire(Platform(c.region_id), c.id, t);
  if (!fired.ok()) spdlog::warn("auto provide of case {}: {}", c.id, fired.status().ToString());
}

Result<Grant> SharingService::MakeGrant(const ShareRequest& r) {
  auto version = catalog_.index().Get(r.entry_id);
  if (!version || !version->published) return Status::Conflict("entry_not_published", "the entry is not published");
  const Terms terms = r.terms.value_or(Terms{r.items, r.scenario.validity_days, r.scenario.volume_per_day, {}});
  const auto now = clock_.Now();
  Grant g;
  g.id = "gr_" + common::RandomToken(8);
  g.request_id = r.id;
  g.consumer_department_id = r.requester_department_id;
  g.application_id = r.application_id;
  g.provider_department_id = r.provider_department_id;
  g.entry_id = r.entry_id;
  g.entry_version = r.entry_version;
  g.items = terms.items;
  // Each item's mask: the terms', else its data element's default (Art. 26: personal data masked unless allowed).
  for (const auto& item : terms.items) {
    if (auto it = terms.masks.find(item); it != terms.masks.end()) {
      g.masks[item] = it->second;
      continue;
    }
    for (const auto& declared : version->published->content.items) {
      if (declared.name != item || declared.element.empty()) continue;
      if (auto element = catalog_.Element(declared.element); element && !element->default_mask.empty()) {
        g.masks[item] = element->default_mask;
      }
    }
  }
  g.row_scope = RowScope(r.requester_department_id);
  g.manner = r.scenario.manner;
  g.scenario = r.scenario;
  g.valid_from = now;
  g.valid_to = now + static_cast<common::UnixSeconds>(terms.validity_days) * 86400;
  g.quota_per_day = terms.volume_per_day;
  constexpr std::int64_t kMinutesPerDay = 1440;
  constexpr std::int64_t kBurst = 10;  // a minute may carry ten times the day's average
  g.rate_per_minute = std::max<std::int64_t>(60, (terms.volume_per_day + kMinutesPerDay - 1) / kMinutesPerDay * kBurst);
  g.status = "active";
  g.created_at = now;
  return g;
}

// ---- requests for data outside the province (Art. 17)
// ---------------------------------------------------------------------------------------------------

Result<OutwardRequest> SharingService::SubmitOutward(const Principal& p, const NewOutwardRequest& n) {
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kShareRequest, {p.region_id, p.department_id}));
  if (std::find(OutwardLevels().begin(), OutwardLevels().end(), n.level) == OutwardLevels().end()) {
    return Status::Invalid("invalid_level", "level is national or other_province", "/level");
  }
  for (const auto& [value, field] : {std::pair{&n.holder, "/holder"}, std::pair{&n.resource, "/resource"}}) {
    if (Blank(*value) || common::Utf8Length(*value) > 200) {
      return Status::Unprocessable("holder_and_resource_required",
                                   "name who holds the data and the resource as its catalog names it", field);
    }
  }
  GOVSHARE_RETURN_IF_ERROR(CheckApplication(p, n.application_id));
  if (n.items.empty()) return Status::Unprocessable("items_required", "name the information items needed", "/items");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < n.items.size(); ++i) {
    if (Blank(n.items[i]) || !seen.insert(n.items[i]).second) {
      return Status::Unprocessable("unknown_item", "items are named once each", fmt::format("/items/{}", i));
    }
  }
  GOVSHARE_RETURN_IF_ERROR(CheckScenario(n.scenario));
  if (!n.accept_commitments) {
    return Status::Unprocessable("commitments_required", "accept the use commitments of Art. 14",
                                 "/accept_commitments");
  }
  const auto* root = regions_.Find(p.region_id);  // the province: the top of the requester's region tree
  while (root != nullptr && root->parent_id) root = regions_.Find(*root->parent_id);
  if (root == nullptr) return Status::Internal("the requester's region is not in the region tree");
  const auto now = clock_.Now();
  OutwardRequest r;
  r.requester_department_id = p.department_id;
  r.application_id = n.application_id;
  r.level = n.level;
  r.holder = n.holder;
  r.resource = n.resource;
  r.items = n.items;
  r.scenario = n.scenario;
  r.commitments_accepted_at = now;
  r.state = "submitted";
  r.created_by = p.id;
  r.created_at = now;
  r.updated_at = now;
  GOVSHARE_RETURN_IF_ERROR(store_.PutOutward(nullptr, r));
  workflow::NewCase open;
  open.type = kOutwardCase;
  open.subject = fmt::format("{}（{}，{}）", n.resource, n.holder, n.level == "national" ? "国家" : "外省");
  open.reference = fmt::format("{}{}", kOutwardRef, r.id);
  open.requester_department_id = r.requester_department_id;
  open.region_id = root->id;  // marked for the provincial authority
  open.comment = ScenarioSummary(n.scenario);
  open.domain_change = [this, r](store::Transaction& tx, const Case& c) mutable {
    r.case_id = c.id;
    r.state = c.state;
    return store_.PutOutward(&tx, r);
  };
  auto opened = cases_.Open(&p, open);
  if (!opened.ok()) {
    r.state = "rejected";
    r.outcome = "申请未能提交：" + opened.status().message();
    r.updated_at = clock_.Now();
    (void)store_.PutOutward(nullptr, r);
    return opened.status();
  }
  return GetOutward(p, r.id);
}

bool SharingService::SeesOutward(const Principal& p, const OutwardRequest& r) const {
  if (Has(p, Role::kPlatformAdmin) || Has(p, Role::kAuditor)) return true;
  if (p.kind != Principal::Kind::kUser) return false;
  return p.department_id == r.requester_department_id || AtAuthorityOver(p, r.requester_department_id);
}

Result<OutwardRequest> SharingService::GetOutward(const Principal& p, std::int64_t id) {
  auto r = store_.GetOutward(id);
  if (!r.ok()) return r.status();
  if (!r.value() || !SeesOutward(p, *r.value())) {
    return Status::NotFound(fmt::format("outward request {} does not exist", id));
  }
  return *r.value();
}

Result<std::vector<OutwardRequest>> SharingService::ListOutward(const Principal& p, const std::string& as,
                                                                const std::optional<std::string>& state,
                                                                const org::PageRequest& page) {
  if (p.kind != Principal::Kind::kUser) return Status::Forbidden("applications have no requests to list");
  OutwardFilter f;
  f.state = state;
  if (as == "requester") {
    f.requester_department_id = p.department_id;
  } else if (as != "authority" && as != "all") {
    return Status::Invalid("invalid_parameter", "as is requester, authority or all", "?as");
  }
  return VisiblePage<OutwardRequest>(
      page, [&](const org::PageRequest& cursor) { return store_.ListOutward(f, cursor); },
      [&](const OutwardRequest& r) {
        if (as == "authority" && !AtAuthorityOver(p, r.requester_department_id)) return false;
        return SeesOutward(p, r);
      });
}

Result<DomainChange> SharingService::OnOutwardTransition(const Case& c, const Transition& t,
                                                         const std::string& comment) {
  const auto id = RefId(c.reference, kOutwardRef);
  if (!id) return Status::Internal("outward case without its request");
  auto loaded = store_.GetOutward(*id);
  if (!loaded.ok()) return loaded.status();
  if (!loaded.value()) return Status::Internal("outward request missing");
  OutwardRequest r = *loaded.value();
  if (t.action == "forward_out") {
    r.forward_reference = comment;
  } else {
    r.outcome = comment;  // the holder's answer, or the authority's reasons for rejecting
  }
  r.state = t.to;
  r.updated_at = clock_.Now();
  return DomainChange([this, r](store::Transaction& tx) mutable { return store_.PutOutward(&tx, r); });
}

// ---- grants
// -------------------------------------------------------------------------------------------------------------

Result<Grant> SharingService::GetGrant(const Principal& p, const std::string& id) {
  auto g = store_.GetGrant(id);
  if (!g.ok()) return g.status();
  if (!g.value() || !SeesGrant(p, *g.value())) return Status::NotFound(fmt::format("grant {} does not exist", id));
  return *g.value();
}

Result<std::vector<Grant>> SharingService::Grants(const Principal& p, const std::string& as,
                                                  std::optional<std::int64_t> entry_id, const org::PageRequest& page) {
  GrantFilter f;
  f.entry_id = entry_id;
  if (p.kind == Principal::Kind::kApplication) {
    f.application_id = p.id;
  } else if (as == "consumer") {
    f.consumer_department_id = p.department_id;
  } else if (as == "provider") {
    f.provider_department_id = p.department_id;
  } else if (as != "all") {
    return Status::Invalid("invalid_parameter", "as is consumer, provider or all", "?as");
  }
  return VisiblePage<Grant>(
      page, [&](const org::PageRequest& cursor) { return store_.ListGrants(f, cursor); },
      [&](const Grant& g) { return SeesGrant(p, g); });
}

Result<Grant> SharingService::ChangeGrant(const Principal& p, const std::string& id, const std::string& action,
                                          const std::string& reason) {
  auto found = GetGrant(p, id);
  if (!found.ok()) return found.status();
  Grant g = found.value();
  const bool provider_staff =
      p.department_id == g.provider_department_id && (Has(p, Role::kDataSteward) || Has(p, Role::kCatalogManager));
  const bool authority = (Has(p, Role::kAuthorityReviewer) || Has(p, Role::kAuthorityHead)) &&
                         (AtAuthorityOver(p, g.consumer_department_id) || AtAuthorityOver(p, g.provider_department_id));
  if (!provider_staff && !authority) {
    return Status::Forbidden("only the provider department or the authority may change a grant");
  }
  if (Blank(reason) || common::Utf8Length(reason) > kMaxText) {
    return Status::Unprocessable("reason_required", "give the reason", "/reason");
  }
  std::string status;
  if (action == "suspend") {
    if (g.status != "active") return Status::Conflict("grant_not_active", "only an active grant can be suspended");
    status = "suspended";
  } else if (action == "resume") {
    if (g.status != "suspended") return Status::Conflict("grant_not_suspended", "the grant is not suspended");
    status = "active";
  } else if (action == "revoke") {
    if (g.status == "revoked") return Status::Conflict("grant_revoked", "the grant is already revoked");
    status = "revoked";
  } else {
    return Status::Invalid("invalid_action", "action is suspend, resume or revoke");
  }
  GOVSHARE_RETURN_IF_ERROR(store_.SetGrantStatus(id, status, reason, p.id, clock_.Now()));
  Forget(id);
  return GetGrant(p, id);
}

void SharingService::Forget(const std::string& id) {
  if (id.empty()) {
    cache_.ForgetAll();
  } else {
    cache_.Forget(id);
  }
}

std::shared_ptr<const CompiledGrant> SharingService::Compile(const std::string& id) {
  std::shared_ptr<const CompiledGrant> cached;
  if (cache_.Find(id, cached) == GrantCache::Known::kFound) return cached;
  const auto generation = cache_.generation();
  auto g = store_.GetGrant(id);
  if (!g.ok() || !g.value()) return nullptr;
  auto compiled = std::make_shared<const CompiledGrant>(CompiledGrant{*g.value()});
  // A Forget while the grant was read (a change on another node) may mean it is already stale: used once, not kept,
  // so that a revocation is never overwritten by the state read before it.
  cache_.Put(id, compiled, generation);
  return compiled;
}

}  // namespace govshare::sharing
