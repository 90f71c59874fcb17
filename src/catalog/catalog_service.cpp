#include "catalog/catalog_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

#include "catalog/element_rules.hpp"
#include "common/json.hpp"

namespace govshare::catalog {

using common::Result;
using common::Status;
using org::Permission;
using org::Principal;
using org::Role;
using workflow::Case;
using workflow::CaseType;
using workflow::DomainChange;
using workflow::Party;
using workflow::Transition;

namespace {

constexpr const char* kEntryRef = "catalog_entry:";
constexpr const char* kNegativeRef = "negative_list:";
constexpr const char* kFindingRef = "finding:";
constexpr std::size_t kMaxReason = 2000;

std::optional<std::int64_t> RefId(const std::optional<std::string>& reference, std::string_view prefix) {
  if (!reference || reference->rfind(prefix, 0) != 0) return std::nullopt;
  std::int64_t id = 0;
  const char* begin = reference->data() + prefix.size();
  const char* end = reference->data() + reference->size();
  auto [ptr, ec] = std::from_chars(begin, end, id);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return id;
}

bool Has(const Principal& p, Role r) { return p.kind == Principal::Kind::kUser && p.roles.Has(r); }

bool Blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

Status NotFound(std::int64_t id) { return Status::NotFound(fmt::format("catalog entry {} does not exist", id)); }

Status RulesBroken(const std::vector<Violation>& v) {
  return Status::Unprocessable(
      "compilation_rules",
      fmt::format("the entry breaks {} compilation rule(s); first: {}", v.size(), v.front().message), v.front().field);
}

const std::vector<std::string_view>& MaskRules() {
  static const std::vector<std::string_view> rules = {"name",    "resident_id", "mobile",    "landline",
                                                      "address", "email",       "bank_card", "date",
                                                      "hash",    "null",        "generalise"};
  return rules;
}

std::vector<Transition> ReviewTransitions(const std::string& from, const std::string& approved,
                                          const std::string& returned) {
  return {{"approve", from, approved, {Role::kAuthorityReviewer, Role::kAuthorityHead}, false},
          {"return", from, returned, {Role::kAuthorityReviewer, Role::kAuthorityHead}, true}};
}

const std::map<std::string, std::string> kStateLabels = {  // NOLINT(cert-err58-cpp)
    {"published", "已发布"}, {"returned", "已退回"}, {"withdrawn", "已撤销"}, {"rejected", "未批准"},
    {"approved", "已批准"},  {"resolved", "已整改"}, {"updating", "待更新"},  {"review", "待审核"}};

CaseType MakeType(std::string id, std::string name, std::string initial, std::vector<std::string> finals,
                  std::vector<Transition> transitions, std::vector<workflow::WaitRule> waits) {
  CaseType t;
  t.id = std::move(id);
  t.name = std::move(name);
  t.initial_state = std::move(initial);
  t.final_states = std::move(finals);
  t.transitions = std::move(transitions);
  t.waits = std::move(waits);
  return t;
}

}  // namespace

CatalogService::CatalogService(CatalogStore& store, workflow::CaseService& cases, org::OrgStore& org,
                               const org::RegionTree& regions, const org::Authorizer& authorizer,
                               const common::Clock& clock)
    : store_(store), cases_(cases), org_(org), regions_(regions), authorizer_(authorizer), clock_(clock) {}

Status CatalogService::Start() {
  GOVSHARE_RETURN_IF_ERROR(RegisterCaseTypes());
  return Reload();
}

Status CatalogService::RegisterCaseTypes() {
  auto review_hook = [this](const Case& c, const Transition& t, const Principal&, const std::string&,
                            const std::shared_ptr<const void>&) { return OnReviewTransition(c, t); };
  auto after = [this](const Case& c) { AfterCommit(c); };
  using workflow::OnDeadline;
  using workflow::WaitRule;

  // Art. 8, 9: the authority reviews a submitted entry within 10 working days; a return needs reasons.
  CaseType review = MakeType(kReviewCase, "目录审核", "review", {"published", "returned"},
                             ReviewTransitions("review", "published", "returned"),
                             {WaitRule{"review", Party::kAuthority, "catalog_review", OnDeadline::kEscalate}});
  review.on_transition = review_hook;
  review.after_commit = after;
  review.state_labels = kStateLabels;
  GOVSHARE_RETURN_IF_ERROR(cases_.RegisterType(std::move(review)));

  // Art. 9: after a change in law or duties the department updates within 10 working days (one extension of 10 with
  // the authority's consent); the authority reviews the update within 10 working days.
  CaseType update =
      MakeType(kUpdateCase, "目录更新", "updating", {"published"}, ReviewTransitions("review", "published", "updating"),
               {WaitRule{"updating", Party::kProvider, "catalog_update", OnDeadline::kEscalate},
                WaitRule{"review", Party::kAuthority, "catalog_review", OnDeadline::kEscalate}});
  update.transitions.push_back({"submit", "updating", "review", {Role::kCatalogManager}, false});
  update.extendable_step = "catalog_update";
  update.on_transition = review_hook;
  update.after_commit = after;
  update.state_labels = kStateLabels;
  GOVSHARE_RETURN_IF_ERROR(cases_.RegisterType(std::move(update)));

  CaseType withdrawal = MakeType(kWithdrawalCase, "目录撤销", "review", {"withdrawn", "rejected"},
                                 ReviewTransitions("review", "withdrawn", "rejected"),
                                 {WaitRule{"review", Party::kAuthority, "catalog_review", OnDeadline::kMarkOverdue}});
  withdrawal.on_transition = [this](const Case& c, const Transition& t, const Principal&, const std::string&,
                                    const std::shared_ptr<const void>&) { return OnWithdrawalTransition(c, t); };
  withdrawal.after_commit = after;
  withdrawal.state_labels = kStateLabels;
  GOVSHARE_RETURN_IF_ERROR(cases_.RegisterType(std::move(withdrawal)));

  // Art. 11: the department applies, the authority reviews, the government of that level approves.
  CaseType negative =
      MakeType(kNegativeListCase, "负面清单", "review", {"approved", "rejected"},
               {{"forward", "review", "approval", {Role::kAuthorityReviewer, Role::kAuthorityHead}, false},
                {"reject", "review", "rejected", {Role::kAuthorityReviewer, Role::kAuthorityHead}, true},
                {"approve", "approval", "approved", {Role::kGovernmentApprover}, false},
                {"reject", "approval", "rejected", {Role::kGovernmentApprover}, true}},
               {WaitRule{"review", Party::kAuthority, "", OnDeadline::kMarkOverdue},
                WaitRule{"approval", Party::kAuthority, "", OnDeadline::kMarkOverdue}});
  negative.on_transition = [this](const Case& c, const Transition& t, const Principal&, const std::string&,
                                  const std::shared_ptr<const void>&) { return OnNegativeListTransition(c, t); };
  negative.after_commit = after;
  negative.state_labels = kStateLabels;
  GOVSHARE_RETURN_IF_ERROR(cases_.RegisterType(std::move(negative)));

  // Art. 10, 28, 30: the authority orders a department to stop collecting what it can obtain by sharing.
  CaseType rectification =
      MakeType(kRectificationCase, "重复采集整改", "rectifying", {"resolved"},
               {{"report", "rectifying", "verifying", {Role::kCatalogManager, Role::kDataSteward}, true},
                {"accept", "verifying", "resolved", {Role::kAuthorityReviewer, Role::kAuthorityHead}, false},
                {"reopen", "verifying", "rectifying", {Role::kAuthorityReviewer, Role::kAuthorityHead}, true}},
               {WaitRule{"rectifying", Party::kProvider, "", OnDeadline::kMarkOverdue},
                WaitRule{"verifying", Party::kAuthority, "", OnDeadline::kMarkOverdue}});
  rectification.state_labels = kStateLabels;
  rectification.on_transition = [this](const Case& c, const Transition& t, const Principal&, const std::string& comment,
                                       const std::shared_ptr<const void>&) {
    return OnRectificationTransition(c, t, comment);
  };
  return cases_.RegisterType(std::move(rectification));
}

Status CatalogService::Reload() {
  auto elements = store_.ListElements();
  if (!elements.ok()) return elements.status();
  auto databases = store_.ListDatabases();
  if (!databases.ok()) return databases.status();
  {
    std::unique_lock lock(reference_mutex_);
    elements_.clear();
    for (auto& e : elements.value()) elements_.emplace(e.id, std::move(e));
    databases_.clear();
    for (auto& d : databases.value()) databases_.emplace(d.code, std::move(d));
  }
  return store_.ForEachEntry([this](const Entry& e, const std::optional<Version>& published,
                                    const std::optional<Version>& working) { index_.Put(e, published, working); });
}

Status CatalogService::Refresh(std::int64_t entry_id) {
  auto e = store_.GetEntry(entry_id);
  if (!e.ok()) return e.status();
  if (!e.value()) return NotFound(entry_id);
  std::optional<Version> published;
  std::optional<Version> working;
  if (e.value()->published_version) {
    auto v = store_.GetVersion(entry_id, *e.value()->published_version);
    if (!v.ok()) return v.status();
    published = std::move(v.value());
  }
  if (e.value()->working_version) {
    auto v = store_.GetVersion(entry_id, *e.value()->working_version);
    if (!v.ok()) return v.status();
    working = std::move(v.value());
  }
  index_.Put(*e.value(), published, working);
  return Status::Ok();
}

// ---- reference data ---------------------------------------------------------------------------------------------

std::vector<DataElement> CatalogService::Elements() const {
  std::shared_lock lock(reference_mutex_);
  std::vector<DataElement> out;
  for (const auto& [id, e] : elements_) out.push_back(e);
  return out;
}

std::optional<DataElement> CatalogService::Element(const std::string& id) const {
  std::shared_lock lock(reference_mutex_);
  const auto it = elements_.find(id);
  if (it == elements_.end()) return std::nullopt;
  return it->second;
}

namespace {

std::string RootRegion(const org::RegionTree& regions) {
  for (const auto& r : regions.all()) {
    if (!r.parent_id) return r.id;
  }
  return {};
}

}  // namespace

Result<DataElement> CatalogService::PutElement(const Principal& p, DataElement e, std::int64_t expected_version) {
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogManage, {RootRegion(regions_), std::nullopt}));
  static const std::regex id_pattern("^[A-Z]{2}[0-9]{4,8}$");
  if (!std::regex_match(e.id, id_pattern)) {
    return Status::Invalid("invalid_element_id", "a data element id is two capital letters and 4-8 digits, e.g. DE0001",
                           "/id");
  }
  if (Blank(e.name) || common::Utf8Length(e.name) > kMaxName) {
    return Status::Invalid("invalid_name", "give a name of 1-50 characters", "/name");
  }
  if (!DataTypes().Contains(e.data_type)) {
    return Status::Invalid("invalid_data_type", "data_type is one of C N Y D T L M G B I F", "/data_type");
  }
  if (!e.representation.empty() && !ParseRepresentation(e.representation)) {
    return Status::Invalid("invalid_representation", "representation is a, n or an, optionally '..', then a length",
                           "/representation");
  }
  if (!IsValidationRule(e.validation)) {
    return Status::Invalid("invalid_validation_rule", "unknown validation rule", "/validation");
  }
  if (!e.default_mask.empty() &&
      std::find(MaskRules().begin(), MaskRules().end(), e.default_mask) == MaskRules().end()) {
    return Status::Invalid("invalid_mask", "unknown masking rule", "/default_mask");
  }
  {
    std::shared_lock lock(reference_mutex_);
    const bool exists = elements_.count(e.id) > 0;
    if (expected_version == 0 && exists) {
      return Status::Conflict("duplicate_element", fmt::format("data element {} exists", e.id), "/id");
    }
    if (expected_version != 0 && !exists) return Status::NotFound(fmt::format("data element {} does not exist", e.id));
  }
  e.updated_at = clock_.Now();
  GOVSHARE_RETURN_IF_ERROR(store_.PutElement(e, expected_version));
  e.version = expected_version + 1;
  std::unique_lock lock(reference_mutex_);
  elements_[e.id] = e;
  return e;
}

