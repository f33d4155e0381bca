# Installation and CMake package export of gtest_parallel: the libraries
# (gtest_parallel::gtest_parallel, gtest_parallel::main), the public header,
# gtest_parallelConfig.cmake (+ version file) and the ctest helper
# GtestParallelAddTests.cmake, so that consumers can write
#   find_package(gtest_parallel CONFIG REQUIRED)
# Included by the top-level CMakeLists.txt when GTEST_PARALLEL_INSTALL is ON.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(GTEST_PARALLEL_INSTALL_CMAKEDIR
  "${CMAKE_INSTALL_LIBDIR}/cmake/gtest_parallel"
  CACHE STRING
  "Where to install gtest_parallelConfig.cmake, relative to the prefix")
mark_as_advanced(GTEST_PARALLEL_INSTALL_CMAKEDIR)

install(TARGETS gtest_parallel gtest_parallel_main gtest_parallel_backend
  EXPORT gtest_parallelTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(DIRECTORY
  "${gtest_parallel_SOURCE_DIR}/gtest_parallel/include/"
  "${gtest_parallel_SOURCE_DIR}/backends/interface/include/"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  FILES_MATCHING PATTERN "*.h")

install(EXPORT gtest_parallelTargets
  NAMESPACE gtest_parallel::
  FILE gtest_parallelTargets.cmake
  DESTINATION "${GTEST_PARALLEL_INSTALL_CMAKEDIR}")

# Each database backend has an export file of its own, loaded only where
# its client library is found, so that a SQLite-only consumer needs no
# libpq or libmariadb.
set(GTEST_PARALLEL_INSTALLED_BACKENDS "")
foreach(backend IN ITEMS sqlite postgresql mariadb)
  if(NOT TARGET gtest_parallel_${backend})
    continue()
  endif()
  list(APPEND GTEST_PARALLEL_INSTALLED_BACKENDS ${backend})
  install(TARGETS gtest_parallel_${backend}
    EXPORT gtest_parallel_${backend}Targets
    ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
  install(DIRECTORY "${gtest_parallel_SOURCE_DIR}/backends/${backend}/include/"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    FILES_MATCHING PATTERN "*.h")
  install(EXPORT gtest_parallel_${backend}Targets
    NAMESPACE gtest_parallel::
    FILE gtest_parallel_${backend}Targets.cmake
    DESTINATION "${GTEST_PARALLEL_INSTALL_CMAKEDIR}")
endforeach()

# The config file names GTEST_PARALLEL_GTEST_VERSION, the GoogleTest the
# library was compiled against (see GtestParallelGoogleTest.cmake):
# gtest_parallel uses GoogleTest internals, so consumers must link the same.
configure_package_config_file(
  "${CMAKE_CURRENT_LIST_DIR}/gtest_parallelConfig.cmake.in"
  "${gtest_parallel_BINARY_DIR}/gtest_parallelConfig.cmake"
  INSTALL_DESTINATION "${GTEST_PARALLEL_INSTALL_CMAKEDIR}")

write_basic_package_version_file(
  "${gtest_parallel_BINARY_DIR}/gtest_parallelConfigVersion.cmake"
  VERSION "${gtest_parallel_VERSION}"
  COMPATIBILITY SameMajorVersion)

install(FILES
  "${gtest_parallel_BINARY_DIR}/gtest_parallelConfig.cmake"
  "${gtest_parallel_BINARY_DIR}/gtest_parallelConfigVersion.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/GtestParallelAddTests.cmake"
  DESTINATION "${GTEST_PARALLEL_INSTALL_CMAKEDIR}")
