# format-check: fails when any C++ source differs from .clang-format; format: rewrites them.
find_program(CLANG_FORMAT_EXE NAMES clang-format clang-format-16 clang-format-15 clang-format-14)
if(CLANG_FORMAT_EXE)
  file(GLOB_RECURSE TERN_FORMAT_SOURCES CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/kernels/*.cpp ${PROJECT_SOURCE_DIR}/kernels/*.h
    ${PROJECT_SOURCE_DIR}/engine/*.cpp ${PROJECT_SOURCE_DIR}/engine/*.h
    ${PROJECT_SOURCE_DIR}/downloader/*.cpp ${PROJECT_SOURCE_DIR}/downloader/*.h
    ${PROJECT_SOURCE_DIR}/app/*.cpp ${PROJECT_SOURCE_DIR}/app/*.h
    ${PROJECT_SOURCE_DIR}/tests/*.cpp ${PROJECT_SOURCE_DIR}/tests/*.h)
  add_custom_target(format-check
    COMMAND ${CLANG_FORMAT_EXE} --dry-run -Werror ${TERN_FORMAT_SOURCES}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "Checking C++ formatting against .clang-format")
  add_custom_target(format
    COMMAND ${CLANG_FORMAT_EXE} -i ${TERN_FORMAT_SOURCES}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    COMMENT "Formatting C++ sources")
else()
  add_custom_target(format-check
    COMMAND ${CMAKE_COMMAND} -E echo "clang-format not found: sudo apt-get install clang-format"
    COMMAND ${CMAKE_COMMAND} -E false)
endif()
