// govshare: the single binary of the platform. Subcommands: serve, init, demo, migrate, import, demo-population,
// calendar, audit, convert.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "app/platform.hpp"
#include "cli/convert.hpp"
#include "cli/setup.hpp"
#include "common/json_file.hpp"
#include "exchange/demo_provider.hpp"
#include "http/server.hpp"
#include "store/pg/migrations.hpp"

namespace {

using govshare::common::Config;
using govshare::common::Status;

int Fail(const Status& s) {
  std::cerr << "govshare: " << s.message() << " (" << s.code() << ")\n";
  return 1;
}

/// The access log of `serve`: a path relative to the data directory, "-" for standard output, "" for none.
govshare::common::Result<std::unique_ptr<govshare::http::AccessLog>> OpenAccessLog(const Config& config) {
  if (config.log.access_log.empty()) return std::unique_ptr<govshare::http::AccessLog>();
  if (config.log.access_log == "-") return govshare::http::AccessLog::Open("-");
  const std::filesystem::path path = std::filesystem::path(config.log.access_log).is_absolute()
                                         ? std::filesystem::path(config.log.access_log)
                                         : std::filesystem::path(config.data_dir) / config.log.access_log;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  return govshare::http::AccessLog::Open(path.string());
}

int Serve(const Config& config) {
  auto platform = govshare::app::Platform::Open(config);
  if (!platform.ok()) return Fail(platform.status());
  auto& p = *platform.value();
  if (auto ready = p.Ready(); !ready.ok()) return Fail(ready);
  auto access_log = OpenAccessLog(config);
  if (!access_log.ok()) return Fail(access_log.status());
  govshare::http::Server::Options options;
  options.listen = config.listen;
  options.http = config.http;
  options.web_dir = config.web_dir;
  options.audit = [&p](const govshare::http::Context& ctx, std::string_view route, govshare::http::AuditPhase phase,
                       govshare::http::AuditDone done) { p.AuditHttp(ctx, route, phase, std::move(done)); };
  govshare::http::Server server(
      options, p.router(), p.metrics(), [&p](const std::string& token) { return p.org().Authenticate(token); },
      p.authorizer(), access_log.value().get());
  if (auto s = server.Start(); !s.ok()) return Fail(s);
  const auto colon = config.listen.rfind(':');
  std::cout << fmt::format("govshare is serving on http://{}:{}/", config.listen.substr(0, colon), server.port())
            << std::endl;
  // The demo's stand-in provider system for logical access (written by `govshare demo`; absent otherwise).
  std::unique_ptr<govshare::exchange::DemoProvider> demo_provider;
  if (auto demo = govshare::common::ReadJsonFile(config.data_dir + "/demo-provider.json"); demo.ok()) {
    auto started = govshare::exchange::DemoProvider::Start(demo->value("listen", ""), demo->value("secret", ""));
    if (started.ok()) {
      demo_provider = std::move(started.value());
      std::cout << fmt::format("demo provider (logical access) on {}", demo->value("listen", "")) << std::endl;
    } else {
      std::cerr << "demo provider not started: " << started.status().ToString() << std::endl;
    }
  }
  p.StartJobs();  // the deadline monitor (catches up on anything missed while the server was down)
  server.RunUntilSignalled();
  p.StopJobs();
  std::cout << "govshare stopped" << std::endl;
  return 0;
}

/// `govshare import --dataset ID FILE`: a snapshot load from the command line (the operator of the platform acts for
/// the provider; large files go here rather than through HTTP, whose body limit is http.max_body_bytes).
int Import(const Config& config, std::int64_t dataset, const std::string& file, const std::string& format,
           const std::string& encoding, const std::string& mode) {
  namespace ex = govshare::exchange;
  ex::DatasetStore::LoadOptions options;
  options.format = format == "jsonl" ? ex::LoadFormat::kJsonLines : ex::LoadFormat::kCsv;
  options.encoding = encoding == "gb18030" ? ex::Encoding::kGb18030 : ex::Encoding::kUtf8;
  options.mode = mode == "keep_good" ? ex::LoadMode::kKeepGood : ex::LoadMode::kReject;
  const char* user = std::getenv("USER");
  options.actor = fmt::format("cli:{}", user ? user : "operator");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  if (!in) return Fail(Status::Invalid("cannot_open", fmt::format("cannot open {}", file)));
  auto platform = govshare::app::Platform::Open(config);
  if (!platform.ok()) return Fail(platform.status());
  auto& exchange = platform.value()->exchange();
  auto d = exchange.Ensure(dataset);
  if (!d.ok()) return Fail(d.status());
  govshare::common::ByteSource source = [f = in.get()](char* buffer, std::size_t capacity) {
    return std::fread(buffer, 1, capacity, f);
  };
  auto report = exchange.store().LoadSnapshot(dataset, source, options, exchange.Rules());
  if (!report.ok()) return Fail(report.status());
  std::cout << nlohmann::json::parse(ex::ReportJson(report.value())).dump(2) << std::endl;
  return report->applied ? 0 : 2;
}

/// `govshare demo-population --out FILE`: the demo's synthetic population (or legal persons) as CSV, for benchmarks.
int DemoPopulation(const std::string& out_file, std::int64_t people, bool legal_persons) {
  govshare::org::RegionTree regions;
  auto file = govshare::common::ReadJsonFile(govshare::app::ResourceDir() + "/regions/hebei.json");
  if (!file.ok()) return Fail(file.status());
  std::vector<govshare::org::Region> all;
  for (const auto& r : file->at("regions")) {
    govshare::org::Region region;
    region.id = r.at("id").get<std::string>();
    if (!r.at("division_code").is_null()) region.division_code = r.at("division_code").get<std::string>();
    region.name = r.at("name").get<std::string>();
    const auto level = r.at("level").get<std::string>();
    region.level = level == "province" ? govshare::org::RegionLevel::kProvince
                   : level == "city"   ? govshare::org::RegionLevel::kCity
                                       : govshare::org::RegionLevel::kCounty;
    if (!r.at("parent_id").is_null()) region.parent_id = r.at("parent_id").get<std::string>();
    if (r.contains("gb_parent_code") && !r.at("gb_parent_code").is_null()) {
      region.gb_parent_code = r.at("gb_parent_code").get<std::string>();
    }
    all.push_back(std::move(region));
  }
  regions.Reset(std::move(all));
  const auto counties = govshare::cli::DemoCounties(regions);
  auto source = legal_persons ? govshare::exchange::LegalPersonCsv(counties, people)
                              : govshare::exchange::PopulationCsv(counties, people);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> out(std::fopen(out_file.c_str(), "wb"), &std::fclose);
  if (!out) return Fail(Status::Invalid("cannot_open", fmt::format("cannot write {}", out_file)));
  std::vector<char> buffer(1 << 16);
  for (std::size_t n = source(buffer.data(), buffer.size()); n > 0; n = source(buffer.data(), buffer.size())) {
    if (std::fwrite(buffer.data(), 1, n, out.get()) != n) return Fail(Status::Unavailable("write_failed", out_file));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"govshare — the Hebei government data-sharing platform"};
  cli.require_subcommand(1);
  std::string config_file;
  cli.add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);

