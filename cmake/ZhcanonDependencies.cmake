# Finds zhcanon's dependencies (all Debian 12 packages, see scripts/install-deps) and
# defines imported targets for the ones that ship only pkg-config files. Used both by
# the build and by the installed zhcanonConfig.cmake.
find_package(PkgConfig REQUIRED)
find_package(ICU 72 REQUIRED COMPONENTS uc i18n data)
find_package(yaml-cpp REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(simdjson REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
# md4c via pkg-config: Debian 12's md4cConfig.cmake references libmd4c-html, which libmd4c-dev does not install.
find_package(ZLIB REQUIRED)
find_package(TBB REQUIRED)
find_package(Threads REQUIRED)
# index/: the persistent corpus index (zhcanon index, zhcanon check)
find_package(SQLite3 REQUIRED)
pkg_check_modules(GUMBO REQUIRED IMPORTED_TARGET gumbo)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(MD4C REQUIRED IMPORTED_TARGET md4c)
# libyaml parses front matter; yaml-cpp only writes it.
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1)
pkg_check_modules(OPENCC REQUIRED IMPORTED_TARGET opencc)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
