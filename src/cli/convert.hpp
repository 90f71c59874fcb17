#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "common/config.hpp"
#include "common/status.hpp"

namespace govshare::cli {

/// `govshare convert --data DIR --to postgresql://...`: moves a platform that runs on the embedded default (SQLite, the
/// data directory DIR = config.data_dir; the rest of `config` is used to open the platform on either side) to
/// PostgreSQL, as the scale-out path needs (docs/OPERATIONS.md §6):
/// - DIR's databases are first brought to this binary's schema (as `govshare migrate` would), the target is migrated,
///   and the target must hold no platform yet (`target_not_empty` otherwise, and nothing is written).
/// - In ONE PostgreSQL transaction, with every SQLite file held by a write lock (a platform still serving on DIR can
///   commit nothing meanwhile, so nothing it acknowledges is left behind): every table of govshare.db with its ids;
///   exchange.db's datasets, each into the partitioned tables a new dataset gets, with its change feed, loads and
///   idempotency keys; audit.db's records, signed tree heads and daily counts verbatim, the tree's frontier after
///   them; attachment files (checked against their names) into `blobs`; installed calendar years into
///   `calendar_years`. Each column is converted to the PostgreSQL type (0/1 → boolean, blobs → bytea); the identity
///   sequences continue after the highest id copied. Any failure rolls everything back.
/// - Afterwards the platform is opened on PostgreSQL with DIR's keys (registering audit.key and mask.key as a node's
///   start does) and the audit log is verified: the same records give the same Merkle root under the same key.
/// Writes a line per table (rows copied) and the verification to `out`. DIR itself is left as it was.
common::Status Convert(const common::Config& config, const std::string& conninfo, std::ostream& out);

}  // namespace govshare::cli
