// Records and their hand-off to the replay (see record.h).
#include "coordinator/record.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace gtest_parallel {
namespace internal {

void Record::AddOutput(const std::string& text, size_t limit) {
  if (text.empty()) return;
  if (!items.empty() && !items.back().is_part) {
    items.back().output += text;
  } else {
    items.push_back(Item{false, text, Part()});
  }
  output_bytes += text.size();
  for (Item& item : items) {
    if (output_bytes <= limit) break;
    if (item.is_part) continue;
    const size_t cut = std::min(item.output.size(), output_bytes - limit);
    item.output.erase(0, cut);
    output_bytes -= cut;
    output_dropped += cut;
  }
}

void Record::Merge(const Record& other) {
  for (const Item& item : other.items) {
    if (item.is_part) {
      const bool seen =
          std::any_of(items.begin(), items.end(), [&](const Item& mine) {
            return mine.is_part && mine.part == item.part;
          });
      if (!seen) items.push_back(item);
    } else if (!item.output.empty()) {
      items.push_back(item);
      output_bytes += item.output.size();
    }
  }
  output_dropped += other.output_dropped;
  for (const Property& property : other.properties) {
    auto same_key = std::find_if(
        properties.begin(), properties.end(),
        [&](const Property& mine) { return mine.key == property.key; });
    if (same_key == properties.end()) {
      properties.push_back(property);
    } else {
      same_key->value = property.value;
    }
  }
  elapsed_ms += other.elapsed_ms;
}

void Record::ClearParts(size_t keep) {
  const size_t parts = static_cast<size_t>(
      std::count_if(items.begin(), items.end(),
                    [](const Item& item) { return item.is_part; }));
  cleared_parts = parts > keep ? parts - keep : 0;
}

bool Record::Failed() const {
  size_t parts = 0;
  return std::any_of(items.begin(), items.end(), [&](const Item& item) {
    return item.is_part && ++parts > cleared_parts &&
           (item.part.type == testing::TestPartResult::kNonFatalFailure ||
            item.part.type == testing::TestPartResult::kFatalFailure);
  });
}

void ReadyRecords::Reserve(size_t keys) {
  if (keys > slot_of_.size()) slot_of_.resize(keys, -1);
}

void ReadyRecords::Put(int key, Record record) {
  std::lock_guard<std::mutex> lock(mutex_);
  handed_.emplace_back(key, std::move(record));
}

void ReadyRecords::Receive() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    batch_.swap(handed_);
  }
  for (auto& [key, record] : batch_) {
    if (key < 0) continue;
    if (track_arrivals_) {
      arrivals_.push_back(Arrival{key, record.Failed(), record.interrupted,
                                  record.elapsed_ms, record.worker});
    }
    const size_t at = static_cast<size_t>(key);
    if (at >= slot_of_.size()) Reserve(std::max(at + 1, 2 * slot_of_.size()));
    int32_t& slot = slot_of_[at];
    if (slot < 0) {
      if (free_.empty()) {
        slot = static_cast<int32_t>(pool_.size());
        pool_.emplace_back();
      } else {
        slot = free_.back();
        free_.pop_back();
      }
    }
    pool_[static_cast<size_t>(slot)] = std::move(record);
  }
  batch_.clear();
}

Record* ReadyRecords::Find(int key) {
  if (key < 0) return nullptr;
  const size_t at = static_cast<size_t>(key);
  if (at >= slot_of_.size() || slot_of_[at] < 0) Receive();
  return at < slot_of_.size() && slot_of_[at] >= 0
             ? &pool_[static_cast<size_t>(slot_of_[at])]
             : nullptr;
}

bool ReadyRecords::Has(int key) { return Find(key) != nullptr; }

bool ReadyRecords::Take(int key, Record* record) {
  Record* found = Find(key);
  if (found == nullptr) return false;
  *record = std::move(*found);
  *found = Record();
  int32_t& slot = slot_of_[static_cast<size_t>(key)];
  free_.push_back(slot);
  slot = -1;
  return true;
}

std::vector<ReadyRecords::Arrival> ReadyRecords::TakeArrivals() {
  Receive();
  std::vector<Arrival> arrivals;
  arrivals.swap(arrivals_);
  return arrivals;
}

void ReadyRecords::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  handed_.clear();
  std::fill(slot_of_.begin(), slot_of_.end(), -1);
  pool_.clear();
  free_.clear();
}

}  // namespace internal
}  // namespace gtest_parallel
