#include "org/permissions.hpp"

#include <gtest/gtest.h>

namespace govshare::org {
namespace {

RegionTree Hebei() {
  return RegionTree({
      {"130000", "130000", "河北省", RegionLevel::kProvince, std::nullopt, std::nullopt, false},
      {"130100", "130100", "石家庄市", RegionLevel::kCity, "130000", std::nullopt, true},
      {"130123", "130123", "正定县", RegionLevel::kCounty, "130100", std::nullopt, false},
      {"130600", "130600", "保定市", RegionLevel::kCity, "130000", std::nullopt, true},
      {"xiongan", std::nullopt, "雄安新区", RegionLevel::kCity, "130000", std::nullopt, true},
      {"130638", "130638", "雄县", RegionLevel::kCounty, "xiongan", "130600", false},
  });
}

Principal User(Role role, const std::string& region, bool at_authority, std::int64_t dept = 7) {
  Principal p;
  p.roles.Add(role);
  p.region_id = region;
  p.at_authority = at_authority;
  p.department_id = dept;
  return p;
}

TEST(RegionTree, XionganIsItsOwnNodeOverItsCounties) {
  const auto tree = Hebei();
  EXPECT_FALSE(tree.Find("xiongan")->division_code.has_value());
  EXPECT_TRUE(tree.IsWithin("130638", "xiongan"));
  EXPECT_FALSE(tree.IsWithin("130638", "130600")) << "雄县 is administered through 雄安 for sharing";
  EXPECT_TRUE(tree.IsWithin("130638", "130000"));
  EXPECT_FALSE(tree.IsWithin("130000", "130100"));
}

// Art. 4: an authority acts for its own region and the regions below it.
TEST(Authorizer, Art4AuthorityReachIsItsRegionSubtree) {
  const auto tree = Hebei();
  const Authorizer authz(tree);
  const auto sjz_head = User(Role::kAuthorityHead, "130100", true);
  EXPECT_TRUE(authz.Check(sjz_head, Permission::kDepartmentCreate, {"130123", std::nullopt}).ok());
  EXPECT_TRUE(authz.Check(sjz_head, Permission::kDepartmentCreate, {"130100", std::nullopt}).ok());
  EXPECT_FALSE(authz.Check(sjz_head, Permission::kDepartmentCreate, {"130000", std::nullopt}).ok());
  EXPECT_FALSE(authz.Check(sjz_head, Permission::kDepartmentCreate, {"130600", std::nullopt}).ok());
  // The same role outside an authority reaches nothing.
  const auto stray_head = User(Role::kAuthorityHead, "130100", false);
  EXPECT_FALSE(authz.Check(stray_head, Permission::kDepartmentCreate, {"130123", std::nullopt}).ok());
  EXPECT_FALSE(authz.HasPermission(stray_head, Permission::kDepartmentCreate));
}

TEST(Authorizer, StewardsManageOnlyTheirOwnDepartmentsApplications) {
  const auto tree = Hebei();
  const Authorizer authz(tree);
  const auto steward = User(Role::kDataSteward, "130000", false, 11);
  EXPECT_TRUE(authz.Check(steward, Permission::kApiKeyCreate, {"130000", 11}).ok());
  EXPECT_FALSE(authz.Check(steward, Permission::kApiKeyCreate, {"130000", 12}).ok());
}

TEST(Authorizer, DenyByDefault) {
  const auto tree = Hebei();
  const Authorizer authz(tree);
  Principal nobody;  // no roles
  for (int i = 0; i < kPermissionCount; ++i) {
    EXPECT_FALSE(authz.HasPermission(nobody, static_cast<Permission>(i))) << PermissionName(static_cast<Permission>(i));
  }
  Principal app;
  app.kind = Principal::Kind::kApplication;
  app.roles.Add(Role::kPlatformAdmin);  // even a mislabelled application administers nothing
  EXPECT_FALSE(authz.HasPermission(app, Permission::kRegionRead));
}

TEST(Authorizer, PermissionNamesMatchTheEnumOrder) {
  EXPECT_EQ(PermissionName(Permission::kRegionRead), "region.read");
  EXPECT_EQ(PermissionName(Permission::kApiKeyRevoke), "apikey.revoke");
  EXPECT_EQ(PermissionName(Permission::kUserUpdate), "user.update");
}

}  // namespace
}  // namespace govshare::org
