#include "redis/key_slot.h"

#include <array>
#include <string>
#include <vector>

namespace parley {

namespace {

constexpr std::array<uint16_t, 256> makeCrc16Table() {
  std::array<uint16_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint16_t crc = static_cast<uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kCrc16Table = makeCrc16Table();

}  // namespace

uint16_t crc16(std::string_view data) {
  uint16_t crc = 0;
  for (const char c : data) {
    const auto byte = static_cast<uint8_t>(c);
    crc = static_cast<uint16_t>((crc << 8) ^ kCrc16Table[((crc >> 8) ^ byte) & 0xFF]);
  }
  return crc;
}

std::string_view hashTag(std::string_view key) {
  const size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  const size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

std::string_view slotTag(uint16_t slot) {
  static const std::vector<std::string> tags = [] {
    std::vector<std::string> found(kClusterSlotCount);
    size_t missing = kClusterSlotCount;
    // "s0", "s1", ...: the first tag found for each slot, so every process derives the same ones.
    for (uint64_t i = 0; missing > 0; ++i) {
      std::string tag = "s" + std::to_string(i);
      std::string& entry = found[crc16(tag) & (kClusterSlotCount - 1)];
      if (entry.empty()) {
        entry = std::move(tag);
        --missing;
      }
    }
    return found;
  }();
  return tags[slot & (kClusterSlotCount - 1)];
}

uint16_t keySlot(std::string_view key) {
  // 16384 is a power of two, so the modulo is a mask, as in Redis's keyHashSlot.
  return static_cast<uint16_t>(crc16(hashTag(key)) & (kClusterSlotCount - 1));
}

}  // namespace parley
