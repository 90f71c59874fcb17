#include "org/model.hpp"

#include <array>

namespace govshare::org {
namespace {

struct RoleInfo {
  Role role;
  std::string_view name;
  std::string_view description;
};

constexpr std::array<RoleInfo, kRoleCount> kRoles = {{
    {Role::kPlatformAdmin, "platform_admin", "平台管理员：管理全省组织、用户和应用"},
    {Role::kAuthorityReviewer, "authority_reviewer", "主管部门审核员：审核目录和共享申请"},
    {Role::kAuthorityHead, "authority_head", "主管部门负责人：管理本级及下级组织，批准延期和争议决定"},
    {Role::kGovernmentApprover, "government_approver", "本级政府审批人：批准不予共享（负面清单）"},
    {Role::kCatalogManager, "catalog_manager", "目录管理员：编制和更新本部门目录"},
    {Role::kDataSteward, "data_steward", "数据管理员：管理本部门数据汇聚、应用和密钥，答复共享申请"},
    {Role::kRequester, "requester", "数据申请人：申请和使用其他部门的数据"},
    {Role::kAuditor, "auditor", "审计员：查阅审计记录和全部组织信息"},
    {Role::kContractor, "contractor", "第三方运维人员：经批准、限期、限定范围的技术支持账户"},
}};

}  // namespace

std::string_view RoleName(Role role) { return kRoles[static_cast<std::size_t>(role)].name; }
std::string_view RoleDescription(Role role) { return kRoles[static_cast<std::size_t>(role)].description; }

std::optional<Role> ParseRole(std::string_view name) {
  for (const auto& info : kRoles) {
    if (info.name == name) return info.role;
  }
  return std::nullopt;
}

std::vector<std::string> RoleSet::Names() const {
  std::vector<std::string> out;
  for (const auto& info : kRoles) {
    if (Has(info.role)) out.emplace_back(info.name);
  }
  return out;
}

std::string_view RegionLevelName(RegionLevel level) {
  switch (level) {
    case RegionLevel::kProvince:
      return "province";
    case RegionLevel::kCity:
      return "city";
    case RegionLevel::kCounty:
      return "county";
  }
  return "county";
}

std::string_view DepartmentKindName(DepartmentKind kind) {
  return kind == DepartmentKind::kAuthority ? "authority" : "department";
}

std::optional<DepartmentKind> ParseDepartmentKind(std::string_view name) {
  if (name == "authority") return DepartmentKind::kAuthority;
  if (name == "department") return DepartmentKind::kDepartment;
  return std::nullopt;
}

}  // namespace govshare::org
