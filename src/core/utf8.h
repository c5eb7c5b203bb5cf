#pragma once
// Text lengths as limits count them.
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

}  // namespace parley