std::vector<ThemeDatabase> CatalogService::Databases() const {
  std::shared_lock lock(reference_mutex_);
  std::vector<ThemeDatabase> out;
  for (const auto& [code, d] : databases_) out.push_back(d);
  return out;
}

Status CatalogService::PutDatabase(const Principal& p, const ThemeDatabase& d) {
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogManage, {RootRegion(regions_), std::nullopt}));
  static const std::regex code_pattern("^[a-z][a-z0-9_]{1,39}$");
  if (!std::regex_match(d.code, code_pattern)) {
    return Status::Invalid("invalid_code", "a database code is 2-40 lower-case letters, digits or _", "/code");
  }
  if (Blank(d.name) || common::Utf8Length(d.name) > kMaxName) {
    return Status::Invalid("invalid_name", "give a name of 1-50 characters", "/name");
  }
  if (d.kind != "base" && d.kind != "thematic")
    return Status::Invalid("invalid_kind", "kind is base or thematic", "/kind");
  auto keeper = org_.GetDepartment(d.keeper_department_id);
  if (!keeper.ok()) return keeper.status();
  if (!keeper.value()) {
    return Status::Unprocessable("unknown_department", "the keeper department does not exist", "/keeper_department_id");
  }
  GOVSHARE_RETURN_IF_ERROR(store_.PutDatabase(d));
  std::unique_lock lock(reference_mutex_);
  databases_[d.code] = d;
  return Status::Ok();
}

// ---- visibility and rules -----------------------------------------------------------------------------------------

bool CatalogService::CanSeeWorking(const Principal& p, const Entry& e) const {
  if (p.kind != Principal::Kind::kUser) return false;
  if (Has(p, Role::kPlatformAdmin) || Has(p, Role::kAuditor)) return true;
  if (p.department_id == e.provider_department_id) return true;
  return p.at_authority && regions_.IsWithin(e.region_id, p.region_id);  // its reviewers (Art. 8)
}

bool CatalogService::Sees(const Principal& p, const Entry& e) const {
  return e.published_version.has_value() || CanSeeWorking(p, e);
}

RuleContext CatalogService::Rules(const Entry* entry) const {
  RuleContext ctx;
  ctx.element = [this](const std::string& id) -> const DataElement* {
    const auto it = elements_.find(id);  // callers hold reference_mutex_ (shared)
    return it == elements_.end() ? nullptr : &it->second;
  };
  ctx.database = [this](const std::string& code) -> const ThemeDatabase* {
    const auto it = databases_.find(code);
    return it == databases_.end() ? nullptr : &it->second;
  };
  ctx.on_negative_list = entry != nullptr && entry->on_negative_list;
  return ctx;
}

