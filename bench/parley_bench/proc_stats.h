#pragma once
// What parley-bench reads about other processes and the machine from /proc.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace parley::bench {

// Resident set size in KiB (/proc/PID/statm), or nullopt when the process is gone.
std::optional<int64_t> residentKib(pid_t pid);
// User + system CPU time of the whole process in nanoseconds (/proc/PID/stat).
std::optional<int64_t> cpuNanosOf(pid_t pid);
// The process holding a listening TCP socket on this port (via /proc/net/tcp{,6} and the fd
// tables), or nullopt.
std::optional<pid_t> findListeningPid(uint16_t port);

std::string loadAverage();  // the first three fields of /proc/loadavg
int64_t memTotalKib();
int processorCount();

}  // namespace parley::bench
