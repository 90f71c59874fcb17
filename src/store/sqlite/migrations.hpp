#pragma once

#include <vector>

#include "store/sqlite/database.hpp"

namespace govshare::store::sqlite {

/// The schema of the main database (govshare.db), in order. Never edit an applied migration: append a new one.
const std::vector<Migration>& MainMigrations();

}  // namespace govshare::store::sqlite