Result<std::vector<Violation>> CatalogService::CheckNameUnique(const Entry* entry, const EntryContent& content,
                                                               std::int64_t department_id) const {
  std::vector<Violation> out;
  if (content.name.empty()) return out;
  auto other = index_.FindByName(department_id, content.name);
  if (other && (entry == nullptr || *other != entry->id)) {
    out.push_back(
        {"/name", "duplicate_name", "7", fmt::format("本部门已有名为“{}”的目录（{}）", content.name, *other)});
  }
  return out;
}

std::vector<Violation> CatalogService::Check(const Principal& p, std::optional<std::int64_t> entry_id,
                                             const EntryContent& content) const {
  std::shared_ptr<const IndexedEntry> indexed = entry_id ? index_.Get(*entry_id) : nullptr;
  const Entry* entry = indexed && Sees(p, indexed->entry) ? &indexed->entry : nullptr;
  std::vector<Violation> out;
  {
    std::shared_lock lock(reference_mutex_);
    out = CheckCompilationRules(content, Rules(entry));
  }
  auto names = CheckNameUnique(entry, content, entry ? entry->provider_department_id : p.department_id);
  if (names.ok()) out.insert(out.end(), names->begin(), names->end());
  return out;
}

Result<Entry> CatalogService::LoadEntry(std::int64_t id) const {
  auto e = store_.GetEntry(id);
  if (!e.ok()) return e.status();
  if (!e.value()) return NotFound(id);
  return *e.value();
}

Result<Version> CatalogService::LoadWorking(const Entry& e) const {
  if (!e.working_version) {
    return Status::Conflict("no_draft", "the entry has no draft; edit it first to create one");
  }
  auto v = store_.GetVersion(e.id, *e.working_version);
  if (!v.ok()) return v.status();
  if (!v.value()) return Status::Internal("the entry's working version is missing");
  return *v.value();
}

// ---- entries ------------------------------------------------------------------------------------------------------

Result<Entry> CatalogService::Create(const Principal& p, const EntryContent& content,
                                     std::vector<Violation>* violations) {
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {p.region_id, p.department_id}));
  std::vector<Violation> problems;
  if (content.name.empty()) problems.push_back({"/name", "required", "7", "请填写信息资源名称"});
  if (content.classification.empty()) {
    problems.push_back({"/classification", "required", "7", "请填写信息资源分类（资源代码据此生成）"});
  }
  auto names = CheckNameUnique(nullptr, content, p.department_id);
  if (!names.ok()) return names.status();
  problems.insert(problems.end(), names->begin(), names->end());
  if (!problems.empty()) {
    if (violations) *violations = problems;
    return Status::Unprocessable("invalid_entry", problems.front().message, problems.front().field);
  }
  auto dept = org_.GetDepartment(p.department_id);
  if (!dept.ok()) return dept.status();
  if (!dept.value()) return Status::Forbidden("the user's department does not exist");
  const auto now = clock_.Now();
  EntryWrite w;
  w.entry.provider_department_id = p.department_id;
  w.entry.region_id = dept.value()->region_id;
  w.entry.working_version = 1;
  w.entry.created_by = p.id;
  w.entry.created_at = now;
  w.entry.updated_at = now;
  Version v;
  v.number = 1;
  v.state = VersionState::kDraft;
  v.content = content;
  v.created_by = p.id;
  v.created_at = now;
  v.updated_at = now;
  w.versions.push_back(v);
  std::vector<EntryWrite> writes{std::move(w)};
  Status s = store_.CreateEntries(writes);
  if (s.code() == "constraint_violation") {
    return Status::Conflict("duplicate_name", "the department already has an entry with this name", "/name");
  }
  GOVSHARE_RETURN_IF_ERROR(s);
  GOVSHARE_RETURN_IF_ERROR(Refresh(writes.front().entry.id));
  return LoadEntry(writes.front().entry.id);
}

Result<Entry> CatalogService::SaveDraft(const Principal& p, std::int64_t id, const EntryContent& content,
                                        std::int64_t expected_entry_version, const std::string& change_reason,
                                        std::vector<Violation>* violations) {
  auto loaded = LoadEntry(id);
  if (!loaded.ok()) return loaded.status();
  Entry e = loaded.value();
  if (!Sees(p, e)) return NotFound(id);
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {e.region_id, e.provider_department_id}));
  if (e.withdrawn) return Status::Conflict("entry_withdrawn", "the entry is withdrawn");
  if (e.version != expected_entry_version) {
    return Status::Conflict("version_conflict", "the entry was changed by someone else; reload and try again",
                            "/entry_version");
  }
  if (common::Utf8Length(change_reason) > kMaxReason) {
    return Status::Invalid("too_long", "change_reason is too long", "/change_reason");
  }
  std::vector<Violation> problems;
  if (content.name.empty()) problems.push_back({"/name", "required", "7", "请填写信息资源名称"});
  const std::string code_class = e.resource_code.substr(0, e.resource_code.find('/'));
  if (content.classification != code_class) {
    problems.push_back(
        {"/classification", "classification_fixed", "7",
         fmt::format("资源代码 {} 已按分类 {} 生成，分类不可变更；如需变更请新建目录", e.resource_code, code_class)});
  }
  auto names = CheckNameUnique(&e, content, e.provider_department_id);
  if (!names.ok()) return names.status();
  problems.insert(problems.end(), names->begin(), names->end());
  if (!problems.empty()) {
    if (violations) *violations = problems;
    return Status::Unprocessable("invalid_entry", problems.front().message, problems.front().field);
  }
  const auto now = clock_.Now();
  Version v;
  if (e.working_version) {
    auto working = LoadWorking(e);
    if (!working.ok()) return working.status();
    v = working.value();
    if (v.state == VersionState::kInReview) {
      return Status::Conflict("in_review", "the version is under review and cannot be edited");
    }
  } else {
    // Art. 9: a published version is immutable; editing makes the next version.
    auto versions = store_.ListVersions(id);
    if (!versions.ok()) return versions.status();
    v.entry_id = id;
    v.number = versions->empty() ? 1 : versions->back().number + 1;
    v.state = VersionState::kDraft;
    v.created_by = p.id;
    v.created_at = now;
    e.working_version = v.number;
  }
  v.content = content;
  v.updated_at = now;
  if (!change_reason.empty() || !e.published_version) v.change_reason = change_reason;
  if (v.state == VersionState::kReturned) v.state = VersionState::kDraft;
  e.updated_at = now;
  Status s = store_.WriteEntry(nullptr, {e, expected_entry_version, {v}, {}});
  if (s.code() == "constraint_violation") {
    return Status::Conflict("duplicate_name", "the department already has an entry with this name", "/name");
  }
  GOVSHARE_RETURN_IF_ERROR(s);
  GOVSHARE_RETURN_IF_ERROR(Refresh(id));
  return LoadEntry(id);
}

