// Resident memory of this process, as the OS reports it.
#pragma once

#include <cstdint>

namespace tern::engine {

// Peak resident set size in bytes since the process started (0 when unavailable).
std::uint64_t peak_resident_bytes();
// Restarts the peak from the current resident set; false where the OS cannot.
bool reset_peak_resident_bytes();
// Current resident set size in bytes (0 when unavailable).
std::uint64_t current_resident_bytes();

} // namespace tern::engine