  std::string data_dir;
  std::string listen;
  std::string web_dir;
  auto* serve = cli.add_subcommand("serve", "serve the platform over HTTP");
  serve->add_option("--data", data_dir, "data directory");
  serve->add_option("--listen", listen, "HOST:PORT to listen on");
  serve->add_option("--web", web_dir, "directory of the built portal (web/dist)");

  auto* init = cli.add_subcommand("init", "create a data directory with the region tree and an administrator");
  init->add_option("--data", data_dir, "data directory")->required();

  auto* demo = cli.add_subcommand("demo", "init plus a realistic Hebei organisation with one user per role");
  demo->add_option("--data", data_dir, "data directory")->required();
  std::int64_t population = 1000000;
  demo->add_option("--population", population, "people in the demo population dataset (0: none)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{20000000}));

  auto* import = cli.add_subcommand("import", "load a full snapshot of a dataset from a CSV or JSON Lines file");
  std::int64_t dataset_id = 0;
  std::string import_file;
  std::string import_format = "csv";
  std::string import_encoding = "utf-8";
  std::string import_mode = "reject";
  import->add_option("--dataset", dataset_id, "dataset id (the catalog entry id)")->required();
  import->add_option("file", import_file, "the file")->required()->check(CLI::ExistingFile);
  import->add_option("--format", import_format, "csv or jsonl")->check(CLI::IsMember({"csv", "jsonl"}));
  import->add_option("--encoding", import_encoding, "utf-8 or gb18030")->check(CLI::IsMember({"utf-8", "gb18030"}));
  import->add_option("--mode", import_mode, "reject (any bad row: nothing loaded) or keep_good")
      ->check(CLI::IsMember({"reject", "keep_good"}));
  import->add_option("--data", data_dir, "data directory")->required();

  auto* demo_population = cli.add_subcommand("demo-population", "write the demo's synthetic population as CSV");
  std::string population_out;
  std::int64_t people = 1000000;
  bool legal_persons = false;
  demo_population->add_option("--out", population_out, "output file")->required();
  demo_population->add_option("--people", people, "rows")->check(CLI::Range(std::int64_t{1}, std::int64_t{100000000}));
  demo_population->add_flag("--legal-persons", legal_persons, "legal persons (credit codes) instead of people");

  auto* migrate = cli.add_subcommand("migrate", "apply pending schema migrations and print the schema version");
  migrate->add_option("--data", data_dir, "data directory");

  auto* calendar = cli.add_subcommand("calendar", "working-day calendar (Asia/Shanghai, official holidays)");
  calendar->require_subcommand(1);
  std::string from_date;
  int days = 0;
  auto* calendar_add = calendar->add_subcommand("add", "print the due day N working days after a receipt date");
  calendar_add->add_option("date", from_date, "receipt date YYYY-MM-DD")->required();
  calendar_add->add_option("days", days, "working days")->required()->check(CLI::Range(1, 366));

  auto* audit = cli.add_subcommand("audit", "the tamper-evident audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify", "recompute the Merkle tree and check every signed tree head");
  audit_verify->add_option("--data", data_dir, "data directory")->required();

  auto* convert = cli.add_subcommand(
      "convert",
      "copy a platform from its SQLite data directory into an empty PostgreSQL database (the scale-out path)");
  std::string convert_to;
  convert->add_option("--data", data_dir, "data directory of the platform on SQLite (stop it first)")->required();
  convert->add_option("--to", convert_to, "postgresql://... URI of the empty target database")->required();

  CLI11_PARSE(cli, argc, argv);

  auto loaded = govshare::common::LoadConfig(config_file);
  if (!loaded.ok()) return Fail(loaded.status());
  Config config = loaded.value();
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (!listen.empty()) config.listen = listen;
  if (!web_dir.empty()) config.web_dir = web_dir;
  spdlog::set_level(spdlog::level::from_str(config.log.level));

  if (serve->parsed()) return Serve(config);
  if (audit_verify->parsed()) {
    if (config.storage == "sqlite") return govshare::audit::AuditLog::Verify(config.data_dir, std::cout).ok() ? 0 : 1;
    // PostgreSQL: the one tree of every node, checked against the public key in the database.
    govshare::store::pg::Database::Options options;
    options.conninfo = config.storage;
    options.max_connections = 2;
    auto db = govshare::store::pg::Database::Open(options, govshare::store::pg::MainMigrations());
    if (!db.ok()) return Fail(db.status());
    return govshare::audit::AuditLog::VerifyPostgres(*db.value(), std::cout).ok() ? 0 : 1;
  }
  if (calendar_add->parsed()) {
    govshare::calendar::WorkingCalendar cal;
    if (auto s = cal.LoadDirectory(govshare::app::ResourceDir() + "/calendar"); !s.ok()) return Fail(s);
    const auto day = govshare::common::ParseDate(from_date);
    if (!day) return Fail(Status::Invalid("invalid_date", "the date must be YYYY-MM-DD"));
    auto due = cal.AddWorkingDays(*day, days);
    if (!due.ok()) return Fail(due.status());
    std::cout << govshare::calendar::FormatDay(due.value()) << std::endl;
    return 0;
  }
  if (migrate->parsed()) {
    auto platform = govshare::app::Platform::Open(config);
    if (!platform.ok()) return Fail(platform.status());
    std::cout << fmt::format("{}: schema version {}", platform.value()->StorageName(),
                             platform.value()->schema_version())
              << std::endl;
    return 0;
  }
  if (init->parsed()) {
    auto s = govshare::cli::Init(config, std::cout);
    return s.ok() ? 0 : Fail(s);
  }
  if (convert->parsed()) {
    auto s = govshare::cli::Convert(config, convert_to, std::cout);
    return s.ok() ? 0 : Fail(s);
  }
  if (import->parsed()) return Import(config, dataset_id, import_file, import_format, import_encoding, import_mode);
  if (demo_population->parsed()) return DemoPopulation(population_out, people, legal_persons);
  if (demo->parsed()) {
    auto s = govshare::cli::Demo(config, std::cout, true, population);
    return s.ok() ? 0 : Fail(s);
  }
  return 0;
}
