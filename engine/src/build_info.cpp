#include "tern/engine/build_info.h"

#include "tern/engine/version.h"

namespace tern::engine {

std::string version() { return TERN_VERSION_STRING; }

std::string build_description() {
    std::string out;
#if defined(__clang__)
    out = "clang " __clang_version__;
#elif defined(__GNUC__)
    out = "gcc " __VERSION__;
#elif defined(_MSC_VER)
    out = "msvc " + std::to_string(_MSC_VER);
#else
    out = "unknown compiler";
#endif
#if defined(NDEBUG)
    out += ", optimized";
#else
    out += ", debug";
#endif
#if defined(TERN_SANITIZER_BUILD)
    out += ", sanitizers";
#endif
    return out;
}

} // namespace tern::engine
