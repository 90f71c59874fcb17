// govshare: the single binary of the platform. Subcommands: serve, init, demo, migrate.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/platform.hpp"
#include "cli/setup.hpp"
#include "common/json_file.hpp"
#include "exchange/demo_provider.hpp"
#include "http/server.hpp"

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
  options.audit = [&p](const govshare::http::Context& ctx, std::string_view route, bool intent,
                       govshare::http::AuditDone done) { p.AuditHttp(ctx, route, intent, std::move(done)); };
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
    auto s = govshare::audit::AuditLog::Verify(config.data_dir, std::cout);
    return s.ok() ? 0 : 1;
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
    std::cout << fmt::format("{}: schema version {}", platform.value()->database().path(),
                             platform.value()->database().schema_version())
              << std::endl;
    return 0;
  }
  if (init->parsed()) {
    auto s = govshare::cli::Init(config, std::cout);
    return s.ok() ? 0 : Fail(s);
  }
  if (demo->parsed()) {
    auto s = govshare::cli::Demo(config, std::cout);
    return s.ok() ? 0 : Fail(s);
  }
  return 0;
}