Status CatalogService::DiscardDraft(const Principal& p, std::int64_t id, std::int64_t expected_entry_version) {
  auto loaded = LoadEntry(id);
  if (!loaded.ok()) return loaded.status();
  Entry e = loaded.value();
  if (!Sees(p, e)) return NotFound(id);
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {e.region_id, e.provider_department_id}));
  if (e.version != expected_entry_version) {
    return Status::Conflict("version_conflict", "the entry was changed by someone else; reload and try again",
                            "/entry_version");
  }
  auto working = LoadWorking(e);
  if (!working.ok()) return working.status();
  if (working->state == VersionState::kInReview) {
    return Status::Conflict("in_review", "the version is under review and cannot be discarded");
  }
  if (e.open_case_type && *e.open_case_type == kUpdateCase) {
    return Status::Conflict("update_pending", "an update case waits for this draft (Art. 9)");
  }
  EntryWrite w{e, expected_entry_version, {}, {working->number}};
  w.entry.working_version.reset();
  if (!e.published_version) w.entry.withdrawn = true;  // never published: the entry goes with its only draft
  w.entry.updated_at = clock_.Now();
  GOVSHARE_RETURN_IF_ERROR(store_.WriteEntry(nullptr, w));
  return Refresh(id);
}

Result<Case> CatalogService::OpenCase(const Principal& p, const Entry& e, const char* type, const std::string& subject,
                                      const std::string& comment,
                                      std::function<Status(store::Transaction&, const Case&)> change) {
  workflow::NewCase request;
  request.type = type;
  request.subject = subject;
  request.reference = fmt::format("{}{}", kEntryRef, e.id);
  request.requester_department_id = e.provider_department_id;
  request.provider_department_id = e.provider_department_id;
  request.region_id = e.region_id;
  request.comment = comment;
  request.domain_change = std::move(change);
  return cases_.Open(&p, request);
}

Result<Entry> CatalogService::Submit(const Principal& p, std::int64_t id, std::int64_t expected_entry_version,
                                     std::vector<Violation>* violations) {
  auto loaded = LoadEntry(id);
  if (!loaded.ok()) return loaded.status();
  const Entry e = loaded.value();
  if (!Sees(p, e)) return NotFound(id);
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {e.region_id, e.provider_department_id}));
  if (e.version != expected_entry_version) {
    return Status::Conflict("version_conflict", "the entry was changed by someone else; reload and try again",
                            "/entry_version");
  }
  auto working = LoadWorking(e);
  if (!working.ok()) return working.status();
  if (working->state == VersionState::kInReview) return Status::Conflict("in_review", "already submitted");
  auto problems = Check(p, id, working->content);
  if (!problems.empty()) {
    if (violations) *violations = problems;
    return RulesBroken(problems);
  }
  if (e.open_case_id && e.open_case_type == std::optional<std::string>(kUpdateCase)) {
    auto view = cases_.Get(p, *e.open_case_id);
    if (!view.ok()) return view.status();
    workflow::TransitionRequest t;
    t.action = "submit";
    t.version = view->c.version;
    auto fired = cases_.Fire(p, *e.open_case_id, t);
    if (!fired.ok()) return fired.status();
    return LoadEntry(id);
  }
  if (e.open_case_id) {
    return Status::Conflict("case_open", fmt::format("case {} ({}) is in progress for this entry", *e.open_case_id,
                                                     e.open_case_type.value_or("")));
  }
  const auto now = clock_.Now();
  Version v = working.value();
  auto opened = OpenCase(p, e, kReviewCase, fmt::format("{}（{}）", v.content.name, e.resource_code), v.change_reason,
                         [this, e, v, now](store::Transaction& tx, const Case& c) mutable {
                           v.state = VersionState::kInReview;
                           v.submitted_at = now;
                           v.updated_at = now;
                           v.case_id = c.id;
                           Entry next = e;
                           next.open_case_id = c.id;
                           next.open_case_type = kReviewCase;
                           next.updated_at = now;
                           return store_.WriteEntry(&tx, {next, e.version, {v}, {}});
                         });
  if (!opened.ok()) return opened.status();
  GOVSHARE_RETURN_IF_ERROR(Refresh(id));
  return LoadEntry(id);
}

Result<Entry> CatalogService::Review(const Principal& p, std::int64_t id, const std::string& decision,
                                     const std::string& comment) {
  if (decision != "approve" && decision != "return") {
    return Status::Invalid("invalid_decision", "decision is approve or return", "/decision");
  }
  auto loaded = LoadEntry(id);
  if (!loaded.ok()) return loaded.status();
  const Entry& e = loaded.value();
  if (!Sees(p, e)) return NotFound(id);
  if (!e.open_case_id || (e.open_case_type != std::optional<std::string>(kReviewCase) &&
                          e.open_case_type != std::optional<std::string>(kUpdateCase))) {
    return Status::Conflict("no_review_pending", "the entry is not waiting for review");
  }
  auto view = cases_.Get(p, *e.open_case_id);
  if (!view.ok()) return view.status();
  workflow::TransitionRequest t;
  t.action = decision;
  t.comment = comment;
  t.version = view->c.version;
  auto fired = cases_.Fire(p, *e.open_case_id, t);
  if (!fired.ok()) return fired.status();
  return LoadEntry(id);
}

Result<Case> CatalogService::RecordChange(const Principal& p, std::int64_t id, const std::string& date,
                                          const std::string& reason, const std::string& description) {
  auto loaded = LoadEntry(id);
  if (!loaded.ok()) return loaded.status();
  const Entry e = loaded.value();
  if (!Sees(p, e)) return NotFound(id);
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {e.region_id, e.provider_department_id}));
  if (reason != "law" && reason != "duty" && reason != "other") {
    return Status::Invalid("invalid_reason", "reason is law, duty or other (Art. 9)", "/reason");
  }
  const auto day = common::ParseDate(date);
  if (!day) return Status::Invalid("invalid_date", "date is YYYY-MM-DD", "/date");
  if (*day * 86400 > clock_.Now() + 86400) {
    return Status::Unprocessable("future_change", "a change is recorded once it has happened", "/date");
  }
  if (Blank(description) || common::Utf8Length(description) > kMaxReason) {
    return Status::Invalid("invalid_description", "describe the change in 1-2000 characters", "/description");
  }
  if (!e.published_version || e.withdrawn) {
    return Status::Conflict("not_published", "only a published entry is updated after a change");
  }
  if (e.open_case_id) {
    return Status::Conflict("case_open", fmt::format("case {} is in progress for this entry", *e.open_case_id));
  }
  const std::string label = reason == "law" ? "法律法规变化" : reason == "duty" ? "部门职能变化" : "其他变化";
  const auto now = clock_.Now();
  auto opened = OpenCase(p, e, kUpdateCase, fmt::format("{}（{}）", e.resource_code, label),
                         fmt::format("{} {}：{}", date, label, description),
                         [this, e, now](store::Transaction& tx, const Case& c) {
                           Entry next = e;
                           next.open_case_id = c.id;
                           next.open_case_type = kUpdateCase;
                           next.updated_at = now;
                           return store_.WriteEntry(&tx, {next, e.version, {}, {}});
                         });
  if (!opened.ok()) return opened.status();
  GOVSHARE_RETURN_IF_ERROR(Refresh(id));
  return opened;
}

Result<Case> CatalogService::Withdraw(const Principal& p, std::int64_t id, const std::string& reason) {
  auto loaded = LoadEntry(id);
  if (!loaded.ok()) return loaded.status();
  const Entry e = loaded.value();
  if (!Sees(p, e)) return NotFound(id);
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {e.region_id, e.provider_department_id}));
  if (Blank(reason) || common::Utf8Length(reason) > kMaxReason) {
    return Status::Unprocessable("reason_required", "a withdrawal needs a reason", "/reason");
  }
  if (!e.published_version || e.withdrawn) return Status::Conflict("not_published", "the entry is not published");
  if (e.open_case_id) {
    return Status::Conflict("case_open", fmt::format("case {} is in progress for this entry", *e.open_case_id));
  }
  if (e.working_version) return Status::Conflict("draft_exists", "discard the entry's draft before withdrawing it");
  const auto now = clock_.Now();
  auto opened = OpenCase(p, e, kWithdrawalCase, fmt::format("{}", e.resource_code), reason,
                         [this, e, now](store::Transaction& tx, const Case& c) {
                           Entry next = e;
                           next.open_case_id = c.id;
                           next.open_case_type = kWithdrawalCase;
                           next.updated_at = now;
                           return store_.WriteEntry(&tx, {next, e.version, {}, {}});
                         });
  if (!opened.ok()) return opened.status();
  GOVSHARE_RETURN_IF_ERROR(Refresh(id));
  return opened;
}

