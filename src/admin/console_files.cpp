#include "admin/console_files.h"

#include <spdlog/spdlog.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace parley {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "/console/";
// The built console is a few hundred KiB; anything far larger in that directory is not ours.
constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;

// Scripts and styles are our own files only: nothing from another origin, no inline script.
// uPlot sizes its canvas through style attributes, hence 'unsafe-inline' for styles alone.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

AdminResponse notFound(std::string_view reason) {
  AdminResponse response;
  response.status = 404;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::string(reason) + "\n";
  return response;
}

// True when every segment of `relative` is a plain name: no "..", ".", empty segment, backslash
// or NUL, so that joining it to the directory cannot climb out of it.
bool isPlainRelativePath(std::string_view relative) {
  if (relative.empty()) {
    return false;
  }
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string_view::npos) {
      slash = relative.size();
    }
    const std::string_view segment = relative.substr(start, slash - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return false;
    }
    for (const char c : segment) {
      if (c == '\\' || c == '\0') {
        return false;
      }
    }
    start = slash + 1;
  }
  return true;
}

bool isInside(const fs::path& file, const fs::path& dir) {
  auto file_it = file.begin();
  for (auto dir_it = dir.begin(); dir_it != dir.end(); ++dir_it, ++file_it) {
    if (file_it == file.end() || *file_it != *dir_it) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view consoleContentType(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webmanifest", "application/manifest+json"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (file_name.size() > extension.size() && file_name.ends_with(extension)) {
      return type;
    }
  }
  return "application/octet-stream";
}

AdminResponse serveConsoleFile(const std::string& dir, std::string_view path) {
  if (!path.starts_with(kPrefix)) {
    return notFound("not a console path");
  }
  std::string_view relative = path.substr(kPrefix.size());
  if (relative.empty()) {
    relative = "index.html";
  }
  if (!isPlainRelativePath(relative)) {
    return notFound("no such console file");
  }
  std::error_code error;
  const fs::path root = dir.empty() ? fs::path() : fs::canonical(dir, error);
  if (dir.empty() || error) {
    return notFound(
        "the web console is not built here (admin.console-dir); run scripts/build.sh parley");
  }
  // canonical() resolves symbolic links too, so a link inside the directory cannot point out.
  const fs::path file = fs::canonical(root / fs::path(relative), error);
  if (error || !isInside(file, root) || !fs::is_regular_file(file, error) || error) {
    return notFound("no such console file");
  }
  const std::uintmax_t size = fs::file_size(file, error);
  if (error || size > kMaxFileBytes) {
    return notFound("no such console file");
  }
  std::ifstream in(file, std::ios::binary);
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    spdlog::warn("admin: reading console file {} failed", file.string());
    return notFound("no such console file");
  }
  AdminResponse response;
  response.content_type = std::string(consoleContentType(relative));
  response.body = std::move(body);
  // Vite names built assets by their content hash, so they never change; index.html names the
  // current ones and must be fetched again after an upgrade.
  response.headers.emplace_back("Cache-Control", relative.starts_with("assets/")
                                                     ? "public, max-age=31536000, immutable"
                                                     : "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace parley
