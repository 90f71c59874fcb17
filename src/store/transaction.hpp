#pragma once

namespace govshare::store {

/// The open write transaction of a store, handed to a domain change that must commit atomically with a case
/// transition (e.g. publishing a catalog entry together with the review case's approval). Each backend has one
/// subclass, which its domain stores know (store::sqlite::SqliteTransaction); services only pass it through.
class Transaction {
 public:
  virtual ~Transaction() = default;
};

}  // namespace govshare::store