bool CatalogService::MayBeStored(std::int64_t id) {
  if (id <= 0) return false;
  // At or below an id the store has held: worth a read (an entry committed late, out of id order). Above: only if a
  // fresh look at the store's highest id says so, as the entry may have been created through another node just now.
  if (const auto seen = newest_entry_id_.last(); seen && id <= *seen) return true;
  const auto newest = newest_entry_id_.Get();
  return !newest.ok() || id <= newest.value();  // a failed look: read the entry, as before
}

Result<EntryView> CatalogService::Get(const Principal& p, std::int64_t id) {
  auto indexed = index_.Get(id);
  if (!indexed && MayBeStored(id)) {
    // A store that cannot answer (PostgreSQL restarting) is a 503, never a 404 for an entry that may exist.
    const Status refreshed = Refresh(id);
    if (!refreshed.ok() && refreshed.kind() != common::ErrorKind::kNotFound) return refreshed;
    indexed = index_.Get(id);
  }
  if (!indexed || !Sees(p, indexed->entry)) return NotFound(id);
  EntryView view;
  view.entry = indexed->entry;
  if (indexed->published) view.published = *indexed->published;
  if (indexed->working && CanSeeWorking(p, indexed->entry)) view.working = *indexed->working;
  if (!view.published && !view.working) return NotFound(id);
  return view;
}

Result<std::vector<Version>> CatalogService::Versions(const Principal& p, std::int64_t id) const {
  auto indexed = index_.Get(id);
  if (!indexed || !Sees(p, indexed->entry)) return NotFound(id);
  auto all = store_.ListVersions(id);
  if (!all.ok()) return all.status();
  if (CanSeeWorking(p, indexed->entry)) return all;
  std::vector<Version> out;
  for (auto& v : all.value()) {
    if (v.state == VersionState::kPublished || v.state == VersionState::kSuperseded ||
        v.state == VersionState::kWithdrawn) {
      out.push_back(std::move(v));
    }
  }
  return out;
}

Result<Version> CatalogService::GetVersion(const Principal& p, std::int64_t id, int number) const {
  auto versions = Versions(p, id);
  if (!versions.ok()) return versions.status();
  for (auto& v : versions.value()) {
    if (v.number == number) return std::move(v);
  }
  return Status::NotFound(fmt::format("entry {} has no version {}", id, number));
}

Result<std::vector<FieldChange>> CatalogService::Diff(const Principal& p, std::int64_t id, int from, int to) const {
  auto a = GetVersion(p, id, from);
  if (!a.ok()) return a.status();
  auto b = GetVersion(p, id, to);
  if (!b.ok()) return b.status();
  return catalog::Diff(a->content, b->content);
}

SearchResult CatalogService::Search(const Principal& p, const SearchQuery& query) const {
  return index_.Search(query, [this, &p](const Entry& e) { return CanSeeWorking(p, e); });
}

// ---- case hooks ---------------------------------------------------------------------------------------------------

Result<DomainChange> CatalogService::OnReviewTransition(const Case& c, const Transition& t) {
  const auto id = RefId(c.reference, kEntryRef);
  if (!id) return Status::Internal("catalog case without an entry reference");
  auto loaded = LoadEntry(*id);
  if (!loaded.ok()) return loaded.status();
  const Entry e = loaded.value();
  auto working = LoadWorking(e);
  if (!working.ok()) return working.status();
  Version v = working.value();
  const auto now = clock_.Now();
  Entry next = e;
  next.updated_at = now;
  std::vector<Version> versions;
  if (t.action == "submit") {
    if (v.state == VersionState::kInReview) return Status::Conflict("in_review", "already submitted");
    std::vector<Violation> problems;
    {
      std::shared_lock lock(reference_mutex_);
      problems = CheckCompilationRules(v.content, Rules(&e));
    }
    if (!problems.empty()) return RulesBroken(problems);
    v.state = VersionState::kInReview;
    v.submitted_at = now;
    v.case_id = c.id;
  } else if (t.action == "approve") {
    if (v.state != VersionState::kInReview) return Status::Conflict("not_in_review", "no version is under review");
    if (e.published_version) {
      auto old = store_.GetVersion(e.id, *e.published_version);
      if (!old.ok()) return old.status();
      if (old.value()) {
        old.value()->state = VersionState::kSuperseded;
        versions.push_back(std::move(*old.value()));
      }
    }
    v.state = VersionState::kPublished;
    v.published_at = now;
    next.published_version = v.number;
    next.working_version.reset();
    next.open_case_id.reset();
    next.open_case_type.reset();
  } else if (t.action == "return") {
    v.state = VersionState::kReturned;
    if (c.type == kReviewCase) {  // the review case ends; an update case goes back to the department
      next.open_case_id.reset();
      next.open_case_type.reset();
    }
  } else {
    return DomainChange();
  }
  v.updated_at = now;
  versions.push_back(v);
  EntryWrite write{next, e.version, std::move(versions), {}};
  return DomainChange([this, write](store::Transaction& tx) { return store_.WriteEntry(&tx, write); });
}

Result<DomainChange> CatalogService::OnWithdrawalTransition(const Case& c, const Transition& t) {
  const auto id = RefId(c.reference, kEntryRef);
  if (!id) return Status::Internal("catalog case without an entry reference");
  auto loaded = LoadEntry(*id);
  if (!loaded.ok()) return loaded.status();
  const Entry e = loaded.value();
  Entry next = e;
  next.updated_at = clock_.Now();
  next.open_case_id.reset();
  next.open_case_type.reset();
  std::vector<Version> versions;
  if (t.action == "approve") {
    if (!e.published_version) return Status::Conflict("not_published", "the entry is not published");
    auto published = store_.GetVersion(e.id, *e.published_version);
    if (!published.ok()) return published.status();
    if (published.value()) {
      published.value()->state = VersionState::kWithdrawn;
      versions.push_back(std::move(*published.value()));
    }
    next.withdrawn = true;
  }
  EntryWrite write{next, e.version, std::move(versions), {}};
  return DomainChange([this, write](store::Transaction& tx) { return store_.WriteEntry(&tx, write); });
}

