#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "common/status.hpp"

namespace govshare::common {

/// A value read from storage that other processes change (such as the highest id of a table), for callers that need it
/// at least as new as their call: Get() returns what a read that began after the call returned, so the value reflects
/// everything committed before the call. Reads run one at a time and every caller waiting when one begins shares it:
/// concurrent callers cost about two reads in all, not one each. Thread-safe; Get() blocks for a read (not for network
/// threads).
template <typename T>
class CoalescedRead {
 public:
  explicit CoalescedRead(std::function<Result<T>()> read) : read_(std::move(read)) {}
  CoalescedRead(const CoalescedRead&) = delete;
  CoalescedRead& operator=(const CoalescedRead&) = delete;

  /// The value of a read that began after this call: this caller's own read or one it shared. The error of a failed
  /// read goes to the caller that ran it; the others wait for the next read.
  Result<T> Get() {
    std::unique_lock lock(mutex_);
    const std::uint64_t wanted = started_ + 1;  // the first read to begin after this call
    while (latest_number_ < wanted) {
      if (reading_) {
        done_.wait(lock);
        continue;
      }
      reading_ = true;
      const std::uint64_t number = ++started_;
      lock.unlock();
      Result<T> read = Status::Internal("not read");
      try {
        read = read_();
      } catch (...) {
        lock.lock();
        Finish();
        throw;
      }
      lock.lock();
      Finish();
      if (!read.ok()) return read.status();
      latest_number_ = number;
      latest_ = std::move(read.value());
    }
    return *latest_;
  }

  /// The value of the latest successful read, however old (nullopt before the first).
  std::optional<T> last() const {
    std::lock_guard lock(mutex_);
    return latest_;
  }

 private:
  /// Ends the read in progress (mutex_ held) and wakes the callers waiting for it.
  void Finish() {
    reading_ = false;
    done_.notify_all();
  }

  const std::function<Result<T>()> read_;
  mutable std::mutex mutex_;
  std::condition_variable done_;
  bool reading_ = false;             // mutex_
  std::uint64_t started_ = 0;        // mutex_: reads begun, numbered from 1
  std::uint64_t latest_number_ = 0;  // mutex_: the number of the latest successful read (0: none)
  std::optional<T> latest_;          // mutex_
};

}  // namespace govshare::common
