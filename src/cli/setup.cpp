#include "cli/setup.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "app/platform.hpp"
#include "common/crypto.hpp"
#include "common/json_file.hpp"

namespace govshare::cli {

using common::Result;
using common::Status;

namespace {

constexpr const char* kProvinceAuthorityKey = "hebei-authority";

org::Department DepartmentFromJson(const nlohmann::json& j) {
  org::Department d;
  d.name = j.at("name").get<std::string>();
  d.credit_code = j.at("credit_code").get<std::string>();
  d.region_id = j.at("region_id").get<std::string>();
  d.kind = j.at("kind").get<std::string>() == "authority" ? org::DepartmentKind::kAuthority
                                                          : org::DepartmentKind::kDepartment;
  d.responsible_unit = j.at("responsible_unit").get<std::string>();
  d.contact_name = j.at("contact_name").get<std::string>();
  d.contact_phone = j.at("contact_phone").get<std::string>();
  return d;
}

/// Opens the platform on a fresh directory, loads regions and creates the provincial authority.
Result<std::pair<std::unique_ptr<app::Platform>, org::Department>> Bootstrap(const common::Config& config,
                                                                             const nlohmann::json& organisation) {
  if (std::filesystem::exists(config.data_dir + "/govshare.db")) {
    return Status::Conflict("already_initialised", fmt::format("{} is already initialised", config.data_dir));
  }
  auto platform = app::Platform::Open(config);
  if (!platform.ok()) return platform.status();
  GOVSHARE_RETURN_IF_ERROR(platform.value()->ImportRegions(app::ResourceDir() + "/regions/hebei.json"));
  for (const auto& j : organisation.at("departments")) {
    if (j.at("key") != kProvinceAuthorityKey) continue;
    auto d = platform.value()->org().BootstrapDepartment(DepartmentFromJson(j));
    if (!d.ok()) return d.status();
    return std::make_pair(std::move(platform.value()), d.value());
  }
  return Status::Invalid("invalid_demo_data", "organisation.json has no provincial authority");
}

}  // namespace

Status Init(const common::Config& config, std::ostream& out) {
  auto organisation = common::ReadJsonFile(app::ResourceDir() + "/demo/organisation.json");
  if (!organisation.ok()) return organisation.status();
  auto boot = Bootstrap(config, organisation.value());
  if (!boot.ok()) return boot.status();
  auto& [platform, authority] = boot.value();
  auto admin = platform->org().BootstrapUser({"admin", "平台管理员", authority.id, {"platform_admin"}, std::nullopt},
                                             std::nullopt);
  if (!admin.ok()) return admin.status();
  out << fmt::format("initialised {}\n", config.data_dir);
  out << fmt::format("administrator: admin / {}  (shown once; change it at first login)\n", admin->initial_password);
  return Status::Ok();
}

Status Demo(const common::Config& config, std::ostream& out) {
  auto organisation = common::ReadJsonFile(app::ResourceDir() + "/demo/organisation.json");
  if (!organisation.ok()) return organisation.status();
  auto boot = Bootstrap(config, organisation.value());
  if (!boot.ok()) return boot.status();
  auto& [platform, authority] = boot.value();
  auto& org = platform->org();

  std::map<std::string, org::Department> by_key{{kProvinceAuthorityKey, authority}};
  for (const auto& j : organisation->at("departments")) {
    const auto key = j.at("key").get<std::string>();
    if (key == kProvinceAuthorityKey) continue;
    auto d = org.BootstrapDepartment(DepartmentFromJson(j));
    if (!d.ok()) return Status::Invalid(d.status().code(), fmt::format("department {}: {}", key, d.status().message()));
    by_key.emplace(key, d.value());
  }

  struct DemoUser {
    const char* username;
    const char* display_name;
    const char* department;
    std::vector<std::string> roles;
    bool contractor;
  };
  const std::vector<DemoUser> users = {
      {"admin", "平台管理员", "hebei-authority", {"platform_admin"}, false},
      {"reviewer", "李审核", "hebei-authority", {"authority_reviewer"}, false},
      {"head", "赵主任", "hebei-authority", {"authority_head"}, false},
      {"approver", "孙审批", "hebei-authority", {"government_approver"}, false},
      {"auditor", "周审计", "hebei-authority", {"auditor"}, false},
      {"catalog", "吴目录", "hebei-psb", {"catalog_manager"}, false},
      {"steward", "郑数据", "hebei-psb", {"data_steward"}, false},
      {"requester", "王申请", "hebei-hrss", {"requester"}, false},
      {"contractor", "冯运维", "hebei-psb", {"contractor"}, true},
      {"sjz.head", "陈主任", "sjz-authority", {"authority_head", "authority_reviewer"}, false},
      {"sjz.requester", "刘申请", "sjz-psb", {"requester", "data_steward"}, false},
  };
  nlohmann::json credentials = {{"users", nlohmann::json::array()}, {"applications", nlohmann::json::array()}};
  out << fmt::format("demo data in {}\n", config.data_dir);
  out << "demo logins (also in demo-credentials.json):\n";
  const std::int64_t contractor_days = 90;
  for (const auto& u : users) {
    const auto& dept = by_key.at(u.department);
    std::optional<std::string> valid_until;
    if (u.contractor) valid_until = common::FormatDate(platform->clock().Now() + contractor_days * 86400);
    const std::string password = common::GeneratePassword();
    auto created = org.BootstrapUser({u.username, u.display_name, dept.id, u.roles, valid_until}, password);
    if (!created.ok()) return created.status();
    credentials["users"].push_back({{"username", u.username},
                                    {"password", password},
                                    {"roles", u.roles},
                                    {"department", dept.name},
                                    {"department_id", dept.id}});
    out << fmt::format("  {:<14} {:<18} {} ({})\n", u.username, password, fmt::join(u.roles, ","), dept.name);
  }

  struct DemoApp {
    const char* name;
    const char* department;
    const char* description;
  };
  const std::vector<DemoApp> apps = {
      {"社保待遇资格认证系统", "hebei-hrss", "养老保险待遇领取资格认证，核验身份和户籍信息"},
      {"人口综合信息系统", "hebei-psb", "公安人口基础信息的提供方系统"},
      {"企业登记业务系统", "hebei-amr", "市场主体登记注册，核验法定代表人身份"},
      {"石家庄一网通办系统", "sjz-psb", "石家庄市政务服务事项办理"},
  };
  for (const auto& a : apps) {
    const auto& dept = by_key.at(a.department);
    org::Application app;
    app.department_id = dept.id;
    app.name = a.name;
    app.description = a.description;
    auto created = platform->org().CreateApplication(
        [&] {
          org::Principal admin;
          admin.roles.Add(org::Role::kPlatformAdmin);
          return admin;
        }(),
        app);
    if (!created.ok()) return created.status();
    auto key = org.BootstrapApiKey(created->id, "demo");
    if (!key.ok()) return key.status();
    credentials["applications"].push_back(
        {{"name", a.name}, {"department", dept.name}, {"application_id", created->id}, {"api_key", key->api_key}});
  }
  const std::string path = config.data_dir + "/demo-credentials.json";
  std::ofstream file(path);
  file << credentials.dump(2) << "\n";
  if (!file) return Status::Unavailable("write_failed", fmt::format("cannot write {}", path));
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  out << fmt::format("{} applications with API keys written to {}\n", apps.size(), path);
  return Status::Ok();
}

}  // namespace govshare::cli
