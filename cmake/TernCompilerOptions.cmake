# Warnings, sanitizers and the shared compile settings of every Tern target.

# tern_target_defaults(<target>): warnings (and -Werror when TERN_WERROR) for our own code.
function(tern_target_defaults target)
  if(MSVC)
    target_compile_options(${target} PRIVATE /W4 /permissive- /utf-8)
    if(TERN_WERROR)
      target_compile_options(${target} PRIVATE /WX)
    endif()
  else()
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
    if(TERN_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
  endif()
endfunction()

if(TERN_SANITIZE)
  if(MSVC)
    add_compile_options(/fsanitize=address)
  else()
    add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    add_link_options(-fsanitize=address,undefined)
  endif()
  add_compile_definitions(TERN_SANITIZER_BUILD=1)
endif()

if(TERN_TSAN)
  if(MSVC)
    message(FATAL_ERROR "ThreadSanitizer is not available with MSVC")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  add_compile_definitions(TERN_SANITIZER_BUILD=1)
endif()

# Hardened release binaries on Linux, as distributions build them: fortified libc calls and
# full RELRO. Sanitizer builds skip this (their runtimes replace the same functions).
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND NOT MSVC AND NOT TERN_SANITIZE AND NOT TERN_TSAN)
  add_compile_definitions($<$<CONFIG:Release,RelWithDebInfo,MinSizeRel>:_FORTIFY_SOURCE=2>)
  add_link_options(-Wl,-z,relro,-z,now)
endif()
