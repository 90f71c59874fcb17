#pragma once

#include <vector>

#include "store/pg/database.hpp"

namespace govshare::store::pg {

/// The PostgreSQL schema of the main database, in order; the same tables, constraints and indexes as
/// store::sqlite::MainMigrations(), in PostgreSQL's types. Never edit an applied migration: append a new one. So far it
/// holds the organisation model and the sharing tables (issue 9); version numbers are PostgreSQL's own sequence.
const std::vector<Migration>& MainMigrations();

}  // namespace govshare::store::pg
