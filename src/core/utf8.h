#pragma once
// UTF-8 text: lengths as limits count them, and decoding that tolerates malformed input.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace parley {

// UTF-8 code points, which is what upstream's length limits count (Java string length is close
// to it); protobuf has already rejected text that is not UTF-8.
inline size_t codePoints(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point at pos and moves pos past it. A byte that starts no well-formed UTF-8
// sequence (a stray continuation, a truncated or overlong form, a surrogate, a value past
// U+10FFFF) yields U+FFFD and moves pos one byte, so every input decodes deterministically.
inline char32_t decodeUtf8(std::string_view s, size_t& pos) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    ++pos;
    return kReplacementChar;
  }
  if (pos + length > s.size()) {
    ++pos;
    return kReplacementChar;
  }
  for (size_t i = 1; i < length; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) {
      ++pos;
      return kReplacementChar;
    }
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++pos;
    return kReplacementChar;
  }
  pos += length;
  return cp;
}

}  // namespace parley
