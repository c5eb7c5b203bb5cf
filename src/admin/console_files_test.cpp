#include "admin/console_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace parley {
namespace {

namespace fs = std::filesystem;

std::string headerOf(const AdminResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

// A built console in a temp dir, beside a secret file that must never be served.
class ConsoleFilesTest : public ::testing::Test {
 protected:
  ConsoleFilesTest()
      : base_(fs::temp_directory_path() / ("parley-console-test-" + std::to_string(getpid()))) {
    fs::remove_all(base_);
    fs::create_directories(base_ / "console" / "assets");
    write(base_ / "console" / "index.html", "<!doctype html><title>Parley</title>");
    write(base_ / "console" / "assets" / "index-abc123.js", "console.log(1)");
    write(base_ / "console" / "assets" / "index-abc123.css", "body{}");
    write(base_ / "secret.txt", "password=hunter2");
    fs::create_symlink(base_ / "secret.txt", base_ / "console" / "link.txt");
    dir_ = (base_ / "console").string();
  }
  ~ConsoleFilesTest() override { fs::remove_all(base_); }

  static void write(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path base_;
  std::string dir_;
};

TEST_F(ConsoleFilesTest, RootServesIndexHtmlAsHtmlThatIsRevalidated) {
  const AdminResponse response = serveConsoleFile(dir_, "/console/");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(response.body, "<!doctype html><title>Parley</title>");
  EXPECT_EQ(headerOf(response, "Cache-Control"), "no-cache");
  EXPECT_NE(headerOf(response, "Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
}

TEST_F(ConsoleFilesTest, AssetsGetTheirContentTypeAndAreCachedForEver) {
  const AdminResponse script = serveConsoleFile(dir_, "/console/assets/index-abc123.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(script.body, "console.log(1)");
  EXPECT_NE(headerOf(script, "Cache-Control").find("immutable"), std::string::npos);
  EXPECT_EQ(headerOf(script, "X-Content-Type-Options"), "nosniff");

  const AdminResponse style = serveConsoleFile(dir_, "/console/assets/index-abc123.css");
  EXPECT_EQ(style.content_type, "text/css; charset=utf-8");
}

TEST_F(ConsoleFilesTest, RefusesPathsThatLeaveTheDirectory) {
  for (const char* path :
       {"/console/../secret.txt", "/console/assets/../../secret.txt", "/console/./index.html",
        "/console//etc/passwd", "/console/..\\secret.txt", "/console/link.txt"}) {
    const AdminResponse response = serveConsoleFile(dir_, path);
    EXPECT_EQ(response.status, 404) << path;
    EXPECT_EQ(response.body.find("hunter2"), std::string::npos) << path;
  }
}

TEST_F(ConsoleFilesTest, MissingFilesDirectoriesAndAnUnbuiltConsoleAre404) {
  EXPECT_EQ(serveConsoleFile(dir_, "/console/nope.js").status, 404);
  EXPECT_EQ(serveConsoleFile(dir_, "/console/assets").status, 404);
  const AdminResponse unbuilt = serveConsoleFile("", "/console/");
  EXPECT_EQ(unbuilt.status, 404);
  EXPECT_NE(unbuilt.body.find("not built"), std::string::npos);
  EXPECT_EQ(serveConsoleFile((base_ / "missing").string(), "/console/").status, 404);
}

TEST(ConsoleContentType, FollowsTheExtension) {
  EXPECT_EQ(consoleContentType("a.svg"), "image/svg+xml");
  EXPECT_EQ(consoleContentType("a.json"), "application/json");
  EXPECT_EQ(consoleContentType("a.woff2"), "font/woff2");
  EXPECT_EQ(consoleContentType("js"), "application/octet-stream");
  EXPECT_EQ(consoleContentType("a.exe"), "application/octet-stream");
}

}  // namespace
}  // namespace parley