Result<DomainChange> CatalogService::OnNegativeListTransition(const Case& c, const Transition& t) {
  if (t.action == "forward") return DomainChange();
  const auto item_id = RefId(c.reference, kNegativeRef);
  if (!item_id) return Status::Internal("negative-list case without its application");
  auto item = store_.GetNegativeListItem(*item_id);
  if (!item.ok()) return item.status();
  if (!item.value()) return Status::Internal("negative-list application missing");
  NegativeListItem n = *item.value();
  auto loaded = LoadEntry(n.entry_id);
  if (!loaded.ok()) return loaded.status();
  const Entry e = loaded.value();
  const auto now = clock_.Now();
  Entry next = e;
  next.updated_at = now;
  next.open_case_id.reset();
  next.open_case_type.reset();
  n.decided_at = now;
  std::vector<Version> versions;
  if (t.action == "approve") {
    n.status = "approved";
    next.on_negative_list = n.kind == "list";
    if (n.kind == "list" && e.published_version) {
      // The approved classification is published at once as a new version (the government's approval is the review).
      auto all = store_.ListVersions(e.id);
      if (!all.ok()) return all.status();
      auto published = store_.GetVersion(e.id, *e.published_version);
      if (!published.ok()) return published.status();
      if (published.value() && published.value()->content.share_type != "not_shared") {
        Version old = *published.value();
        Version v = old;
        old.state = VersionState::kSuperseded;
        v.number = all->back().number + 1;
        v.state = VersionState::kPublished;
        v.content.share_type = "not_shared";
        v.content.legal_basis = n.legal_basis;
        v.content.share_condition.clear();
        v.content.share_methods.clear();
        v.content.open_attribute = "not_open";
        v.content.open_condition.clear();
        v.created_by = n.created_by;
        v.created_at = now;
        v.updated_at = now;
        v.submitted_at = n.created_at;
        v.published_at = now;
        v.case_id = c.id;
        v.change_reason = fmt::format("列入负面清单（第11条）：{}", n.legal_basis);
        next.published_version = v.number;
        versions.push_back(std::move(old));
        versions.push_back(std::move(v));
      }
    }
  } else {
    n.status = "rejected";
  }
  EntryWrite write{next, e.version, std::move(versions), {}};
  return DomainChange([this, write, n](store::Transaction& tx) mutable {
    GOVSHARE_RETURN_IF_ERROR(store_.PutNegativeListItem(&tx, n));
    return store_.WriteEntry(&tx, write);
  });
}

Result<DomainChange> CatalogService::OnRectificationTransition(const Case& c, const Transition& t,
                                                               const std::string& comment) {
  if (t.action != "accept") return DomainChange();
  const auto id = RefId(c.reference, kFindingRef);
  if (!id) return Status::Internal("rectification case without its finding");
  auto found = store_.GetFinding(*id);
  if (!found.ok()) return found.status();
  if (!found.value()) return Status::Internal("finding missing");
  Finding f = *found.value();
  f.status = "resolved";
  f.resolution = comment.empty() ? "整改完成" : comment;
  f.decided_at = clock_.Now();
  return DomainChange([this, f](store::Transaction& tx) mutable { return store_.PutFinding(&tx, f); });
}

void CatalogService::AfterCommit(const Case& c) {
  std::optional<std::int64_t> entry_id = RefId(c.reference, kEntryRef);
  bool revoked = false;
  if (auto item_id = RefId(c.reference, kNegativeRef)) {
    auto item = store_.GetNegativeListItem(*item_id);
    if (item.ok() && item.value()) {
      entry_id = item.value()->entry_id;
      revoked = item.value()->kind == "revoke" && item.value()->status == "approved";
    }
  }
  if (!entry_id) return;
  if (auto s = Refresh(*entry_id); !s.ok()) spdlog::warn("catalog index refresh {}: {}", *entry_id, s.ToString());
  if (c.state == "published") {
    if (auto found = ScanDuplicates(*entry_id); !found.ok()) {
      spdlog::warn("duplicate scan: {}", found.status().ToString());
    }
  }
  if (revoked) {
    // Art. 9, 11: once the listing is revoked the published "not shared" declaration no longer holds; the department
    // must update the entry within the statutory period.
    auto e = LoadEntry(*entry_id);
    if (!e.ok() || e->open_case_id || !e->published_version) return;
    const Entry entry = e.value();
    const auto now = clock_.Now();
    workflow::NewCase request;
    request.type = kUpdateCase;
    request.subject = fmt::format("{}（负面清单撤销）", entry.resource_code);
    request.reference = fmt::format("{}{}", kEntryRef, entry.id);
    request.requester_department_id = entry.provider_department_id;
    request.provider_department_id = entry.provider_department_id;
    request.region_id = entry.region_id;
    request.comment = "负面清单已撤销，请更新共享类型";
    request.domain_change = [this, entry, now](store::Transaction& tx, const Case& opened) {
      Entry next = entry;
      next.open_case_id = opened.id;
      next.open_case_type = kUpdateCase;
      next.updated_at = now;
      return store_.WriteEntry(&tx, {next, entry.version, {}, {}});
    };
    auto opened = cases_.Open(nullptr, request);
    if (!opened.ok()) spdlog::warn("update case after revocation: {}", opened.status().ToString());
    if (auto s = Refresh(entry.id); !s.ok()) spdlog::warn("catalog index refresh: {}", s.ToString());
  }
}

// ---- negative list ------------------------------------------------------------------------------------------------

Result<NegativeListItem> CatalogService::ApplyNegativeList(const Principal& p, std::int64_t entry_id,
                                                           const std::string& kind, const std::string& legal_basis,
                                                           const std::string& reason) {
  auto loaded = LoadEntry(entry_id);
  if (!loaded.ok()) return loaded.status();
  const Entry e = loaded.value();
  if (!Sees(p, e)) return NotFound(entry_id);
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {e.region_id, e.provider_department_id}));
  if (kind != "list" && kind != "revoke") return Status::Invalid("invalid_kind", "kind is list or revoke", "/kind");
  if (kind == "list" && Blank(legal_basis)) {
    return Status::Unprocessable("legal_basis_required", "not sharing needs the law that requires it (Art. 11)",
                                 "/legal_basis");
  }
  if (Blank(reason)) return Status::Unprocessable("reason_required", "give the reason for the application", "/reason");
  if (common::Utf8Length(legal_basis) > kMaxCondition || common::Utf8Length(reason) > kMaxReason) {
    return Status::Invalid("too_long", "legal_basis or reason is too long");
  }
  if (e.withdrawn) return Status::Conflict("entry_withdrawn", "the entry is withdrawn");
  if (kind == "list" && e.on_negative_list) return Status::Conflict("already_listed", "the entry is on the list");
  if (kind == "revoke" && !e.on_negative_list) return Status::Conflict("not_listed", "the entry is not on the list");
  if (e.open_case_id) {
    return Status::Conflict("case_open", fmt::format("case {} is in progress for this entry", *e.open_case_id));
  }
  if (kind == "list" && e.working_version) {
    auto working = LoadWorking(e);
    if (working.ok() && working->state == VersionState::kInReview) {
      return Status::Conflict("in_review", "a version of the entry is under review");
    }
  }
  const auto now = clock_.Now();
  NegativeListItem n;
  n.entry_id = e.id;
  n.department_id = e.provider_department_id;
  n.kind = kind;
  n.status = "pending";
  n.legal_basis = legal_basis;
  n.reason = reason;
  n.created_by = p.id;
  n.created_at = now;
  GOVSHARE_RETURN_IF_ERROR(store_.PutNegativeListItem(nullptr, n));
  workflow::NewCase request;
  request.type = kNegativeListCase;
  request.subject = fmt::format(
      "{}：{}（{}）", kind == "list" ? "列入负面清单" : "撤销负面清单",
      index_.Get(e.id) && index_.Get(e.id)->published ? index_.Get(e.id)->published->content.name : e.resource_code,
      e.resource_code);
  request.reference = fmt::format("{}{}", kNegativeRef, n.id);
  request.requester_department_id = e.provider_department_id;
  request.provider_department_id = e.provider_department_id;
  request.region_id = e.region_id;
  request.comment = fmt::format("依据：{}；理由：{}", legal_basis, reason);
  request.domain_change = [this, e, n, now](store::Transaction& tx, const Case& c) mutable {
    n.case_id = c.id;
    GOVSHARE_RETURN_IF_ERROR(store_.PutNegativeListItem(&tx, n));
    Entry next = e;
    next.open_case_id = c.id;
    next.open_case_type = kNegativeListCase;
    next.updated_at = now;
    return store_.WriteEntry(&tx, {next, e.version, {}, {}});
  };
  auto opened = cases_.Open(&p, request);
  if (!opened.ok()) {
    n.status = "rejected";  // the application never reached the authority; keep the record consistent
    n.decided_at = now;
    (void)store_.PutNegativeListItem(nullptr, n);
    return opened.status();
  }
  n.case_id = opened->id;
  GOVSHARE_RETURN_IF_ERROR(Refresh(e.id));
  return n;
}

