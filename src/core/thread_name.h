#pragma once
// Names the calling thread, so that `top -H`, `ps -L`, perf and gdb tell the io threads, the
// SQLite writer and the worker pools apart. Linux keeps at most 15 characters; longer names are
// cut, never refused.
#include <string>

namespace parley {

void nameThisThread(const std::string& name);

// The calling thread's name as the kernel keeps it (what `top -H` shows); "" if unreadable.
std::string thisThreadName();

}  // namespace parley
