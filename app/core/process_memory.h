// The process's resident memory (what the status strip shows), read the native way on each
// platform. Returns 0 when the platform gives no answer.
#pragma once

#include <cstdint>

namespace tern::app {

std::uint64_t residentMemoryBytes();

} // namespace tern::app
