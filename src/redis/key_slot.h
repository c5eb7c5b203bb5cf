#pragma once
// Redis Cluster's key → slot function (CLUSTER KEYSLOT), used for routing on a Cluster and for
// grouping keys that may share one script. Knows nothing of what the keys hold.
#include <cstdint>
#include <string_view>

namespace parley {

constexpr uint16_t kClusterSlotCount = 16384;

// CRC16-CCITT (XMODEM): polynomial 0x1021, initial value 0, no reflection, no final XOR — the
// variant Redis Cluster uses. crc16("123456789") == 0x31C3.
uint16_t crc16(std::string_view data);

// The part of the key Redis Cluster hashes: if the key has a '{' and a '}' somewhere after it,
// and at least one character lies between the first '{' and the first '}' after it, that
// substring; otherwise the whole key. Only the first '{' counts: "foo{}{bar}" hashes all of it.
std::string_view hashTag(std::string_view key);

// CRC16(hashTag(key)) mod 16384, exactly as `CLUSTER KEYSLOT` answers.
uint16_t keySlot(std::string_view key);

// A short tag whose slot is `slot`: "x{" + slotTag(s) + "}" lands in slot s, so state kept per
// slot can sit beside the keys of that slot in one script. Computed once, for all 16384 slots
// (about 170,000 CRC16s, a few milliseconds), on first use; thread-safe.
std::string_view slotTag(uint16_t slot);

}  // namespace parley
