#include "tern/engine/build_info.h"
#include "tern/engine/version.h"

#include <gtest/gtest.h>

TEST(BuildInfo, VersionMatchesTheGeneratedHeader) {
    EXPECT_EQ(tern::engine::version(), TERN_VERSION_STRING);
    EXPECT_EQ(tern::engine::version(), std::to_string(TERN_VERSION_MAJOR) + "." +
                                           std::to_string(TERN_VERSION_MINOR) + "." +
                                           std::to_string(TERN_VERSION_PATCH));
}

TEST(BuildInfo, DescriptionNamesTheCompiler) {
    const std::string d = tern::engine::build_description();
    EXPECT_TRUE(d.find("gcc") != std::string::npos || d.find("clang") != std::string::npos ||
                d.find("msvc") != std::string::npos)
        << d;
}
