#include "org/permissions.hpp"

#include <fmt/format.h>

#include <array>

namespace govshare::org {
namespace {

struct Grant {
  Role role;
  Reach reach;
};

struct PermissionRow {
  Permission permission;
  std::string_view name;
  std::vector<Grant> grants;
};

constexpr Role kAllRoles[] = {Role::kPlatformAdmin,      Role::kAuthorityReviewer, Role::kAuthorityHead,
                              Role::kGovernmentApprover, Role::kCatalogManager,    Role::kDataSteward,
                              Role::kRequester,          Role::kAuditor,           Role::kContractor};

std::vector<Grant> Everyone() {
  std::vector<Grant> out;
  for (Role r : kAllRoles) out.push_back({r, Reach::kEverywhere});
  return out;
}

/// THE permission table. Art. 4: authorities administer their level and the levels below; departments manage their own
/// applications; auditors read everything (Art. 25, 27) but change nothing.
const std::vector<PermissionRow>& Table() {
  static const std::vector<PermissionRow> table = {
      {Permission::kRegionRead, "region.read", Everyone()},
      {Permission::kDepartmentRead, "department.read", Everyone()},
      {Permission::kDepartmentCreate,
       "department.create",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kAuthorityHead, Reach::kRegionSubtree}}},
      {Permission::kDepartmentUpdate,
       "department.update",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kAuthorityHead, Reach::kRegionSubtree}}},
      {Permission::kUserRead,
       "user.read",
       {{Role::kPlatformAdmin, Reach::kEverywhere},
        {Role::kAuthorityHead, Reach::kRegionSubtree},
        {Role::kAuditor, Reach::kEverywhere}}},
      {Permission::kUserCreate,
       "user.create",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kAuthorityHead, Reach::kRegionSubtree}}},
      {Permission::kUserUpdate,
       "user.update",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kAuthorityHead, Reach::kRegionSubtree}}},
      {Permission::kApplicationRead,
       "application.read",
       {{Role::kPlatformAdmin, Reach::kEverywhere},
        {Role::kAuthorityHead, Reach::kRegionSubtree},
        {Role::kDataSteward, Reach::kOwnDepartment},
        {Role::kAuditor, Reach::kEverywhere}}},
      {Permission::kApplicationCreate,
       "application.create",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kDataSteward, Reach::kOwnDepartment}}},
      {Permission::kApplicationUpdate,
       "application.update",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kDataSteward, Reach::kOwnDepartment}}},
      {Permission::kApiKeyCreate,
       "apikey.create",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kDataSteward, Reach::kOwnDepartment}}},
      {Permission::kApiKeyRevoke,
       "apikey.revoke",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kDataSteward, Reach::kOwnDepartment}}},
      {Permission::kCalendarRead, "calendar.read", Everyone()},
      // Art. 9, 15, 16: deadlines follow the official calendar; only administrators load a new year's schedule.
      {Permission::kCalendarManage, "calendar.manage", {{Role::kPlatformAdmin, Reach::kEverywhere}}},
      // Cases: every user sees the cases of its department or authority; the case engine checks each transition's
      // roles and the party the actor acts for.
      {Permission::kCaseRead, "case.read", Everyone()},
      {Permission::kCaseAct, "case.act", Everyone()},
      {Permission::kWebhookManage,
       "webhook.manage",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kDataSteward, Reach::kOwnDepartment}}},
      // Art. 25, 27: anyone may check the log's heads and proofs (they reveal no record); only auditors read records.
      {Permission::kAuditVerify, "audit.verify", Everyone()},
      {Permission::kAuditRead, "audit.read", {{Role::kAuditor, Reach::kEverywhere}}},
      // Art. 7-8: every user reads the published catalog (drafts only their department and its reviewers, decided by
      // the catalog service); departments compile their own; the authority of a level reviews its level and below.
      {Permission::kCatalogRead, "catalog.read", Everyone()},
      {Permission::kCatalogCompile, "catalog.compile", {{Role::kCatalogManager, Reach::kOwnDepartment}}},
      {Permission::kCatalogReview,
       "catalog.review",
       {{Role::kAuthorityReviewer, Reach::kRegionSubtree}, {Role::kAuthorityHead, Reach::kRegionSubtree}}},
      // Art. 5, 13: data elements and base/thematic databases are provincial standards.
      {Permission::kCatalogManage,
       "catalog.manage",
       {{Role::kPlatformAdmin, Reach::kEverywhere}, {Role::kAuthorityHead, Reach::kRegionSubtree}}},
      // Art. 14-17: every user sees the requests and grants of its department and, in an authority, of its region
      // (decided by the sharing service); requesters ask for their own department. Answers, objections, decisions and
      // grant changes are checked by the case engine's roles and parties and by the sharing service.
      {Permission::kShareRead, "share.read", Everyone()},
      {Permission::kShareRequest, "share.request", {{Role::kRequester, Reach::kOwnDepartment}}},
      // Art. 12: every user sees which datasets exist, their columns, counts and freshness (never their rows); only
      // the provider department aggregates its data (its applications too, checked by the exchange service).
      {Permission::kDatasetRead, "dataset.read", Everyone()},
      {Permission::kDataLoad,
       "data.load",
       {{Role::kDataSteward, Reach::kOwnDepartment}, {Role::kCatalogManager, Reach::kOwnDepartment}}},
      // Art. 28: the platform's supervision dashboard shows every user counts only (no record, no personal data).
      {Permission::kStatsRead, "stats.read", Everyone()},
  };
  return table;
}

