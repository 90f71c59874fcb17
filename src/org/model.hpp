#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace govshare::org {

using common::UnixSeconds;

/// The roles of the platform. Permissions are granted to roles in one table (permissions.cpp).
enum class Role : std::uint8_t {
  kPlatformAdmin,
  kAuthorityReviewer,
  kAuthorityHead,
  kGovernmentApprover,
  kCatalogManager,
  kDataSteward,
  kRequester,
  kAuditor,
  kContractor,
};
inline constexpr int kRoleCount = 9;

std::string_view RoleName(Role role);
std::string_view RoleDescription(Role role);
std::optional<Role> ParseRole(std::string_view name);

/// A set of roles as a bit mask.
class RoleSet {
 public:
  RoleSet() = default;
  explicit RoleSet(std::uint32_t bits) : bits_(bits) {}
  void Add(Role r) { bits_ |= Bit(r); }
  bool Has(Role r) const { return (bits_ & Bit(r)) != 0; }
  bool Intersects(RoleSet other) const { return (bits_ & other.bits_) != 0; }
  bool empty() const { return bits_ == 0; }
  std::uint32_t bits() const { return bits_; }
  std::vector<std::string> Names() const;
  bool operator==(const RoleSet&) const = default;

 private:
  static std::uint32_t Bit(Role r) { return 1U << static_cast<unsigned>(r); }
  std::uint32_t bits_ = 0;
};

enum class RegionLevel { kProvince, kCity, kCounty };
std::string_view RegionLevelName(RegionLevel level);

/// A node of the administrative hierarchy used for sharing (Art. 4, 17, 22). Its id is its GB/T 2260 code where it has
/// one; 雄安新区 has none and is identified by a name ("xiongan"), never by an invented code.
struct Region {
  std::string id;
  std::optional<std::string> division_code;
  std::string name;
  RegionLevel level = RegionLevel::kCounty;
  std::optional<std::string> parent_id;
  std::optional<std::string> gb_parent_code;  // GB/T 2260 parent where the sharing parent differs
  bool flows_back = false;                    // data aggregated at the province flows back here (Art. 22)
};

enum class DepartmentKind { kAuthority, kDepartment };
std::string_view DepartmentKindName(DepartmentKind kind);
std::optional<DepartmentKind> ParseDepartmentKind(std::string_view name);

/// A government body (政务部门) or the data-sharing authority (主管部门) of a region: one per region (Art. 4).
struct Department {
  std::int64_t id = 0;
  std::string name;
  std::string credit_code;  // GB 32100 unified social credit code
  std::string region_id;
  DepartmentKind kind = DepartmentKind::kDepartment;
  std::string responsible_unit;  // Art. 4: the unit responsible for data work
  std::string contact_name;
  std::string contact_phone;
  bool active = true;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::int64_t version = 1;
};

struct User {
  std::int64_t id = 0;
  std::string username;
  std::string display_name;
  std::int64_t department_id = 0;
  RoleSet roles;
  bool active = true;
  int failed_logins = 0;
  std::optional<UnixSeconds> locked_until;
  bool must_change_password = false;
  std::optional<std::string> valid_until;   // YYYY-MM-DD; required for contractors (Art. 27)
  std::optional<std::int64_t> approved_by;  // the administrator who approved a contractor account
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::int64_t version = 1;
};

/// A department's business system that calls the data API with API keys.
struct Application {
  std::int64_t id = 0;
  std::int64_t department_id = 0;
  std::string name;
  std::string description;
  bool active = true;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
  std::int64_t version = 1;
};

/// An API key is `gsk_<prefix>_<secret>`; the prefix identifies it, only SHA-256 of the secret is stored.
struct ApiKey {
  std::int64_t id = 0;
  std::int64_t application_id = 0;
  std::string prefix;
  std::string secret_hash;
  std::string label;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  std::optional<UnixSeconds> revoked_at;
  std::int64_t created_by = 0;
};

struct Session {
  std::string token_hash;
  std::int64_t user_id = 0;
  std::string csrf_token;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  std::string client_address;
};

/// Who is making a request, resolved once per request by the authentication step.
struct Principal {
  enum class Kind { kUser, kApplication };
  Kind kind = Kind::kUser;
  std::int64_t id = 0;  // user id or application id
  std::string name;     // username or application name
  std::string display_name;
  std::int64_t department_id = 0;
  std::string department_name;
  std::string region_id;
  bool at_authority = false;  // belongs to a region's data-sharing authority
  RoleSet roles;
  bool must_change_password = false;
  std::optional<std::string> valid_until;
  // Session facts (users only).
  bool via_cookie = false;
  std::string csrf_token;
  UnixSeconds expires_at = 0;
};

}  // namespace govshare::org
