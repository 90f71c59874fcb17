#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <functional>
#include <map>
#include <memory>

#include "common/clock.hpp"
#include "common/status.hpp"
#include "org/model.hpp"
#include "store/transaction.hpp"

namespace govshare::workflow {

using common::UnixSeconds;

/// Who must act while a case waits in a state.
enum class Party {
  kRequester,  // the department that opened the case
  kProvider,   // the department whose data or catalog the case is about
  kAuthority,  // the data-sharing authority of the case's region
};
std::string_view PartyName(Party p);

/// What the deadline monitor does when a waiting state's due time passes. A reminder is always sent one working day
/// before the due time.
enum class OnDeadline {
  kMarkOverdue,  // record the overdue step as evidence and tell the responsible department
  kEscalate,     // the same, and tell the authority's heads (Art. 28: authorities supervise and order corrections)
};

/// A transition of a case type: `action` moves a case from `from` to `to`. Only users holding one of `roles` and acting
/// for the party responsible in `from` may fire it.
struct Transition {
  std::string action;
  std::string from;
  std::string to;
  std::vector<org::Role> roles;
  bool requires_comment = false;  // e.g. a refusal or a return must give reasons (Art. 8, 15)
  /// Art. 17: the case moves to the parent region, so that the next authority up acts on it (a routing hop).
  bool moves_up = false;
};

/// A state in which the case waits for a party, with the rule-pack step that sets its deadline.
struct WaitRule {
  std::string state;
  Party party = Party::kAuthority;
  std::string step;  // rule-pack step id, e.g. "catalog_review"; empty: the party acts without a statutory limit
  OnDeadline on_deadline = OnDeadline::kMarkOverdue;
};

/// A change to a capability's own data that must commit or roll back together with a case write. It runs inside the
/// store's transaction after the case checks passed; a non-OK Status rolls back the whole write.
using DomainChange = std::function<common::Status(store::Transaction&)>;

struct Case;
/// The same for opening a case; it sees the new case (with its id).
using OpenChange = std::function<common::Status(store::Transaction&, const Case& opened)>;

/// A capability's part in a transition of its case type, however the transition is fired (its own API or the generic
/// case API): it may refuse the transition (e.g. a catalog that breaks the compilation rules cannot be submitted) and
/// returns the change to its own data that commits atomically with it.
using TransitionHook = std::function<common::Result<DomainChange>(
    const Case& before, const Transition& t, const org::Principal& actor, const std::string& comment,
    const std::shared_ptr<const void>& payload)>;  // payload: what the capability's own route passed along
/// Called after a transition of the type committed (e.g. to refresh an in-memory index).
using CommitHook = std::function<void(const Case& after)>;

/// A case type: a declarative state machine. Later capabilities (catalog, sharing, quality) declare theirs.
struct CaseType {
  std::string id;
  std::string name;
  std::string initial_state;
  std::vector<std::string> final_states;
  std::vector<Transition> transitions;
  std::vector<WaitRule> waits;
  /// The rule-pack step whose extension rule applies to this type (Art. 9, 16); empty: not extendable.
  std::string extendable_step;
  std::map<std::string, std::string> state_labels;  // state → Chinese label, for notifications; optional
  TransitionHook on_transition;                     // optional
  CommitHook after_commit;                          // optional

  const WaitRule* WaitIn(std::string_view state) const;
  bool IsFinal(std::string_view state) const;
};

struct Case {
  std::int64_t id = 0;
  std::string type;
  std::string state;
  std::string subject;
  std::optional<std::string> reference;   // the domain object, e.g. "catalog_entry:42"
  std::optional<std::int64_t> parent_id;  // extension requests are sub-cases of the case they extend
  std::int64_t requester_department_id = 0;
  std::optional<std::int64_t> provider_department_id;
  std::string region_id;            // the region whose authority handles the case
  std::optional<std::string> step;  // the rule-pack step the current state waits on
  std::optional<UnixSeconds> step_started_at;
  std::optional<UnixSeconds> due_at;
  std::optional<std::int64_t> responsible_department_id;
  bool reminded = false;
  bool overdue = false;
  int extensions_used = 0;
  std::int64_t created_by = 0;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::optional<UnixSeconds> closed_at;
  std::int64_t version = 1;
};

struct HistoryEntry {
  std::int64_t case_id = 0;
  std::int64_t actor_id = 0;  // 0: the platform (deadline monitor)
  std::string actor_role;
  std::string action;
  std::string from_state;
  std::string to_state;
  std::string comment;
  UnixSeconds at = 0;
};

/// Evidence of a step not done in time (Art. 28–30 assessment and violations read these).
struct OverdueEvidence {
  std::int64_t case_id = 0;
  std::string step;
  std::optional<std::int64_t> responsible_department_id;
  UnixSeconds due_at = 0;
  UnixSeconds detected_at = 0;
  int working_days_late = 0;
};

/// A file attached to a case (evidence, a reply letter); the bytes live in the blob store under their SHA-256.
struct Attachment {
  std::int64_t id = 0;
  std::int64_t case_id = 0;
  std::string filename;
  std::string content_type;
  std::int64_t size = 0;
  std::string sha256;
  std::int64_t uploaded_by = 0;
  UnixSeconds uploaded_at = 0;
};

/// A department's webhook: every inbox item for the department is also POSTed to `url`, signed with `secret`.
struct Webhook {
  std::int64_t id = 0;
  std::int64_t department_id = 0;
  std::string url;
  std::string secret;
  bool active = true;
  std::int64_t created_by = 0;
  UnixSeconds created_at = 0;
};

/// One notification to one webhook: a durable outbox row, retried with backoff until delivered or given up.
struct Delivery {
  std::int64_t id = 0;
  std::int64_t webhook_id = 0;
  std::string event;
  std::string payload;
  std::string status;  // pending, delivered, failed
  int attempts = 0;
  UnixSeconds next_attempt_at = 0;
  std::optional<std::int64_t> last_status;
  std::optional<std::string> last_error;
  std::optional<UnixSeconds> delivered_at;
  UnixSeconds created_at = 0;
  // Joined from the webhook for sending.
  std::string url;
  std::string secret;
};

struct InboxItem {
  std::int64_t id = 0;
  std::optional<std::int64_t> user_id;
  std::optional<std::int64_t> department_id;
  std::optional<std::int64_t> case_id;
  std::string kind;  // assigned, reminder, overdue, escalated, decided
  std::string message;
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> read_at;
};

}  // namespace govshare::workflow
