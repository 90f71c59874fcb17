#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace govshare::sharing {

using common::UnixSeconds;

/// How the requester will use the data (Art. 14: no other manner than the one declared).
const std::vector<std::string_view>& Manners();  // lookup, verify, bulk, subscribe, aggregate
bool IsManner(std::string_view m);

/// The declared scenario of a request (Art. 14, 15): bound to every grant issued from it.
struct Scenario {
  std::string purpose;              // business purpose
  std::string legal_basis;          // law and article, or duty
  std::string scope;                // scope of use
  std::string manner;               // Manners()
  std::int64_t volume_per_day = 0;  // expected calls or rows per day
  int validity_days = 0;            // requested validity
  std::string service_matter;       // optional government service matter (事项) code
};

/// The name of a manner of use in the case records (查询, 核验, ...); an unknown manner as it is.
std::string_view MannerName(std::string_view m);
/// The scenario as the comment of the case a request opens: purpose, legal basis, scope and manner, in Chinese.
std::string ScenarioSummary(const Scenario& s);

/// What is granted: the request's terms, or the provider's narrower ones.
struct Terms {
  std::vector<std::string> items;
  int validity_days = 0;
  std::int64_t volume_per_day = 0;
  /// Item → mask rule. Absent: the data element's default mask; "none": the provider allows it unmasked.
  std::map<std::string, std::string> masks;
};

struct ShareRequest {
  std::int64_t id = 0;
  std::int64_t requester_department_id = 0;
  std::int64_t application_id = 0;
  std::int64_t entry_id = 0;
  int entry_version = 0;  // the published version requested
  std::int64_t provider_department_id = 0;
  std::string share_type;  // of that version: unconditional, conditional
  std::vector<std::string> items;
  Scenario scenario;
  UnixSeconds commitments_accepted_at = 0;  // Art. 14 commitments, accepted with the request
  std::string state;                        // mirrors the case's state
  std::optional<std::int64_t> case_id;
  std::optional<Terms> terms;  // the provider's or the authority's terms (absent: as requested)
  std::string refusal_reasons;
  std::string objection;
  std::string decision;  // the authority's binding decision after an objection
  std::optional<std::string> grant_id;
  std::int64_t created_by = 0;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
};

/// A request for data held outside the province (Art. 17): by a ministry (national) or by another province. It is
/// marked for the provincial authority, which forwards it through the national sharing platform and records the answer;
/// the outward link itself comes with federation.
struct OutwardRequest {
  std::int64_t id = 0;
  std::int64_t requester_department_id = 0;
  std::int64_t application_id = 0;
  std::string level;     // OutwardLevels(): national, other_province
  std::string holder;    // who holds the data: the ministry, or the other province's department
  std::string resource;  // the resource as the holder's catalog names it (name and code if known)
  std::vector<std::string> items;
  Scenario scenario;
  UnixSeconds commitments_accepted_at = 0;
  std::string state;  // mirrors the case: reviewing, forwarded, answered, rejected
  std::optional<std::int64_t> case_id;
  std::string forward_reference;  // where and under which number the authority forwarded it
  std::string outcome;            // the holder's answer as the authority recorded it, or the authority's reasons
  std::int64_t created_by = 0;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
};

const std::vector<std::string_view>& OutwardLevels();  // national, other_province

/// An issued grant: immutable except its status. The exchange enforces it on every call (Art. 14, 30).
struct Grant {
  std::string id;  // gr_ + a random token
  std::int64_t request_id = 0;
  std::int64_t consumer_department_id = 0;
  std::int64_t application_id = 0;
  std::int64_t provider_department_id = 0;
  std::int64_t entry_id = 0;
  int entry_version = 0;
  std::vector<std::string> items;
  std::map<std::string, std::string> masks;  // item → mask rule ("none": unmasked)
  std::vector<std::string> row_scope;        // division-code prefixes of the consumer's jurisdiction; empty: all
  std::string manner;
  Scenario scenario;
  UnixSeconds valid_from = 0;
  UnixSeconds valid_to = 0;
  std::int64_t quota_per_day = 0;
  std::int64_t rate_per_minute = 0;
  std::string status;  // active, suspended, revoked
  std::string status_reason;
  std::optional<UnixSeconds> status_changed_at;
  std::optional<std::int64_t> status_changed_by;
  UnixSeconds created_at = 0;
};

/// A grant in the form the exchange checks on every call; built once per grant and status.
struct CompiledGrant {
  Grant grant;
  /// OK, or the reason the access is denied: grant_suspended, grant_revoked, grant_not_yet_valid, grant_expired,
  /// manner_not_granted, item_not_granted.
  std::string Check(UnixSeconds now, std::string_view manner, const std::vector<std::string>& items) const;
};

}  // namespace govshare::sharing
