#pragma once
// Private to src/net: OpenSSL's reasons for the last failure on this thread, oldest first,
// joined with "; ". Empties the thread's error queue. Empty when there were none.
#include <string>

namespace parley::net {

std::string takeOpenSslErrors();

}  // namespace parley::net
