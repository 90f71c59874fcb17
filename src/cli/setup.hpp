#pragma once

#include <ostream>

#include "common/config.hpp"
#include "common/status.hpp"
#include "exchange/demo_population.hpp"
#include "org/permissions.hpp"

namespace govshare::cli {

/// `govshare init`: creates the data directory, loads the region tree, creates the provincial data-sharing authority
/// and a platform administrator whose generated password is printed once (and must be changed at first login).
/// Refuses to run on a directory that is already initialised.
common::Status Init(const common::Config& config, std::ostream& out);

/// `govshare demo`: like init, plus a realistic Hebei organisation (data/demo/organisation.json), one user per role
/// with known passwords, applications with API keys; writes DIR/demo-credentials.json for testers and scripts. With
/// `catalog`, also the demo catalog (data/demo/catalog.json): about 150 entries taken through the real review process,
/// and with `population` > 0 the physical datasets of 常住人口基本信息 (that many people) and 市场主体登记信息 (a tenth
/// as many legal persons), generated deterministically (exchange/demo_population.hpp) and loaded through the
/// exchange's loader.
common::Status Demo(const common::Config& config, std::ostream& out, bool catalog = true,
                    std::int64_t population = 1000000);

/// The county-level divisions of the region tree (for the demo population).
std::vector<exchange::DemoCounty> DemoCounties(const org::RegionTree& regions);

}  // namespace govshare::cli
