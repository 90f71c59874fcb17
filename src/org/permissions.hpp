#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "org/model.hpp"

namespace govshare::org {

/// Everything a principal can be allowed to do. Routes and services name one of these; the table in permissions.cpp
/// says which roles hold it and how far their reach goes. Anything not in the table is denied.
enum class Permission {
  kRegionRead,
  kDepartmentRead,
  kDepartmentCreate,
  kDepartmentUpdate,
  kUserRead,
  kUserCreate,
  kUserUpdate,
  kApplicationRead,
  kApplicationCreate,
  kApplicationUpdate,
  kApiKeyCreate,
  kApiKeyRevoke,
  kCalendarRead,
  kCalendarManage,
  kCaseRead,
  kCaseAct,
  kWebhookManage,
  kAuditVerify,
  kAuditRead,
  kCatalogRead,
  kCatalogCompile,
  kCatalogReview,
  kCatalogManage,
  kShareRead,
  kShareRequest,
  kDatasetRead,
  kDataLoad,
  kStatsRead,
};
inline constexpr int kPermissionCount = 28;
std::string_view PermissionName(Permission p);

/// How far a grant of a permission reaches.
enum class Reach {
  kEverywhere,     // the whole platform
  kRegionSubtree,  // the principal's region and every region below it (an authority acts for its level and below)
  kOwnDepartment,  // the principal's own department only
};

/// The resource a permission is exercised on: its region and (if any) its owning department.
struct Scope {
  std::string region_id;
  std::optional<std::int64_t> department_id;
};

/// The region hierarchy in memory (regions are reference data, loaded at start-up). Thread-safe after construction.
class RegionTree {
 public:
  RegionTree() = default;
  explicit RegionTree(std::vector<Region> regions) { Reset(std::move(regions)); }
  /// Replaces the tree (start-up and `init` only: not safe while requests are served).
  void Reset(std::vector<Region> regions);
  const Region* Find(std::string_view id) const;
  /// True if `region` is `ancestor` or lies below it.
  bool IsWithin(std::string_view region, std::string_view ancestor) const;
  const std::vector<Region>& all() const { return regions_; }

 private:
  std::vector<Region> regions_;
  std::unordered_map<std::string, std::size_t> index_;
};

/// Decides every permission check, in one place, deny by default.
class Authorizer {
 public:
  explicit Authorizer(const RegionTree& regions) : regions_(regions) {}

  /// True if some role of `p` holds `perm` at all (route-level check, before the resource is known).
  bool HasPermission(const Principal& p, Permission perm) const;
  /// OK if some role of `p` holds `perm` with a reach that covers `scope`; otherwise forbidden.
  common::Status Check(const Principal& p, Permission perm, const Scope& scope) const;
  /// The widest reach `p` has for `perm`, or nullopt if none (used to filter lists).
  std::optional<Reach> WidestReach(const Principal& p, Permission perm) const;
  /// The permissions `p` holds (for GET /me and the portal's menus).
  std::vector<std::string> PermissionNames(const Principal& p) const;
  /// The permissions a role holds.
  static std::vector<std::string> PermissionsOfRole(Role role);

 private:
  const RegionTree& regions_;
};

}  // namespace govshare::org
