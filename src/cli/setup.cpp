#include "cli/setup.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "app/platform.hpp"
#include "common/crypto.hpp"
#include "common/json_file.hpp"
#include "store/pg/database.hpp"

namespace govshare::cli {

using common::Result;
using common::Status;

namespace {

constexpr const char* kProvinceAuthorityKey = "hebei-authority";
constexpr const char* kDemoProviderListen = "127.0.0.1:8091";
/// The demo's history starts this long ago, so that a request can be seen overdue (Art. 15 deadlines).
constexpr std::int64_t kDemoHistorySeconds = 14 * 86400;

/// The demo's clock: real time, set back while the demo seeds the history that must lie in the past.
class DemoClock final : public common::Clock {
 public:
  common::UnixSeconds Now() const override { return system_.Now() - back_.load(); }
  void SetBack(std::int64_t seconds) { back_ = seconds; }
  std::int64_t back() const { return back_.load(); }

 private:
  common::SystemClock system_;
  std::atomic<std::int64_t> back_{0};
};

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

org::Principal PlatformAdmin() {
  org::Principal admin;
  admin.roles.Add(org::Role::kPlatformAdmin);
  return admin;
}

/// Loads the standard data elements (data/catalog/elements.json): the provincial standard every catalog refers to.
Status SeedElements(app::Platform& platform) {
  auto file = common::ReadJsonFile(app::ResourceDir() + "/catalog/elements.json");
  if (!file.ok()) return file.status();
  try {
    for (const auto& j : file->at("elements")) {
      catalog::DataElement e;
      e.id = j.at("id").get<std::string>();
      e.name = j.at("name").get<std::string>();
      e.definition = j.at("definition").get<std::string>();
      e.data_type = j.at("data_type").get<std::string>();
      e.representation = j.at("representation").get<std::string>();
      e.value_domain = j.at("value_domain").get<std::string>();
      e.validation = j.at("validation").get<std::string>();
      e.personal = j.at("personal").get<bool>();
      e.default_level =
          catalog::ParseLevel(j.at("default_level").get<std::string>()).value_or(catalog::Level::kGeneral4);
      e.default_mask = j.at("default_mask").get<std::string>();
      auto put = platform.catalog().PutElement(PlatformAdmin(), e, 0);
      if (!put.ok())
        return Status::Invalid(put.status().code(), fmt::format("element {}: {}", e.id, put.status().message()));
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid("invalid_demo_data", fmt::format("elements.json: {}", e.what()));
  }
  return Status::Ok();
}

/// The demo catalog (data/demo/catalog.json, written by tools/gen_demo_catalog.py): each entry is compiled by its
/// department, submitted and reviewed through the real processes, and left in the state the file names.
Status SeedCatalog(app::Platform& platform, const std::map<std::string, org::Department>& by_key, DemoClock& clock,
                   std::ostream& out) {
  auto& catalog = platform.catalog();
  auto databases = common::ReadJsonFile(app::ResourceDir() + "/demo/databases.json");
  if (!databases.ok()) return databases.status();
  auto entries = common::ReadJsonFile(app::ResourceDir() + "/demo/catalog.json");
  if (!entries.ok()) return entries.status();
  const auto root = by_key.at(kProvinceAuthorityKey);
  auto authority = [&](const std::vector<org::Role>& roles) {
    org::Principal p;
    p.department_id = root.id;
    p.region_id = root.region_id;
    p.at_authority = true;
    for (auto r : roles) p.roles.Add(r);
    return p;
  };
  const auto reviewer = authority({org::Role::kAuthorityReviewer});
  const auto approver = authority({org::Role::kGovernmentApprover});
  try {
    for (const auto& j : databases->at("databases")) {
      catalog::ThemeDatabase d{j.at("code").get<std::string>(), j.at("name").get<std::string>(),
                               j.at("kind").get<std::string>(), by_key.at(j.at("keeper").get<std::string>()).id,
                               j.at("description").get<std::string>()};
      GOVSHARE_RETURN_IF_ERROR(catalog.PutDatabase(PlatformAdmin(), d));
    }
    std::map<std::string, int> states;
    for (const auto& j : entries->at("entries")) {
      const auto& dept = by_key.at(j.at("department").get<std::string>());
      org::Principal compiler;
      compiler.department_id = dept.id;
      compiler.department_name = dept.name;
      compiler.region_id = dept.region_id;
      compiler.at_authority = dept.kind == org::DepartmentKind::kAuthority;
      compiler.roles.Add(org::Role::kCatalogManager);
      catalog::EntryContent content;
      const auto problems = catalog::ParseContent(j.at("content"), content);
      if (!problems.empty()) {
        return Status::Invalid("invalid_demo_data", fmt::format("{}: {}", content.name, problems.front().message));
      }
      const std::string state = j.at("state").get<std::string>();
      std::vector<catalog::Violation> violations;
      auto entry = catalog.Create(compiler, content, &violations);
      auto fail = [&](const Status& s) {
        const std::string detail =
            violations.empty() ? s.message() : violations.front().field + " " + violations.front().message;
        return Status::Invalid(s.code(), fmt::format("demo entry {}: {}", content.name, detail));
      };
      if (!entry.ok()) return fail(entry.status());
      ++states[state];
      if (state == "draft") continue;
      const auto back = clock.back();
      if (state == "in_review") clock.SetBack(0);  // submitted today: their review is not yet due
      auto submitted = catalog.Submit(compiler, entry->id, entry->version, &violations);
      clock.SetBack(back);
      if (!submitted.ok()) return fail(submitted.status());
      if (state == "in_review") continue;
      auto published = catalog.Review(reviewer, entry->id, "approve", "");
      if (!published.ok()) return fail(published.status());
      if (state != "negative_list") continue;
      // Art. 11: the department applies, the authority forwards, the provincial government approves.
      auto applied = catalog.ApplyNegativeList(
          compiler, entry->id, "list", "《中华人民共和国反恐怖主义法》第四十八条；《公安机关办理刑事案件程序规定》",
          "涉及侦查工作秘密，依法不予共享");
      if (!applied.ok()) return fail(applied.status());
      for (const auto& [who, action] : {std::pair{&reviewer, "forward"}, std::pair{&approver, "approve"}}) {
        auto c = platform.cases().Get(*who, *applied->case_id);
        if (!c.ok()) return fail(c.status());
        workflow::TransitionRequest t;
        t.action = action;
        t.version = c->c.version;
        auto fired = platform.cases().Fire(*who, *applied->case_id, t);
        if (!fired.ok()) return fail(fired.status());
      }
    }
    auto findings = catalog.ScanDuplicates();
    if (!findings.ok()) return findings.status();
    out << fmt::format("catalog: {} published, {} in review, {} drafts, {} on the negative list; {} data elements\n",
                       states["published"] + states["negative_list"], states["in_review"], states["draft"],
                       states["negative_list"], catalog.Elements().size());
  } catch (const std::exception& e) {
    return Status::Invalid("invalid_demo_data", fmt::format("demo catalog: {}", e.what()));
  }
  return Status::Ok();
}

/// Demo sharing requests in several states (Art. 14-17) and the grants they produced; the grant ids of each demo
/// application are added to the credentials.
Status SeedSharing(app::Platform& platform, const std::map<std::string, org::Department>& by_key, DemoClock& clock,
                   nlohmann::json& credentials, std::ostream& out) {
  auto& sharing = platform.sharing();
  const auto root = by_key.at(kProvinceAuthorityKey);
  auto user = [&](const std::string& dept_key, std::vector<org::Role> roles) {
    const auto& d = by_key.at(dept_key);
    org::Principal p;
    p.department_id = d.id;
    p.department_name = d.name;
    p.region_id = d.region_id;
    p.at_authority = d.kind == org::DepartmentKind::kAuthority;
    for (auto r : roles) p.roles.Add(r);
    return p;
  };
  const auto reviewer = user(kProvinceAuthorityKey, {org::Role::kAuthorityReviewer});
  auto app_of = [&](const std::string& dept_key) -> std::int64_t {
    for (const auto& a : credentials["applications"]) {
      if (a["department"] == by_key.at(dept_key).name) return a["application_id"].get<std::int64_t>();
    }
    return 0;
  };
  auto entry = [&](const std::string& dept_key, const std::string& name) -> Result<std::int64_t> {
    auto id = platform.catalog().index().FindByName(by_key.at(dept_key).id, name);
    if (!id) return Status::Invalid("invalid_demo_data", fmt::format("demo entry {} not found", name));
    return *id;
  };
  struct Demo {
    const char* requester;
    const char* provider;
    const char* entry;
    std::vector<std::string> items;
    const char* purpose;
    const char* manner;
    const char* leave_in;      // granted, routing, answering, coordination
    bool in_the_past = false;  // submitted and forwarded two weeks ago: the provider's answer is overdue
  };
  const std::vector<Demo> demos = {
      {"hebei-amr",
       "hebei-psb",
       "常住人口基本信息",
       {"公民身份号码", "姓名"},
       "企业登记法定代表人身份核验",
       "verify",
       "answering",
       true},
      {"hebei-hrss",
       "hebei-psb",
       "常住人口基本信息",
       {"公民身份号码", "姓名", "户籍地址"},
       "养老保险待遇资格认证",
       "lookup",
       "granted"},
      {"hebei-hrss",
       "hebei-psb",
       "人口死亡注销信息",
       {"公民身份号码", "死亡日期"},
       "养老保险待遇领取资格核查",
       "verify",
       "granted"},
      {"hebei-hrss",
       "hebei-amr",
       "营业执照电子证照信息",
       {"统一社会信用代码", "机构名称"},
       "参保单位登记核验",
       "lookup",
       "granted"},
      {"hebei-hrss",
       "hebei-civil",
       "婚姻登记信息",
       {"登记证字号", "男方身份号码", "女方身份号码"},
       "遗属待遇申领核验",
       "verify",
       "answering"},
      {"hebei-hrss",
       "hebei-nr",
       "不动产登记信息",
       {"不动产单元号", "权利人"},
       "社会救助家庭经济状况核对",
       "lookup",
       "coordination"},
      {"hebei-hrss",
       "hebei-health",
       "出生医学证明信息",
       {"出生医学证明编号", "新生儿姓名"},
       "生育保险待遇核验",
       "verify",
       "routing"},
      {"sjz-psb", "hebei-psb", "居民身份证签发信息", {"公民身份号码", "姓名"}, "一网通办身份核验", "verify", "routing"},
      // Bulk (queries with cursors, exports): the pension office compares its recipients with the population base.
      {"hebei-hrss",
       "hebei-psb",
       "常住人口基本信息",
       {"公民身份号码", "姓名", "出生日期", "行政区划代码"},
       "养老保险待遇领取人员批量资格比对",
       "bulk",
       "granted"},
  };
  std::map<std::string, int> states;
  for (const auto& d : demos) {
    clock.SetBack(d.in_the_past ? kDemoHistorySeconds : 0);
    auto id = entry(d.provider, d.entry);
    if (!id.ok()) return id.status();
    sharing::NewRequest n;
    n.entry_id = id.value();
    n.application_id = app_of(d.requester);
    n.items = d.items;
    n.scenario = {
        d.purpose, "《中华人民共和国社会保险法》等法律法规规定的职责", "本部门法定职责范围内", d.manner, 5000, 365, ""};
    n.accept_commitments = true;
    const auto requester = user(d.requester, {org::Role::kRequester});
    auto r = sharing.Submit(requester, n);
    auto fail = [&](const Status& s) {
      return Status::Invalid(s.code(), fmt::format("demo request for {}: {}", d.entry, s.message()));
    };
    if (!r.ok()) return fail(r.status());
    const std::string goal = d.leave_in;
    auto fire = [&](const org::Principal& who, const char* action, const char* comment) -> Status {
      auto c = platform.cases().Get(who, *r->case_id);
      if (!c.ok()) return c.status();
      workflow::TransitionRequest t;
      t.action = action;
      t.comment = comment;
      t.version = c->c.version;
      return platform.cases().Fire(who, *r->case_id, t).status();
    };
    if (r->state == "routing" && goal != "routing") {
      if (auto s = fire(reviewer, "forward", ""); !s.ok()) return fail(s);
      const auto steward = user(d.provider, {org::Role::kDataSteward});
      if (goal == "granted") {
        if (auto s = sharing.Answer(steward, r->id, "yes", "", std::nullopt); !s.ok()) return fail(s.status());
      } else if (goal == "coordination") {
        if (auto s = sharing.Answer(steward, r->id, "no", "权利人信息涉及个人隐私，须逐案核对后提供", std::nullopt);
            !s.ok()) {
          return fail(s.status());
        }
        if (auto s = sharing.Object(requester, r->id, "社会救助家庭经济状况核对是法定职责，申请范围已限定"); !s.ok()) {
          return fail(s.status());
        }
      }
    }
    auto now = sharing.Get(reviewer, r->id);
    if (!now.ok()) return fail(now.status());
    ++states[now->state];
    if (now->grant_id) {
      for (auto& a : credentials["applications"]) {
        if (a["application_id"] == now->application_id) a["grants"].push_back(*now->grant_id);
      }
    }
  }
  clock.SetBack(0);
  // Art. 17: a request for national data, marked for the provincial authority.
  sharing::NewOutwardRequest outward;
  outward.application_id = app_of("hebei-hrss");
  outward.level = "national";
  outward.holder = "人力资源和社会保障部";
  outward.resource = "全国社会保险参保信息（跨省参保核验）";
  outward.items = {"公民身份号码", "姓名", "参保省份", "参保状态"};
  outward.scenario = {"跨省养老保险关系转移接续核验",
                      "《中华人民共和国社会保险法》第十九条",
                      "本厅办理的转移接续业务",
                      "verify",
                      2000,
                      365,
                      ""};
  outward.accept_commitments = true;
  if (auto r = sharing.SubmitOutward(user("hebei-hrss", {org::Role::kRequester}), outward); !r.ok()) {
    return Status::Invalid(r.status().code(), fmt::format("demo outward request: {}", r.status().message()));
  }
  auto overdue = platform.cases().RunDeadlineMonitor();
  if (!overdue.ok()) return overdue.status();
  out << fmt::format(
      "sharing: {} requests ({} granted, {} waiting for an authority, {} for a provider — {} overdue, {} objected), "
      "1 for national data\n",
      demos.size(), states["granted"], states["routing"], states["answering"], overdue.value(), states["coordination"]);
  return Status::Ok();
}

/// Logical access (Art. 12, 16): 公安厅 registers its death-registration interface for 人口死亡注销信息, served by the
/// built-in demo provider that `govshare serve` starts from DATA_DIR/demo-provider.json.
Status SeedLogicalAccess(app::Platform& platform, const std::map<std::string, org::Department>& by_key,
                         const std::string& data_dir, std::ostream& out) {
  const auto& psb = by_key.at("hebei-psb");
  auto entry = platform.catalog().index().FindByName(psb.id, "人口死亡注销信息");
  if (!entry) return Status::Invalid("invalid_demo_data", "demo entry 人口死亡注销信息 not found");
  const std::string secret = common::RandomToken(24);
  const std::string base = fmt::format("http://{}", kDemoProviderListen);
  exchange::Endpoint e;
  e.entry_id = *entry;
  e.url = base + "/death-registrations/{key}";
  e.field_map = {{"公民身份号码", "sfzh"}, {"姓名", "xm"}, {"死亡日期", "swrq"}, {"行政区划代码", "xzqhdm"}};
  e.auth = "hmac";
  e.secret = secret;
  e.health_url = base + "/healthz";
  org::Principal steward;
  steward.department_id = psb.id;
  steward.region_id = psb.region_id;
  steward.roles.Add(org::Role::kDataSteward);
  auto registered = platform.endpoints().Register(steward, e);
  if (!registered.ok()) return registered.status();
  const std::string path = data_dir + "/demo-provider.json";
  GOVSHARE_RETURN_IF_ERROR(
      common::WriteFileDurably(path, nlohmann::json{{"listen", kDemoProviderListen}, {"secret", secret}}.dump(2)));
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  out << fmt::format("logical access: 人口死亡注销信息 served by the demo provider on {} (started by serve)\n",
                     kDemoProviderListen);
  return Status::Ok();
}

/// The demo's physical datasets (Art. 12): the population base data and the market entities, generated and loaded
/// through the exchange's loader as their provider departments' data stewards would.
Status SeedDatasets(app::Platform& platform, const std::map<std::string, org::Department>& by_key,
                    std::int64_t population, std::ostream& out) {
  constexpr std::int64_t kPeoplePerLegalPerson = 10;
  const auto counties = DemoCounties(platform.regions());
  struct Load {
    const char* department;
    const char* entry;
    std::int64_t rows;
    common::ByteSource source;
  };
  const std::vector<Load> loads = {
      {"hebei-psb", "常住人口基本信息", population, exchange::PopulationCsv(counties, population)},
      {"hebei-amr", "市场主体登记信息", population / kPeoplePerLegalPerson,
       exchange::LegalPersonCsv(counties, population / kPeoplePerLegalPerson)}};
  for (const auto& l : loads) {
    const auto& dept = by_key.at(l.department);
    auto id = platform.catalog().index().FindByName(dept.id, l.entry);
    if (!id) return Status::Invalid("invalid_demo_data", fmt::format("demo entry {} not found", l.entry));
    org::Principal steward;
    steward.name = "demo";
    steward.department_id = dept.id;
    steward.region_id = dept.region_id;
    steward.roles.Add(org::Role::kDataSteward);
    auto report = platform.exchange().Load(steward, *id, l.source, {});
    if (!report.ok()) return report.status();
    if (!report->applied) {
      return Status::Invalid(
          "invalid_demo_data",
          fmt::format("demo dataset {}: {} rows rejected, first: row {} {}", l.entry, report->rows_rejected,
                      report->rejections.front().row, report->rejections.front().rule));
    }
    out << fmt::format("dataset {} ({}): {} rows loaded in {:.1f} s\n", *id, l.entry, report->row_count,
                       report->seconds);
  }
  return Status::Ok();
}

/// True if the PostgreSQL database of `conninfo` holds regions (an initialised platform). False when it cannot be
/// reached too: opening the platform then says why.
bool PostgresHoldsAPlatform(const std::string& conninfo) {
  try {
    store::pg::Connection c(conninfo);
    auto table = c.Prepare("SELECT to_regclass('regions') IS NOT NULL");
    if (!table.Step() || !table.Bool(0)) return false;
    auto rows = c.Prepare("SELECT EXISTS (SELECT 1 FROM regions)");
    return rows.Step() && rows.Bool(0);
  } catch (const store::pg::PgError&) {
    return false;
  }
}

/// Opens the platform on a fresh directory, loads regions and creates the provincial authority.
Result<std::pair<std::unique_ptr<app::Platform>, org::Department>> Bootstrap(
    const common::Config& config, const nlohmann::json& organisation, std::shared_ptr<common::Clock> clock = nullptr) {
  if (std::filesystem::exists(config.data_dir + "/govshare.db")) {
    return Status::Conflict("already_initialised", fmt::format("{} is already initialised", config.data_dir));
  }
  // A PostgreSQL database another node initialised: said before the platform opens, which would first make this
  // directory new keys and refuse them (audit_key_mismatch, secret_mismatch) instead of saying what is wrong.
  if (config.storage != "sqlite" && PostgresHoldsAPlatform(config.storage)) {
    return Status::Conflict("already_initialised",
                            "the PostgreSQL database is already initialised (by another node): to add a node, copy "
                            "audit.key and mask.key from an existing node's data directory and run govshare serve");
  }
  auto platform = app::Platform::Open(config, std::move(clock));
  if (!platform.ok()) return platform.status();
  if (!platform.value()->regions().all().empty()) {  // initialised by another node meanwhile
    return Status::Conflict("already_initialised",
                            fmt::format("{} is already initialised", platform.value()->StorageName()));
  }
  GOVSHARE_RETURN_IF_ERROR(platform.value()->ImportRegions(app::ResourceDir() + "/regions/hebei.json"));
  for (const auto& j : organisation.at("departments")) {
    if (j.at("key") != kProvinceAuthorityKey) continue;
    auto d = platform.value()->org().BootstrapDepartment(DepartmentFromJson(j));
    if (!d.ok()) return d.status();
    GOVSHARE_RETURN_IF_ERROR(SeedElements(*platform.value()));
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

std::vector<exchange::DemoCounty> DemoCounties(const org::RegionTree& regions) {
  std::vector<exchange::DemoCounty> out;
  for (const auto& r : regions.all()) {
    if (r.level != org::RegionLevel::kCounty || !r.division_code) continue;
    // The city as GB/T 2260 names it (雄安's counties belong to 保定 there).
    const std::string parent = r.gb_parent_code.value_or(r.parent_id.value_or(""));
    const org::Region* city = regions.Find(parent);
    out.push_back({*r.division_code, city ? city->name : "", r.name});
  }
  return out;
}

Status Demo(const common::Config& config, std::ostream& out, bool with_catalog, std::int64_t population) {
  auto organisation = common::ReadJsonFile(app::ResourceDir() + "/demo/organisation.json");
  if (!organisation.ok()) return organisation.status();
  auto clock = std::make_shared<DemoClock>();
  clock->SetBack(kDemoHistorySeconds);  // the organisation and the catalog were set up two weeks ago
  auto boot = Bootstrap(config, organisation.value(), clock);
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
  if (with_catalog) {
    GOVSHARE_RETURN_IF_ERROR(SeedCatalog(*platform, by_key, *clock, out));
    for (auto& a : credentials["applications"]) a["grants"] = nlohmann::json::array();
    GOVSHARE_RETURN_IF_ERROR(SeedSharing(*platform, by_key, *clock, credentials, out));
    GOVSHARE_RETURN_IF_ERROR(SeedLogicalAccess(*platform, by_key, config.data_dir, out));
    GOVSHARE_RETURN_IF_ERROR(platform->exchange().Sync());  // a dataset for each published entry with a key
    if (population > 0) GOVSHARE_RETURN_IF_ERROR(SeedDatasets(*platform, by_key, population, out));
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