Result<std::vector<NegativeListItem>> CatalogService::NegativeList(const Principal& p, bool listed_only) const {
  auto all = store_.ListNegativeList(std::nullopt);
  if (!all.ok()) return all.status();
  std::vector<NegativeListItem> out;
  for (auto& n : all.value()) {
    auto indexed = index_.Get(n.entry_id);
    if (!indexed) continue;
    if (listed_only) {
      if (n.kind != "list" || n.status != "approved" || !indexed->entry.on_negative_list) continue;
    } else if (!CanSeeWorking(p, indexed->entry)) {
      continue;
    }
    out.push_back(std::move(n));
  }
  if (listed_only) {  // one line per listed entry: its latest approved listing
    std::map<std::int64_t, NegativeListItem> latest;
    for (auto& n : out) latest[n.entry_id] = std::move(n);
    out.clear();
    for (auto& [id, n] : latest) out.push_back(std::move(n));
  }
  return out;
}

// ---- responsibility list and duplicates ---------------------------------------------------------------------------

std::vector<Responsibility> CatalogService::Responsibilities() const {
  std::map<std::tuple<std::string, std::string, std::int64_t>, Responsibility> lines;
  std::shared_lock lock(reference_mutex_);
  index_.ForEach([&](const IndexedEntry& ie) {
    if (!ie.published || ie.entry.withdrawn) return;
    const auto& c = ie.published->content;
    for (const auto& item : c.items) {
      if (item.element.empty()) continue;
      auto& line = lines[{item.element, c.subject, ie.entry.provider_department_id}];
      if (line.element.empty()) {
        line.element = item.element;
        const auto it = elements_.find(item.element);
        line.element_name = it == elements_.end() ? item.name : it->second.name;
        line.subject = c.subject;
        line.department_id = ie.entry.provider_department_id;
        line.department_name = ie.entry.provider_name;
      }
      if (std::find(line.resource_codes.begin(), line.resource_codes.end(), ie.entry.resource_code) ==
          line.resource_codes.end()) {
        line.resource_codes.push_back(ie.entry.resource_code);
      }
    }
  });
  std::vector<Responsibility> out;
  for (auto& [key, line] : lines) out.push_back(std::move(line));
  return out;
}

Result<int> CatalogService::ScanDuplicates(std::optional<std::int64_t> only_entry) {
  struct Candidate {
    const IndexedEntry* entry;
    std::set<std::string> elements;
    std::set<std::string> keys;
    bool base = false;
  };
  std::vector<std::shared_ptr<const IndexedEntry>> keep;
  std::vector<Candidate> candidates;
  index_.ForEach([&](const IndexedEntry& ie) {
    if (!ie.published || ie.entry.withdrawn || ie.published->content.subject.empty()) return;
    keep.push_back(index_.Get(ie.entry.id));
  });
  {
    std::shared_lock lock(reference_mutex_);
    for (const auto& ie : keep) {
      if (!ie || !ie->published) continue;
      Candidate cand{ie.get(), {}, {}, false};
      for (const auto& item : ie->published->content.items) {
        if (item.element.empty()) continue;
        cand.elements.insert(item.element);
        if (item.key) cand.keys.insert(item.element);
      }
      for (const auto& db : ie->published->content.databases) {
        const auto it = databases_.find(db);
        if (it != databases_.end() && it->second.kind == "base") cand.base = true;
      }
      candidates.push_back(std::move(cand));
    }
  }
  std::map<std::string, std::vector<const Candidate*>> by_key;
  for (const auto& c : candidates) {
    for (const auto& k : c.keys) by_key[k].push_back(&c);
  }
  constexpr std::size_t kMinCommonElements = 4;  // descriptive elements collected by both
  int created = 0;
  std::set<std::pair<std::int64_t, std::int64_t>> seen;
  auto existing = store_.ListFindings();
  if (!existing.ok()) return existing.status();
  std::set<std::string> known;
  for (const auto& f : existing.value()) known.insert(f.fingerprint);
  auto check = [&](const Candidate* a, const Candidate* b) -> Status {
    const auto& ea = a->entry->entry;
    const auto& eb = b->entry->entry;
    if (ea.provider_department_id == eb.provider_department_id) return Status::Ok();
    if (a->entry->published->content.subject != b->entry->published->content.subject) return Status::Ok();
    const auto pair = std::minmax(ea.id, eb.id);
    if (!seen.insert(pair).second) return Status::Ok();
    std::vector<std::string> common;
    std::set_intersection(a->elements.begin(), a->elements.end(), b->elements.begin(), b->elements.end(),
                          std::back_inserter(common));
    // Referring to a subject by its identifier (and name) is not collecting it again: count the descriptive
    // elements both collect, beyond the key elements of either.
    const auto descriptive = std::count_if(
        common.begin(), common.end(), [&](const std::string& el) { return !a->keys.count(el) && !b->keys.count(el); });
    if (static_cast<std::size_t>(descriptive) < kMinCommonElements) return Status::Ok();
    Finding f;
    f.subject = a->entry->published->content.subject;
    f.elements = common;
    f.entry_ids = {pair.first, pair.second};
    const auto& first = ea.id == pair.first ? ea : eb;
    const auto& second = ea.id == pair.first ? eb : ea;
    f.department_ids = {first.provider_department_id, second.provider_department_id};
    if (a->base != b->base) f.source_entry_id = a->base ? ea.id : eb.id;
    f.status = "open";
    f.detected_at = clock_.Now();
    f.fingerprint = fmt::format("{}|{}|{}", f.subject, pair.first, pair.second);
    if (known.count(f.fingerprint)) return Status::Ok();  // found before (and perhaps dismissed): never again
    GOVSHARE_RETURN_IF_ERROR(store_.PutFinding(nullptr, f));
    known.insert(f.fingerprint);
    ++created;
    return Status::Ok();
  };
  for (const auto& [key, group] : by_key) {
    if (only_entry) {  // the new publication against the others: linear
      const auto self = std::find_if(group.begin(), group.end(),
                                     [&](const Candidate* c) { return c->entry->entry.id == *only_entry; });
      if (self == group.end()) continue;
      for (const Candidate* other : group) {
        if (other != *self) GOVSHARE_RETURN_IF_ERROR(check(*self, other));
      }
      continue;
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      for (std::size_t j = i + 1; j < group.size(); ++j) GOVSHARE_RETURN_IF_ERROR(check(group[i], group[j]));
    }
  }
  return created;
}

