#include "parley_bench/proc_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

namespace parley::bench {

namespace {

std::optional<std::string> readLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

// Socket inodes of listening sockets on `port` in one /proc/net table.
std::vector<std::string> listeningInodes(const std::string& table, uint16_t port) {
  std::vector<std::string> inodes;
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
        timeout >> inode;
    const auto colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") continue;  // 0A = LISTEN
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) inodes.push_back(inode);
  }
  return inodes;
}

}  // namespace

std::optional<int64_t> residentKib(pid_t pid) {
  auto line = readLine("/proc/" + std::to_string(pid) + "/statm");
  if (!line) return std::nullopt;
  std::istringstream fields(*line);
  int64_t size = 0, resident = 0;
  if (!(fields >> size >> resident)) return std::nullopt;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

std::optional<int64_t> cpuNanosOf(pid_t pid) {
  auto line = readLine("/proc/" + std::to_string(pid) + "/stat");
  if (!line) return std::nullopt;
  // The command name is in parentheses and may contain spaces: fields start after the last ')'.
  const auto close = line->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line->substr(close + 2));
  std::string field;
  int64_t utime = 0, stime = 0;
  // After the name: state(3) ... utime is field 14, stime 15; here field 3 is the first.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  const int64_t ticks = sysconf(_SC_CLK_TCK);
  return (utime + stime) * (1'000'000'000 / ticks);
}

std::optional<pid_t> findListeningPid(uint16_t port) {
  std::vector<std::string> inodes = listeningInodes("/proc/net/tcp", port);
  for (auto& inode : listeningInodes("/proc/net/tcp6", port)) inodes.push_back(inode);
  if (inodes.empty()) return std::nullopt;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<pid_t> found;
  while (dirent* entry = readdir(proc)) {
    const std::string_view name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string_view::npos) continue;
    const std::string fd_dir = "/proc/" + std::string(name) + "/fd";
    DIR* fds = opendir(fd_dir.c_str());
    if (fds == nullptr) continue;
    while (dirent* fd = readdir(fds)) {
      char target[64];
      const std::string link = fd_dir + "/" + fd->d_name;
      const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
      if (n <= 0) continue;
      const std::string_view text(target, static_cast<size_t>(n));
      for (const auto& inode : inodes) {
        if (text == "socket:[" + inode + "]")
          found = static_cast<pid_t>(std::stoi(std::string(name)));
      }
      if (found) break;
    }
    closedir(fds);
    if (found) break;
  }
  closedir(proc);
  return found;
}

std::string loadAverage() {
  auto line = readLine("/proc/loadavg");
  if (!line) return "";
  std::istringstream fields(*line);
  std::string one, five, fifteen;
  fields >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

int64_t memTotalKib() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t value = 0;
  std::string unit;
  while (in >> key >> value >> unit) {
    if (key == "MemTotal:") return value;
  }
  return 0;
}

int processorCount() { return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)); }

}  // namespace parley::bench
