# Every dependency comes from Debian 12 packages (see scripts/install-deps.sh).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
# Boost 1.81's config version is 1.81.0: EXACT would fail, so ask for "at least".
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json)
# Debian's protobuf ships no protobuf-config.cmake: this uses CMake's FindProtobuf module.
find_package(Protobuf REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL 3 REQUIRED)  # TLS on every port (libssl-dev)
find_package(mongoc-1.0 REQUIRED)  # target mongo::mongoc_shared (libmongoc 1.23)
find_package(spdlog REQUIRED)
find_package(fmt REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(CLI11 REQUIRED)
find_package(prometheus-cpp REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
if(PARLEY_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