Result<std::vector<Finding>> CatalogService::Findings(const Principal& p) const {
  auto all = store_.ListFindings();
  if (!all.ok()) return all.status();
  if (Has(p, Role::kPlatformAdmin) || Has(p, Role::kAuditor)) return all;
  std::vector<Finding> out;
  for (auto& f : all.value()) {
    bool visible =
        std::find(f.department_ids.begin(), f.department_ids.end(), p.department_id) != f.department_ids.end();
    for (auto id : f.entry_ids) {
      auto e = index_.Get(id);
      if (e && p.at_authority && regions_.IsWithin(e->entry.region_id, p.region_id)) visible = true;
    }
    if (visible) out.push_back(std::move(f));
  }
  return out;
}

namespace {

Result<Finding> FindVisible(const Result<std::vector<Finding>>& visible, std::int64_t id) {
  if (!visible.ok()) return visible.status();
  for (const auto& f : visible.value()) {
    if (f.id == id) return f;
  }
  return Status::NotFound(fmt::format("finding {} does not exist", id));
}

}  // namespace

Result<Finding> CatalogService::DismissFinding(const Principal& p, std::int64_t id, const std::string& reason) {
  auto found = FindVisible(Findings(p), id);
  if (!found.ok()) return found.status();
  Finding f = found.value();
  auto first = index_.Get(f.entry_ids.front());
  GOVSHARE_RETURN_IF_ERROR(
      authorizer_.Check(p, Permission::kCatalogReview, {first ? first->entry.region_id : p.region_id, std::nullopt}));
  if (Blank(reason) || common::Utf8Length(reason) > kMaxReason) {
    return Status::Unprocessable("reason_required", "a dismissal needs a reason", "/reason");
  }
  if (f.status != "open") return Status::Conflict("finding_closed", fmt::format("the finding is {}", f.status));
  f.status = "dismissed";
  f.resolution = reason;
  f.decided_at = clock_.Now();
  GOVSHARE_RETURN_IF_ERROR(store_.PutFinding(nullptr, f));
  return f;
}

Result<Finding> CatalogService::RectifyFinding(const Principal& p, std::int64_t id, const std::string& note) {
  auto found = FindVisible(Findings(p), id);
  if (!found.ok()) return found.status();
  Finding f = found.value();
  // The department to correct: the one that collects what a base database already provides, else the later entry's.
  std::int64_t target_entry = f.entry_ids.back();
  if (f.source_entry_id) {
    for (auto e : f.entry_ids) {
      if (e != *f.source_entry_id) target_entry = e;
    }
  }
  auto target = index_.Get(target_entry);
  if (!target) return Status::NotFound("the finding's entry no longer exists");
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogReview, {target->entry.region_id, std::nullopt}));
  if (Blank(note) || common::Utf8Length(note) > kMaxReason) {
    return Status::Unprocessable("reason_required", "say what the department must correct", "/note");
  }
  if (f.status != "open") return Status::Conflict("finding_closed", fmt::format("the finding is {}", f.status));
  const auto now = clock_.Now();
  workflow::NewCase request;
  request.type = kRectificationCase;
  request.subject = fmt::format("{}（{}）", target->entry.provider_name, target->entry.resource_code);
  request.reference = fmt::format("{}{}", kFindingRef, f.id);
  request.requester_department_id = p.department_id;
  request.provider_department_id = target->entry.provider_department_id;
  request.region_id = target->entry.region_id;
  request.comment = note;
  request.domain_change = [this, f, now](store::Transaction& tx, const Case& c) mutable {
    f.status = "rectifying";
    f.case_id = c.id;
    f.decided_at = now;
    return store_.PutFinding(&tx, f);
  };
  auto opened = cases_.Open(&p, request);
  if (!opened.ok()) return opened.status();
  f.status = "rectifying";
  f.case_id = opened->id;
  f.decided_at = now;
  return f;
}

// ---- import -------------------------------------------------------------------------------------------------------

Result<ImportReport> CatalogService::Import(const Principal& p, const std::vector<EntryContent>& contents,
                                            const std::vector<int>& row_numbers,
                                            const std::vector<ImportReport::RowError>& parse_errors, bool submit) {
  GOVSHARE_RETURN_IF_ERROR(authorizer_.Check(p, Permission::kCatalogCompile, {p.region_id, p.department_id}));
  ImportReport report;
  report.rows = static_cast<int>(contents.size());
  report.errors = parse_errors;
  std::map<std::string, int> names;
  {
    std::shared_lock lock(reference_mutex_);
    const RuleContext rules = Rules(nullptr);
    for (std::size_t i = 0; i < contents.size(); ++i) {
      const int row = i < row_numbers.size() ? row_numbers[i] : static_cast<int>(i) + 1;
      const auto& c = contents[i];
      std::vector<Violation> problems;
      if (submit) {
        problems = CheckCompilationRules(c, rules);
      } else {
        if (c.name.empty()) problems.push_back({"/name", "required", "7", "请填写信息资源名称"});
        if (c.classification.empty()) problems.push_back({"/classification", "required", "7", "请填写信息资源分类"});
      }
      if (!c.name.empty()) {
        if (auto [it, fresh] = names.emplace(c.name, row); !fresh) {
          problems.push_back({"/name", "duplicate_name", "7", fmt::format("与第 {} 行名称重复", it->second)});
        } else if (index_.FindByName(p.department_id, c.name)) {
          problems.push_back({"/name", "duplicate_name", "7", fmt::format("本部门已有名为“{}”的目录", c.name)});
        }
      }
      for (auto& v : problems) report.errors.push_back({row, std::move(v)});
    }
  }
  if (!report.errors.empty()) {
    std::sort(report.errors.begin(), report.errors.end(),
              [](const ImportReport::RowError& a, const ImportReport::RowError& b) { return a.row < b.row; });
    return report;
  }
  auto dept = org_.GetDepartment(p.department_id);
  if (!dept.ok()) return dept.status();
  if (!dept.value()) return Status::Forbidden("the user's department does not exist");
  const auto now = clock_.Now();
  std::vector<EntryWrite> writes;
  writes.reserve(contents.size());
  for (const auto& c : contents) {
    EntryWrite w;
    w.entry.provider_department_id = p.department_id;
    w.entry.provider_name = dept.value()->name;
    w.entry.provider_code = dept.value()->credit_code;
    w.entry.region_id = dept.value()->region_id;
    w.entry.working_version = 1;
    w.entry.created_by = p.id;
    w.entry.created_at = now;
    w.entry.updated_at = now;
    Version v;
    v.number = 1;
    v.content = c;
    v.created_by = p.id;
    v.created_at = now;
    v.updated_at = now;
    v.change_reason = "批量导入";
    w.versions.push_back(std::move(v));
    writes.push_back(std::move(w));
  }
  Status s = store_.CreateEntries(writes);
  if (s.code() == "constraint_violation") {
    return Status::Conflict("duplicate_name", "an entry of the file was created meanwhile with the same name");
  }
  GOVSHARE_RETURN_IF_ERROR(s);
  for (const auto& w : writes) {
    index_.Put(w.entry, std::nullopt, w.versions.front());
    report.entry_ids.push_back(w.entry.id);
  }
  if (submit) {
    for (const auto& w : writes) {
      auto submitted = Submit(p, w.entry.id, w.entry.version, nullptr);
      if (!submitted.ok()) return submitted.status();
    }
  }
  return report;
}

}  // namespace govshare::catalog