const PermissionRow& Row(Permission p) { return Table()[static_cast<std::size_t>(p)]; }

int Width(Reach r) {
  switch (r) {
    case Reach::kEverywhere:
      return 3;
    case Reach::kRegionSubtree:
      return 2;
    case Reach::kOwnDepartment:
      return 1;
  }
  return 0;
}

}  // namespace

std::string_view PermissionName(Permission p) { return Row(p).name; }

void RegionTree::Reset(std::vector<Region> regions) {
  regions_ = std::move(regions);
  index_.clear();
  for (std::size_t i = 0; i < regions_.size(); ++i) index_.emplace(regions_[i].id, i);
}

const Region* RegionTree::Find(std::string_view id) const {
  const auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &regions_[it->second];
}

bool RegionTree::IsWithin(std::string_view region, std::string_view ancestor) const {
  const Region* r = Find(region);
  for (int hops = 0; r != nullptr && hops < 16; ++hops) {  // the tree is shallow; the bound guards against bad data
    if (r->id == ancestor) return true;
    if (!r->parent_id) return false;
    r = Find(*r->parent_id);
  }
  return false;
}

bool Authorizer::HasPermission(const Principal& p, Permission perm) const { return WidestReach(p, perm).has_value(); }

std::optional<Reach> Authorizer::WidestReach(const Principal& p, Permission perm) const {
  if (p.kind != Principal::Kind::kUser) return std::nullopt;  // applications use the data API, not administration
  std::optional<Reach> widest;
  for (const auto& g : Row(perm).grants) {
    if (!p.roles.Has(g.role)) continue;
    // Authority roles reach only through an authority: a region subtree grant needs the principal to sit in one.
    if (g.reach == Reach::kRegionSubtree && !p.at_authority) continue;
    if (!widest || Width(g.reach) > Width(*widest)) widest = g.reach;
  }
  return widest;
}

common::Status Authorizer::Check(const Principal& p, Permission perm, const Scope& scope) const {
  if (p.kind == Principal::Kind::kUser) {
    for (const auto& g : Row(perm).grants) {
      if (!p.roles.Has(g.role)) continue;
      switch (g.reach) {
        case Reach::kEverywhere:
          return common::Status::Ok();
        case Reach::kRegionSubtree:
          if (p.at_authority && regions_.IsWithin(scope.region_id, p.region_id)) return common::Status::Ok();
          break;
        case Reach::kOwnDepartment:
          if (scope.department_id && *scope.department_id == p.department_id) return common::Status::Ok();
          break;
      }
    }
  }
  return common::Status::Forbidden(fmt::format("not allowed: {}", PermissionName(perm)));
}

std::vector<std::string> Authorizer::PermissionNames(const Principal& p) const {
  std::vector<std::string> out;
  for (const auto& row : Table()) {
    if (HasPermission(p, row.permission)) out.emplace_back(row.name);
  }
  return out;
}

std::vector<std::string> Authorizer::PermissionsOfRole(Role role) {
  std::vector<std::string> out;
  for (const auto& row : Table()) {
    for (const auto& g : row.grants) {
      if (g.role == role) {
        out.emplace_back(row.name);
        break;
      }
    }
  }
  return out;
}

}  // namespace govshare::org
