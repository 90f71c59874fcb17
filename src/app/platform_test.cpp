// The platform's choice of storage backend.
#include "app/platform.hpp"

#include <gtest/gtest.h>

namespace govshare::app {
namespace {

// Issue 9 is in progress: until every store has a PostgreSQL implementation the platform refuses PostgreSQL storage
// outright rather than run half on it, and says so without repeating the URI (it may hold a password).
TEST(PlatformStorage, PostgreSQLIsRefusedUntilEveryStoreHasAnImplementation) {
  common::Config config;
  config.data_dir = ::testing::TempDir() + "/govshare-platform-storage";
  config.storage = "postgresql://govshare:secret@db.example.org/govshare";
  auto platform = Platform::Open(config);
  ASSERT_FALSE(platform.ok());
  EXPECT_EQ(platform.status().code(), "unsupported_storage");
  EXPECT_NE(platform.status().message().find("not supported by the platform yet"), std::string::npos);
  EXPECT_EQ(platform.status().message().find("secret"), std::string::npos);
}

}  // namespace
}  // namespace govshare::app
