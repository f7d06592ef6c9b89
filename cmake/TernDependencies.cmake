# Every third-party dependency, found the standard way. A missing one stops the configure step
# with the package to install on Debian/Ubuntu, Homebrew and vcpkg.

find_package(PkgConfig QUIET)

# tern_require(<found-var> <what> <debian> <brew> <vcpkg>)
function(tern_require found what debian brew vcpkg)
  if(NOT ${found})
    message(FATAL_ERROR
      "Tern needs ${what}, which was not found.\n"
      "  Debian/Ubuntu: sudo apt-get install ${debian}\n"
      "  macOS:         brew install ${brew}\n"
      "  Windows:       vcpkg install ${vcpkg}   (or use the vcpkg.json manifest)\n"
      "Or run scripts/setup-deps.sh, which installs everything Tern needs.")
  endif()
endfunction()

find_package(Threads REQUIRED)

find_package(SQLite3 QUIET)
tern_require(SQLite3_FOUND "SQLite 3" libsqlite3-dev sqlite sqlite3)

find_package(CURL QUIET)
tern_require(CURL_FOUND "libcurl" libcurl4-openssl-dev curl curl)

find_package(nlohmann_json 3.9 QUIET)
tern_require(nlohmann_json_FOUND "nlohmann_json (JSON for Modern C++)" nlohmann-json3-dev nlohmann-json nlohmann-json)

# sentencepiece ships neither a CMake package nor (on every platform) a .pc file: try both.
if(PkgConfig_FOUND)
  pkg_check_modules(SENTENCEPIECE QUIET IMPORTED_TARGET sentencepiece)
endif()
if(SENTENCEPIECE_FOUND)
  add_library(tern::sentencepiece ALIAS PkgConfig::SENTENCEPIECE)
else()
  find_path(SENTENCEPIECE_INCLUDE_DIR sentencepiece_processor.h)
  find_library(SENTENCEPIECE_LIBRARY sentencepiece)
  if(SENTENCEPIECE_INCLUDE_DIR AND SENTENCEPIECE_LIBRARY)
    add_library(tern_sentencepiece INTERFACE)
    target_include_directories(tern_sentencepiece INTERFACE ${SENTENCEPIECE_INCLUDE_DIR})
    target_link_libraries(tern_sentencepiece INTERFACE ${SENTENCEPIECE_LIBRARY})
    add_library(tern::sentencepiece ALIAS tern_sentencepiece)
    set(SENTENCEPIECE_FOUND TRUE)
  endif()
endif()
tern_require(SENTENCEPIECE_FOUND "sentencepiece" libsentencepiece-dev sentencepiece sentencepiece)

if(PkgConfig_FOUND)
  pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
endif()
if(PCRE2_FOUND)
  add_library(tern::pcre2 ALIAS PkgConfig::PCRE2)
else()
  find_path(PCRE2_INCLUDE_DIR pcre2.h)
  find_library(PCRE2_LIBRARY NAMES pcre2-8 pcre2-8-static)
  if(PCRE2_INCLUDE_DIR AND PCRE2_LIBRARY)
    add_library(tern_pcre2 INTERFACE)
    target_include_directories(tern_pcre2 INTERFACE ${PCRE2_INCLUDE_DIR})
    target_link_libraries(tern_pcre2 INTERFACE ${PCRE2_LIBRARY})
    add_library(tern::pcre2 ALIAS tern_pcre2)
    set(PCRE2_FOUND TRUE)
  endif()
endif()
tern_require(PCRE2_FOUND "PCRE2 (8-bit)" libpcre2-dev pcre2 pcre2)

if(TERN_BUILD_APP)
  find_package(Qt6 6.4 QUIET COMPONENTS Core Gui Quick QuickControls2 Qml Sql Network Test QuickTest)
  tern_require(Qt6_FOUND "Qt 6.4 or newer (Core, Gui, Quick, QuickControls2, Qml, Sql, Network, Test, QuickTest)"
    "qt6-base-dev qt6-declarative-dev libqt6sql6-sqlite qml6-module-qtquick-controls qml6-module-qttest"
    qt@6 "qtbase qtdeclarative")
  qt_standard_project_setup()
  # Optional: the platform keychain for the Hugging Face token (qtkeychain-qt6-dev).
  find_package(Qt6Keychain QUIET)
endif()

if(TERN_BUILD_TESTS)
  find_package(GTest QUIET)
  tern_require(GTest_FOUND "GoogleTest" "libgtest-dev libgmock-dev" googletest gtest)
  include(GoogleTest)
endif()

if(TERN_BUILD_BENCHMARKS)
  find_package(benchmark QUIET)
  tern_require(benchmark_FOUND "Google Benchmark" libbenchmark-dev google-benchmark benchmark)
endif()
