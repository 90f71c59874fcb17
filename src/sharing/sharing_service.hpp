#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/catalog_service.hpp"
#include "common/clock.hpp"
#include "common/versioned_cache.hpp"
#include "org/org_store.hpp"
#include "org/permissions.hpp"
#include "sharing/sharing_store.hpp"
#include "workflow/case_service.hpp"

namespace govshare::sharing {

inline constexpr const char* kConditionalCase = "share_conditional";      // Art. 15, 17
inline constexpr const char* kUnconditionalCase = "share_unconditional";  // Art. 15
inline constexpr const char* kOutwardCase = "share_outward";              // Art. 17: national or other-province data

struct NewRequest {
  std::int64_t entry_id = 0;
  std::int64_t application_id = 0;
  std::vector<std::string> items;
  Scenario scenario;
  bool accept_commitments = false;
};

/// A request for data held by a ministry or another province (Art. 17).
struct NewOutwardRequest {
  std::int64_t application_id = 0;
  std::string level;     // national, other_province
  std::string holder;    // the ministry, or the other province's department
  std::string resource;  // as the holder's catalog names it
  std::vector<std::string> items;
  Scenario scenario;
  bool accept_commitments = false;
};

struct SharingOptions {
  bool auto_grant_unconditional = true;  // issue the grant at once for a valid unconditional request
  bool auto_provide = true;              // the authority provides at once after the provider's yes
};

/// Supply-demand matching (供需对接, Art. 14-17): requests for catalog entries with a declared scenario, the statutory
/// paths as cases (routing up the region tree, authority review, the provider's answer, objection and decision), and
/// the grants the exchange enforces. Thread-safe after Start().
class SharingService {
 public:
  SharingService(SharingStore& store, catalog::CatalogService& catalog, workflow::CaseService& cases,
                 org::OrgStore& org, const org::RegionTree& regions, const org::Authorizer& authorizer,
                 const common::Clock& clock, SharingOptions options = {});

  common::Status Start();

  common::Result<ShareRequest> Submit(const org::Principal& p, const NewRequest& request);
  common::Result<ShareRequest> Get(const org::Principal& p, std::int64_t id);
  /// `as`: requester (the caller's department asked), provider (asked of it), authority (in its region), all.
  common::Result<std::vector<ShareRequest>> List(const org::Principal& p, const std::string& as,
                                                 const std::optional<std::string>& state, const org::PageRequest& page);
  /// The provider answers: yes, terms (narrower terms) or no (reasons required).
  common::Result<ShareRequest> Answer(const org::Principal& p, std::int64_t id, const std::string& decision,
                                      const std::string& reasons, const std::optional<Terms>& terms);
  common::Result<ShareRequest> Object(const org::Principal& p, std::int64_t id, const std::string& reason);
  /// The authority's binding decision on an objection: uphold (the refusal stands) or order (sharing on terms).
  common::Result<ShareRequest> Decide(const org::Principal& p, std::int64_t id, const std::string& decision,
                                      const std::string& reasons, const std::optional<Terms>& terms);

  /// Requests for national or other-province data: marked for the provincial authority (a case at the root region),
  /// which forwards them (`forward_out`) and records the answer (`record_answer`) or rejects them.
  common::Result<OutwardRequest> SubmitOutward(const org::Principal& p, const NewOutwardRequest& request);
  common::Result<OutwardRequest> GetOutward(const org::Principal& p, std::int64_t id);
  /// `as`: requester (the caller's department asked), authority (in its region), all.
  common::Result<std::vector<OutwardRequest>> ListOutward(const org::Principal& p, const std::string& as,
                                                          const std::optional<std::string>& state,
                                                          const org::PageRequest& page);

  common::Result<Grant> GetGrant(const org::Principal& p, const std::string& id);
  /// A page of the grants the caller sees, `as` consumer, provider or all (an application: its own), of one catalog
  /// entry or of all, in the page's order (created_at, valid_to or status; see SharingStore::ListGrants).
  common::Result<std::vector<Grant>> Grants(const org::Principal& p, const std::string& as,
                                            std::optional<std::int64_t> entry_id, const org::PageRequest& page);
  /// suspend, resume or revoke (final), with a reason: the provider department or the authority.
  common::Result<Grant> ChangeGrant(const org::Principal& p, const std::string& id, const std::string& action,
                                    const std::string& reason);
  /// The grant as the exchange checks it, cached until its status changes; null if there is no such grant.
  std::shared_ptr<const CompiledGrant> Compile(const std::string& id);
  /// Drops the cached grant `id` (another node changed it), or every cached grant when `id` is empty.
  void Forget(const std::string& id);

 private:
  common::Status RegisterCaseTypes();
  common::Result<workflow::DomainChange> OnTransition(const workflow::Case& c, const workflow::Transition& t,
                                                      const std::string& comment,
                                                      const std::shared_ptr<const void>& payload);
  common::Result<workflow::DomainChange> OnOutwardTransition(const workflow::Case& c, const workflow::Transition& t,
                                                             const std::string& comment);
  void AfterCommit(const workflow::Case& c);
  common::Status CheckApplication(const org::Principal& p, std::int64_t application_id) const;
  common::Result<ShareRequest> Fire(const org::Principal& p, std::int64_t id, const std::string& action,
                                    const std::string& comment, std::shared_ptr<const void> payload);
  common::Result<Grant> MakeGrant(const ShareRequest& r);
  bool SeesRequest(const org::Principal& p, const ShareRequest& r) const;
  bool SeesGrant(const org::Principal& p, const Grant& g) const;
  bool SeesOutward(const org::Principal& p, const OutwardRequest& r) const;
  bool AtAuthorityOver(const org::Principal& p, std::int64_t department_id) const;
  std::vector<std::string> RowScope(std::int64_t department_id) const;
  org::Principal Platform(const std::string& region_id) const;  // the platform acting for an authority

  SharingStore& store_;
  catalog::CatalogService& catalog_;
  workflow::CaseService& cases_;
  org::OrgStore& org_;
  const org::RegionTree& regions_;
  const org::Authorizer& authorizer_;
  const common::Clock& clock_;
  SharingOptions options_;
  using GrantCache = common::VersionedCache<std::string, std::shared_ptr<const CompiledGrant>>;
  GrantCache cache_;
};

}  // namespace govshare::sharing
