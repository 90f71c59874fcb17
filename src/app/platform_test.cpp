// The platform's choice of storage backend.
#include "app/platform.hpp"

#include <gtest/gtest.h>

namespace govshare::app {
namespace {

// A PostgreSQL server that cannot be reached stops the platform at start with storage_unavailable-style errors that
// never repeat the URI's password.
TEST(PlatformStorage, AnUnreachablePostgreSQLServerFailsTheStartWithoutShowingThePassword) {
  common::Config config;
  config.data_dir = ::testing::TempDir() + "/govshare-platform-storage";
  config.storage = "postgresql://govshare:s3cr3t-pw@127.0.0.1:1/govshare?connect_timeout=2";
  auto platform = Platform::Open(config);
  ASSERT_FALSE(platform.ok());
  EXPECT_EQ(platform.status().kind(), common::ErrorKind::kUnavailable) << platform.status().ToString();
  EXPECT_EQ(platform.status().ToString().find("s3cr3t-pw"), std::string::npos) << platform.status().ToString();
}

}  // namespace
}  // namespace govshare::app
