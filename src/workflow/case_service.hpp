#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "calendar/calendar.hpp"
#include "common/clock.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"
#include "store/blob_store.hpp"
#include "workflow/case_store.hpp"

namespace govshare::workflow {

/// The built-in sub-case type for extension requests (Art. 9, 16).
inline constexpr const char* kExtensionType = "extension";

struct NewCase {
  std::string type;
  std::string subject;
  std::optional<std::string> reference;
  std::int64_t requester_department_id = 0;
  std::optional<std::int64_t> provider_department_id;
  std::string region_id;
  std::optional<std::int64_t> parent_id;
  std::string comment;       // the opening history entry's comment (e.g. an extension's reason)
  OpenChange domain_change;  // the capability's own write, committed atomically with the new case
};

struct TransitionRequest {
  std::string action;
  std::string comment;
  std::int64_t version = 0;
  std::optional<std::string> idempotency_key;
  DomainChange domain_change;           // the capability's own write, committed atomically with the transition
  std::shared_ptr<const void> payload;  // handed to the type's on_transition hook (e.g. a provider's answer terms)
};

struct CaseView {
  Case c;
  const CaseType* type = nullptr;
  std::vector<HistoryEntry> history;
  std::vector<const Transition*> available;  // what the viewer may fire now
  std::vector<Attachment> attachments;
};

/// The case engine: every statutory process is a case of a declared type. Opening a case and every transition compute
/// the deadline of the state entered on the working-day calendar with the rule pack's limit, set the responsible
/// department, write the history and notify the inbox, in one durable write. Thread-safe after the types are
/// registered (RegisterType is for start-up).
class CaseService {
 public:
  CaseService(CaseStore& store, store::BlobStore& blobs, org::OrgStore& org, const org::RegionTree& regions,
              const calendar::WorkingCalendar& calendar, const calendar::RulePack& rules, const common::Clock& clock);

  /// Validates and adds a case type: states referenced by transitions exist, every step is in the rule pack, every
  /// transition names roles. Fails at start-up rather than at the first case.
  common::Status RegisterType(CaseType type);
  const CaseType* FindType(std::string_view id) const;
  const calendar::RulePack& rules() const { return rules_; }

  /// Opens a case (capabilities call this when their process starts). `actor` is null for the platform.
  common::Result<Case> Open(const org::Principal* actor, const NewCase& request);
  common::Result<CaseView> Get(const org::Principal& p, std::int64_t id);
  common::Result<std::vector<Case>> List(const org::Principal& p, CaseFilter filter, bool mine,
                                         const org::PageRequest& page);
  common::Result<Case> Fire(const org::Principal& p, std::int64_t id, const TransitionRequest& request);
  /// Art. 9, 16: the party responsible for an extendable step asks the authority for more time, once.
  common::Result<Case> RequestExtension(const org::Principal& p, std::int64_t parent_id, const std::string& reason);

  /// Attaches a file to an open case; any party of the case may. The file is kept under its SHA-256 and the
  /// attachment is recorded in the case's history.
  common::Result<Attachment> Attach(const org::Principal& p, std::int64_t case_id, const std::string& filename,
                                    const std::string& content_type, std::string_view bytes);
  /// An attachment and its bytes, verified against the recorded hash.
  common::Result<std::pair<Attachment, std::string>> Download(const org::Principal& p, std::int64_t case_id,
                                                              std::int64_t attachment_id);

  /// One pass of the deadline monitor: reminders one working day before a due time, overdue marks and evidence after
  /// it. State-based, so a pass after downtime catches up on everything missed. Returns how many cases it touched.
  common::Result<int> RunDeadlineMonitor();

  common::Result<std::vector<InboxItem>> Inbox(const org::Principal& p, bool unread_only, const org::PageRequest& page);
  common::Status MarkRead(const org::Principal& p, std::int64_t item_id);
  common::Result<std::vector<OverdueEvidence>> Evidence(const org::Principal& p, std::int64_t case_id);
  /// Platform-wide deadline aggregates for the dashboard (counts only, so no visibility check): the compliance of the
  /// cases of `types`, and the cases that were late per responsible department.
  common::Result<DeadlineCompliance> Compliance(const std::vector<std::string>& types);
  common::Result<std::vector<DepartmentOverdue>> OverdueByDepartment();

 private:
  bool CanSee(const org::Principal& p, const Case& c) const;
  bool ActsFor(const org::Principal& p, const Case& c, Party party) const;
  common::Result<std::optional<std::int64_t>> AuthorityOf(const std::string& region_id);
  common::Result<std::optional<std::int64_t>> DepartmentFor(const Case& c, Party party);
  /// Sets step, due time, responsible department and closure for `c` entering `state`; adds the notifications.
  common::Status Enter(Case& c, const CaseType& type, const std::string& state, std::vector<InboxItem>& notify);
  std::vector<const Transition*> Available(const org::Principal& p, const Case& c, const CaseType& type) const;

  CaseStore& store_;
  store::BlobStore& blobs_;
  org::OrgStore& org_;
  const org::RegionTree& regions_;
  const calendar::WorkingCalendar& calendar_;
  const calendar::RulePack& rules_;
  const common::Clock& clock_;
  std::map<std::string, CaseType, std::less<>> types_;
};

}  // namespace govshare::workflow
