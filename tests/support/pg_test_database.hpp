#pragma once

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>

#include <unistd.h>

#include "common/status.hpp"
#include "store/pg/database.hpp"

namespace govshare::testing {

#ifndef GOVSHARE_PG_CLUSTER_DIR
#define GOVSHARE_PG_CLUSTER_DIR ""
#endif

/// The conninfo of the throwaway test cluster: $GOVSHARE_PG_CONNINFO if set, else the URI that
/// scripts/pg-cluster.sh wrote to GOVSHARE_PG_CLUSTER_DIR/conninfo (the CTest fixture `postgres` starts it). Fails,
/// with what to do, when there is none: PostgreSQL tests fail rather than skip.
inline common::Result<std::string> PgClusterConninfo() {
  if (const char* env = std::getenv("GOVSHARE_PG_CONNINFO"); env != nullptr && *env != '\0') return std::string(env);
  const std::string file = std::string(GOVSHARE_PG_CLUSTER_DIR) + "/conninfo";
  std::ifstream in(file);
  std::string conninfo;
  if (!in || !std::getline(in, conninfo) || conninfo.empty()) {
    return common::Status::Unavailable(
        "no_test_cluster",
        "no PostgreSQL test cluster: " + file +
            " is missing. Run the tests through ctest (its `postgres` fixture starts the cluster), or start one with "
            "`scripts/pg-cluster.sh start " GOVSHARE_PG_CLUSTER_DIR "`, or set GOVSHARE_PG_CONNINFO");
  }
  return conninfo;
}

/// A database of its own on the test cluster, created empty and dropped (with any connection left to it) on
/// destruction; each test gets one, so tests running in parallel never see each other's rows.
class ScratchPgDatabase {
 public:
  /// Creates the database; `status()` says why not if that failed.
  ScratchPgDatabase() {
    auto base = PgClusterConninfo();
    if (!base.ok()) {
      status_ = base.status();
      return;
    }
    base_ = *base;
    static std::atomic<int> counter{0};
    name_ = "govshare_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    try {
      store::pg::Connection admin(base_);
      admin.Exec("DROP DATABASE IF EXISTS " + name_);
      admin.Exec("CREATE DATABASE " + name_);
    } catch (const store::pg::PgError& e) {
      status_ = common::Status::Unavailable("test_database", std::string("cannot create a test database: ") + e.what());
    }
  }
  ~ScratchPgDatabase() {
    if (!status_.ok() || base_.empty()) return;
    try {
      store::pg::Connection admin(base_);
      admin.Exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const store::pg::PgError&) {
      // The cluster is thrown away after the run anyway.
    }
  }
  ScratchPgDatabase(const ScratchPgDatabase&) = delete;
  ScratchPgDatabase& operator=(const ScratchPgDatabase&) = delete;

  const common::Status& status() const { return status_; }
  /// The conninfo of this database: the cluster's URI with its database name replaced.
  std::string conninfo() const {
    if (base_.starts_with("postgresql://") || base_.starts_with("postgres://")) {
      const auto query = base_.find('?');
      const auto path = base_.rfind('/', query);
      return base_.substr(0, path + 1) + name_ + (query == std::string::npos ? "" : base_.substr(query));
    }
    return base_ + " dbname=" + name_;
  }

 private:
  common::Status status_;
  std::string base_;
  std::string name_;
};

/// What a statement costs, from pg_stat_statements (which the test cluster loads): ResetStatementStats starts the count
/// for the database `c` is on; StatementBuffers gives the calls and buffers (hit or read) since then of its statements
/// whose text is LIKE `pattern`.
inline void ResetStatementStats(store::pg::Connection& c) {
  c.Exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  c.Exec("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)");
}
inline std::pair<std::int64_t, std::int64_t> StatementBuffers(store::pg::Connection& c, const std::string& pattern) {
  auto stats = c.Prepare(
      "SELECT COALESCE(sum(calls), 0)::bigint, COALESCE(sum(shared_blks_hit + shared_blks_read), 0)::bigint FROM "
      "pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query "
      "LIKE $1::text");
  stats.Bind(1, pattern);
  if (!stats.Step()) return {0, 0};
  return {stats.Int(0), stats.Int(1)};
}

}  // namespace govshare::testing
