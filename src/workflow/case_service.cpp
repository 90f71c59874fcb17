#include "workflow/case_service.hpp"

#include <fmt/format.h>

#include <set>

#include "common/json.hpp"

namespace govshare::workflow {

using common::Result;
using common::Status;
using org::Principal;
using org::Role;

namespace {

constexpr std::size_t kMaxCommentChars = 2000;
constexpr std::int64_t kMonitorLookaheadSeconds = 14 * 86400;  // longer than any run of days off (Spring Festival)

std::string RoleOf(const Principal& p, const Transition& t) {
  for (Role r : t.roles) {
    if (p.roles.Has(r)) return std::string(org::RoleName(r));
  }
  return {};
}

bool Sees(const Principal& p, Role r) { return p.kind == Principal::Kind::kUser && p.roles.Has(r); }

}  // namespace

CaseService::CaseService(CaseStore& store, store::BlobStore& blobs, org::OrgStore& org, const org::RegionTree& regions,
                         const calendar::WorkingCalendar& calendar, const calendar::RulePack& rules,
                         const common::Clock& clock)
    : store_(store), blobs_(blobs), org_(org), regions_(regions), calendar_(calendar), rules_(rules), clock_(clock) {
  // Extension requests (Art. 9, 16): the authority's head consents or refuses with reasons.
  CaseType extension;
  extension.id = kExtensionType;
  extension.name = "延期申请";
  extension.initial_state = "requested";
  extension.final_states = {"approved", "refused"};
  extension.transitions = {
      {"approve", "requested", "approved", {Role::kAuthorityHead}, false},
      {"refuse", "requested", "refused", {Role::kAuthorityHead}, true},
  };
  extension.waits = {{"requested", Party::kAuthority, "", OnDeadline::kMarkOverdue}};
  types_.emplace(extension.id, std::move(extension));
}

Status CaseService::RegisterType(CaseType type) {
  const auto invalid = [&type](const std::string& why) {
    return Status::Invalid("invalid_case_type", fmt::format("case type '{}': {}", type.id, why));
  };
  if (type.id.empty() || types_.count(type.id)) return invalid("missing or duplicate id");
  std::set<std::string> states{type.initial_state};
  for (const auto& t : type.transitions) {
    if (t.roles.empty()) return invalid(fmt::format("transition '{}' names no role", t.action));
    states.insert(t.from);
    states.insert(t.to);
  }
  for (const auto& s : type.final_states) {
    if (!states.count(s)) return invalid(fmt::format("final state '{}' is unreachable", s));
  }
  for (const auto& w : type.waits) {
    if (!states.count(w.state)) return invalid(fmt::format("wait state '{}' is not a state", w.state));
    if (!w.step.empty() && rules_.Find(w.step) == nullptr) {
      return invalid(fmt::format("step '{}' is not in rule pack {}", w.step, rules_.id()));
    }
  }
  if (!type.extendable_step.empty()) {
    const auto* step = rules_.Find(type.extendable_step);
    if (step == nullptr || step->max_extensions == 0) {
      return invalid(fmt::format("step '{}' allows no extension in rule pack {}", type.extendable_step, rules_.id()));
    }
  }
  types_.emplace(type.id, std::move(type));
  return Status::Ok();
}

const CaseType* CaseService::FindType(std::string_view id) const {
  const auto it = types_.find(id);
  return it == types_.end() ? nullptr : &it->second;
}

// ---- parties and visibility ----------------------------------------------------------------------------------------

bool CaseService::ActsFor(const Principal& p, const Case& c, Party party) const {
  if (p.kind != Principal::Kind::kUser) return false;
  switch (party) {
    case Party::kRequester:
      return p.department_id == c.requester_department_id;
    case Party::kProvider:
      return c.provider_department_id && p.department_id == *c.provider_department_id;
    case Party::kAuthority:
      // Art. 4, 17: the authority of the case's region, or of a level above it.
      return p.at_authority && regions_.IsWithin(c.region_id, p.region_id);
  }
  return false;
}

bool CaseService::CanSee(const Principal& p, const Case& c) const {
  if (Sees(p, Role::kPlatformAdmin) || Sees(p, Role::kAuditor)) return true;
  return ActsFor(p, c, Party::kRequester) || ActsFor(p, c, Party::kProvider) || ActsFor(p, c, Party::kAuthority) ||
         (c.responsible_department_id && p.department_id == *c.responsible_department_id);
}

Result<std::optional<std::int64_t>> CaseService::AuthorityOf(const std::string& region_id) {
  // The region's own authority, else the nearest one above it (a county without one is served by its city).
  std::optional<std::string> region = region_id;
  for (int hops = 0; region && hops < 16; ++hops) {
    org::DepartmentFilter filter;
    filter.region_id = *region;
    filter.kind = org::DepartmentKind::kAuthority;
    auto found = org_.ListDepartments(filter, {0, 1});
    if (!found.ok()) return found.status();
    if (!found->empty()) return std::optional<std::int64_t>(found->front().id);
    const auto* r = regions_.Find(*region);
    region = r ? r->parent_id : std::nullopt;
  }
  return std::optional<std::int64_t>();
}

Result<std::optional<std::int64_t>> CaseService::DepartmentFor(const Case& c, Party party) {
  switch (party) {
    case Party::kRequester:
      return std::optional<std::int64_t>(c.requester_department_id);
    case Party::kProvider:
      return c.provider_department_id;
    case Party::kAuthority:
      return AuthorityOf(c.region_id);
  }
  return std::optional<std::int64_t>();
}

// ---- entering a state -------------------------------------------------------------------------------------------

Status CaseService::Enter(Case& c, const CaseType& type, const std::string& state, std::vector<InboxItem>& notify) {
  const common::UnixSeconds now = clock_.Now();
  c.state = state;
  c.updated_at = now;
  c.reminded = false;
  c.overdue = false;
  c.step.reset();
  c.step_started_at.reset();
  c.due_at.reset();
  c.responsible_department_id.reset();
  if (type.IsFinal(state)) {
    c.closed_at = now;
    notify.push_back({0, std::nullopt, c.requester_department_id, std::nullopt, "decided",
                      fmt::format("{}：{}（{}）", type.name, c.subject,
                                  type.state_labels.count(state) ? type.state_labels.at(state) : state),
                      now, std::nullopt});
    return Status::Ok();
  }
  const WaitRule* wait = type.WaitIn(state);
  if (wait == nullptr) return Status::Ok();
  auto responsible = DepartmentFor(c, wait->party);
  if (!responsible.ok()) return responsible.status();
  c.responsible_department_id = responsible.value();
  std::string due_text;
  if (!wait->step.empty()) {
    const auto* step = rules_.Find(wait->step);
    auto due = calendar_.DueTime(now, step->working_days);
    if (!due.ok()) return due.status();  // e.g. calendar_year_missing: refuse rather than guess a deadline
    c.step = wait->step;
    c.step_started_at = now;
    c.due_at = due.value();
    due_text = fmt::format("，{}个工作日内办理，截止 {}（第{}条）", step->working_days,
                           common::FormatLocalMinute(due.value()), step->article);
  }
  if (c.responsible_department_id) {
    notify.push_back({0, std::nullopt, *c.responsible_department_id, std::nullopt, "assigned",
                      fmt::format("待办：{}：{}{}", type.name, c.subject, due_text), now, std::nullopt});
  }
  return Status::Ok();
}

// ---- opening, reading, transitions ------------------------------------------------------------------------------

Result<Case> CaseService::Open(const Principal* actor, const NewCase& request) {
  const CaseType* type = FindType(request.type);
  if (type == nullptr) return Status::Invalid("unknown_case_type", fmt::format("no case type '{}'", request.type));
  if (regions_.Find(request.region_id) == nullptr) {
    return Status::Unprocessable("unknown_region", "the case's region does not exist", "/region_id");
  }
  Case c;
  c.type = type->id;
  c.subject = request.subject;
  c.reference = request.reference;
  c.parent_id = request.parent_id;
  c.requester_department_id = request.requester_department_id;
  c.provider_department_id = request.provider_department_id;
  c.region_id = request.region_id;
  c.created_by = actor ? actor->id : 0;
  c.created_at = clock_.Now();
  std::vector<InboxItem> notify;
  GOVSHARE_RETURN_IF_ERROR(Enter(c, *type, type->initial_state, notify));
  const auto roles = actor ? actor->roles.Names() : std::vector<std::string>{};
  HistoryEntry h{
      0,           c.created_by, roles.empty() ? "" : roles.front(), "open", "", type->initial_state, request.comment,
      c.created_at};
  GOVSHARE_RETURN_IF_ERROR(store_.CreateCase(c, h, notify, request.domain_change));
  return c;
}

std::vector<const Transition*> CaseService::Available(const Principal& p, const Case& c, const CaseType& type) const {
  std::vector<const Transition*> out;
  if (c.closed_at) return out;
  const WaitRule* wait = type.WaitIn(c.state);
  for (const auto& t : type.transitions) {
    if (t.from != c.state || RoleOf(p, t).empty()) continue;
    if (wait != nullptr && !ActsFor(p, c, wait->party)) continue;
    out.push_back(&t);
  }
  return out;
}

Result<CaseView> CaseService::Get(const Principal& p, std::int64_t id) {
  auto found = store_.GetCase(id);
  if (!found.ok()) return found.status();
  if (!found.value() || !CanSee(p, *found.value())) return Status::NotFound(fmt::format("case {} does not exist", id));
  CaseView view;
  view.c = std::move(*found.value());
  view.type = FindType(view.c.type);
  auto history = store_.History(id);
  if (!history.ok()) return history.status();
  view.history = std::move(history.value());
  if (view.type != nullptr) view.available = Available(p, view.c, *view.type);
  auto attachments = store_.Attachments(id);
  if (!attachments.ok()) return attachments.status();
  view.attachments = std::move(attachments.value());
  return view;
}

Result<std::vector<Case>> CaseService::List(const Principal& p, CaseFilter filter, bool mine,
                                            const org::PageRequest& page) {
  if (p.kind != Principal::Kind::kUser) return Status::Forbidden("applications have no cases");
  if (mine) filter.responsible_department_id = p.department_id;
  if (!Sees(p, Role::kPlatformAdmin) && !Sees(p, Role::kAuditor)) {
    if (p.at_authority) {
      std::vector<std::string> subtree;
      for (const auto& r : regions_.all()) {
        if (regions_.IsWithin(r.id, p.region_id)) subtree.push_back(r.id);
      }
      filter.region_ids = std::move(subtree);
    }
    filter.department_id = p.department_id;
  }
  return store_.ListCases(filter, page);
}

Result<Case> CaseService::Fire(const Principal& p, std::int64_t id, const TransitionRequest& request) {
  if (request.comment.size() > kMaxCommentChars * 4 || common::Utf8Length(request.comment) > kMaxCommentChars) {
    return Status::Invalid("too_long", "comment is too long", "/comment");
  }
  if (request.idempotency_key) {
    auto used = store_.FindIdempotent(*request.idempotency_key, p.id);
    if (!used.ok()) return used.status();
    if (used.value()) {
      if (*used.value() != id) {
        return Status::Conflict("idempotency_key_reused", "this Idempotency-Key was used for another case");
      }
      auto view = Get(p, id);  // a replay: the result of the first request, no second transition
      if (!view.ok()) return view.status();
      return view->c;
    }
  }
  auto view = Get(p, id);
  if (!view.ok()) return view.status();
  Case c = view->c;
  const CaseType* type = view->type;
  if (type == nullptr) return Status::Internal("case of an unregistered type");
  // Optimistic concurrency first: a client acting on an old view learns that before anything else.
  if (request.version != c.version) {
    return Status::Conflict("version_conflict", "the case was changed by someone else; reload and try again",
                            "/version");
  }
  if (c.closed_at) return Status::Conflict("case_closed", "the case is closed");
  const Transition* t = nullptr;
  for (const auto& candidate : type->transitions) {
    if (candidate.action == request.action && candidate.from == c.state) t = &candidate;
  }
  if (t == nullptr) {
    return Status::Unprocessable("invalid_transition",
                                 fmt::format("'{}' is not possible in state '{}'", request.action, c.state), "/action");
  }
  const std::string role = RoleOf(p, *t);
  const WaitRule* wait = type->WaitIn(c.state);
  if (role.empty() || (wait != nullptr && !ActsFor(p, c, wait->party))) {
    return Status::Forbidden(fmt::format("you may not '{}' this case", request.action));
  }
  if (t->requires_comment && request.comment.find_first_not_of(" \t\n") == std::string::npos) {
    return Status::Unprocessable("reason_required", fmt::format("'{}' needs a reason", request.action), "/comment");
  }
  DomainChange hook_change;
  if (type->on_transition) {
    auto hooked = type->on_transition(c, *t, p, request.comment, request.payload);
    if (!hooked.ok()) return hooked.status();
    hook_change = std::move(hooked.value());
  }
  TransitionWrite write;
  write.expected_version = c.version;
  write.idempotency_key = request.idempotency_key;
  const std::string from = c.state;
  if (t->moves_up) {
    const auto* region = regions_.Find(c.region_id);
    if (region == nullptr || !region->parent_id) {
      return Status::Unprocessable("no_higher_level", "the case is already at the top of the region tree");
    }
    c.region_id = *region->parent_id;
  }
  GOVSHARE_RETURN_IF_ERROR(Enter(c, *type, t->to, write.notifications));
  write.history = {c.id, p.id, role, t->action, from, t->to, request.comment, clock_.Now()};
  if (type->id == kExtensionType && t->to == "approved" && c.parent_id) {
    // Art. 9, 16: the approval moves the parent's deadline once, by the step's extension, counted from its due day.
    auto parent = store_.GetCase(*c.parent_id);
    if (!parent.ok()) return parent.status();
    if (!parent.value() || !parent.value()->due_at || !parent.value()->step) {
      return Status::Conflict("extension_not_applicable", "the parent case no longer waits on an extendable step");
    }
    const auto* step = rules_.Find(*parent.value()->step);
    auto new_due_day =
        calendar_.AddWorkingDays(calendar::ShanghaiDay(*parent.value()->due_at), step->extension_working_days);
    if (!new_due_day.ok()) return new_due_day.status();
    write.extend_parent = {*c.parent_id, calendar::EndOfShanghaiDay(new_due_day.value()), step->max_extensions};
  }
  write.updated = c;
  write.domain_change = [&request, &hook_change](store::Transaction& tx) {
    if (request.domain_change) GOVSHARE_RETURN_IF_ERROR(request.domain_change(tx));
    if (hook_change) GOVSHARE_RETURN_IF_ERROR(hook_change(tx));
    return Status::Ok();
  };
  Status s = store_.ApplyTransition(write);
  if (s.code() == "duplicate_request") {  // the same key raced in: answer as the replay does
    auto again = Get(p, id);
    if (!again.ok()) return again.status();
    return again->c;
  }
  GOVSHARE_RETURN_IF_ERROR(s);
  auto after = store_.GetCase(id);
  if (!after.ok()) return after.status();
  if (type->after_commit && after.value()) type->after_commit(*after.value());
  return *after.value();
}

Result<Case> CaseService::RequestExtension(const Principal& p, std::int64_t parent_id, const std::string& reason) {
  auto view = Get(p, parent_id);
  if (!view.ok()) return view.status();
  const Case& parent = view->c;
  const CaseType* type = view->type;
  if (type == nullptr || type->extendable_step.empty() || parent.step != type->extendable_step) {
    return Status::Unprocessable("not_extendable", "this case's current step cannot be extended");
  }
  const WaitRule* wait = type->WaitIn(parent.state);
  if (wait == nullptr || !ActsFor(p, parent, wait->party)) {
    return Status::Forbidden("only the party responsible for the step may ask for more time");
  }
  if (reason.find_first_not_of(" \t\n") == std::string::npos) {
    return Status::Unprocessable("reason_required", "an extension request needs a reason", "/reason");
  }
  const auto* step = rules_.Find(*parent.step);
  if (parent.extensions_used >= step->max_extensions) {
    return Status::Conflict("extension_limit", fmt::format("step '{}' may be extended {} time(s) (Art. {})", step->id,
                                                           step->max_extensions, step->article));
  }
  auto open = store_.OpenSubCases(parent_id);
  if (!open.ok()) return open.status();
  for (const auto& sub : open.value()) {
    if (sub.type == kExtensionType) return Status::Conflict("extension_pending", "an extension request is pending");
  }
  NewCase request;
  request.type = kExtensionType;
  request.subject = fmt::format("延期申请：{}", parent.subject);
  request.reference = fmt::format("case:{}", parent_id);
  request.requester_department_id = p.department_id;
  request.region_id = parent.region_id;
  request.parent_id = parent_id;
  request.comment = reason;
  return Open(&p, request);
}

// ---- attachments ------------------------------------------------------------------------------------------------

Result<Attachment> CaseService::Attach(const Principal& p, std::int64_t case_id, const std::string& filename,
                                       const std::string& content_type, std::string_view bytes) {
  constexpr std::size_t kMaxFilenameChars = 200;
  if (filename.empty() || common::Utf8Length(filename) > kMaxFilenameChars || !common::IsCleanText(filename) ||
      filename.find_first_of("/\\\n\r\t") != std::string::npos || filename == "." || filename == "..") {
    return Status::Invalid("invalid_filename", "give a file name of 1-200 characters without path separators",
                           "?filename");
  }
  if (bytes.empty()) return Status::Invalid("empty_file", "the file is empty");
  auto view = Get(p, case_id);
  if (!view.ok()) return view.status();
  const Case& c = view->c;
  if (!ActsFor(p, c, Party::kRequester) && !ActsFor(p, c, Party::kProvider) && !ActsFor(p, c, Party::kAuthority)) {
    return Status::Forbidden("only a party of the case may attach files");
  }
  if (c.closed_at) return Status::Conflict("case_closed", "the case is closed");
  auto sha = blobs_.Put(bytes);  // durable before the row that refers to it
  if (!sha.ok()) return sha.status();
  Attachment a{0,
               case_id,
               filename,
               content_type.empty() ? "application/octet-stream" : content_type,
               static_cast<std::int64_t>(bytes.size()),
               sha.value(),
               p.id,
               clock_.Now()};
  const auto roles = p.roles.Names();
  HistoryEntry h{case_id,
                 p.id,
                 roles.empty() ? "" : roles.front(),
                 "attach",
                 c.state,
                 c.state,
                 fmt::format("{} ({} bytes, sha256 {})", filename, bytes.size(), a.sha256),
                 a.uploaded_at};
  GOVSHARE_RETURN_IF_ERROR(store_.AddAttachment(a, h));
  return a;
}

Result<std::pair<Attachment, std::string>> CaseService::Download(const Principal& p, std::int64_t case_id,
                                                                 std::int64_t attachment_id) {
  auto view = Get(p, case_id);
  if (!view.ok()) return view.status();
  for (const auto& a : view->attachments) {
    if (a.id != attachment_id) continue;
    auto bytes = blobs_.Get(a.sha256);
    if (!bytes.ok()) return bytes.status();
    return std::make_pair(a, std::move(bytes.value()));
  }
  return Status::NotFound("no such attachment on this case");
}

// ---- deadline monitor -------------------------------------------------------------------------------------------

Result<int> CaseService::RunDeadlineMonitor() {
  const common::UnixSeconds now = clock_.Now();
  auto due = store_.CasesDueBefore(now + kMonitorLookaheadSeconds);
  if (!due.ok()) return due.status();
  const std::int64_t today = calendar::ShanghaiDay(now);
  int touched = 0;
  for (const auto& c : due.value()) {
    const CaseType* type = FindType(c.type);
    const std::int64_t due_day = calendar::ShanghaiDay(*c.due_at);
    if (*c.due_at < now) {
      auto late = calendar_.WorkingDaysBetween(due_day, today);
      OverdueEvidence e{c.id, c.step.value_or(""),         c.responsible_department_id, *c.due_at,
                        now,  late.ok() ? late.value() : 0};
      std::vector<InboxItem> notify;
      const std::string what = fmt::format("已超期：{}（截止 {}）", c.subject, common::FormatLocalMinute(*c.due_at));
      if (c.responsible_department_id) {
        notify.push_back({0, std::nullopt, *c.responsible_department_id, c.id, "overdue", what, now, std::nullopt});
      }
      const WaitRule* wait = type ? type->WaitIn(c.state) : nullptr;
      if (wait != nullptr && wait->on_deadline == OnDeadline::kEscalate) {
        auto authority = AuthorityOf(c.region_id);
        if (authority.ok() && authority.value()) {
          notify.push_back({0, std::nullopt, *authority.value(), c.id, "escalated", what, now, std::nullopt});
        }
      }
      GOVSHARE_RETURN_IF_ERROR(store_.MarkOverdue(e, notify));
      ++touched;
      continue;
    }
    if (c.reminded) continue;
    auto left = calendar_.WorkingDaysBetween(today, due_day);
    if (!left.ok() || left.value() > 1) continue;
    std::vector<InboxItem> notify;
    if (c.responsible_department_id) {
      notify.push_back({0, std::nullopt, *c.responsible_department_id, c.id, "reminder",
                        fmt::format("即将到期：{}（截止 {}）", c.subject, common::FormatLocalMinute(*c.due_at)), now,
                        std::nullopt});
    }
    GOVSHARE_RETURN_IF_ERROR(store_.MarkReminded(c.id, notify));
    ++touched;
  }
  return touched;
}

// ---- inbox ------------------------------------------------------------------------------------------------------

Result<std::vector<InboxItem>> CaseService::Inbox(const Principal& p, bool unread_only, const org::PageRequest& page) {
  if (p.kind != Principal::Kind::kUser) return Status::Forbidden("applications have no inbox");
  return store_.ListInbox(p.id, p.department_id, unread_only, page);
}

Status CaseService::MarkRead(const Principal& p, std::int64_t item_id) {
  if (p.kind != Principal::Kind::kUser) return Status::Forbidden("applications have no inbox");
  return store_.MarkInboxRead(item_id, p.id, p.department_id, clock_.Now());
}

Result<std::vector<OverdueEvidence>> CaseService::Evidence(const Principal& p, std::int64_t case_id) {
  auto view = Get(p, case_id);
  if (!view.ok()) return view.status();
  return store_.ListOverdueEvidence(case_id);
}

Result<DeadlineCompliance> CaseService::Compliance(const std::vector<std::string>& types) {
  return store_.CountDeadlineCompliance(types);
}

Result<std::vector<DepartmentOverdue>> CaseService::OverdueByDepartment() { return store_.CountOverdueByDepartment(); }

}  // namespace govshare::workflow
