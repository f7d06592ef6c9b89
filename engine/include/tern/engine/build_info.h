// What this build of the engine is: version and compiler, for --version and bug reports.
#pragma once

#include <string>

namespace tern::engine {

std::string version();
std::string build_description(); // compiler, build type, sanitizers
} // namespace tern::engine
