# Where installed data (demo model, catalog, icons) goes on each platform. The engine's data-path
# locator searches the same places relative to the executable, so installed binaries never
# depend on the build tree.
include(GNUInstallDirs)
if(APPLE)
  set(TERN_INSTALL_DATADIR "tern.app/Contents/Resources")
elseif(WIN32)
  set(TERN_INSTALL_DATADIR "${CMAKE_INSTALL_BINDIR}/data")
else()
  set(TERN_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/tern")
endif()
