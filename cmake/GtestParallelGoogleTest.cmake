# Which GoogleTest gtest_parallel is built against, and GoogleTest's private
# header of that same version.
#
# The GoogleTest targets the build already has are used as they are
# (FetchContent or add_subdirectory of GoogleTest before gtest_parallel);
# otherwise find_package(GTest CONFIG) loads an installed one. gtest_parallel
# compiles one file (gtest_parallel/googletest/gtest_access.cc) against GoogleTest's
# private header src/gtest-internal-inl.h, which ships only with its
# sources: those sources must be of the very GoogleTest being linked.
#
# Sets:
#   GTEST_PARALLEL_GTEST_VERSION     the linked GoogleTest's version, and
#   GTEST_PARALLEL_GTEST_VERSION_NUMBER  the same as major*10000+minor*100+patch;
#   GTEST_PARALLEL_GTEST_SOURCE_DIR  (cache) the directory holding
#                                    src/gtest-internal-inl.h of it.
# Stops configuring, with one message naming the versions and the remedy,
# when the sources are missing or of another GoogleTest, or the version is
# older than the oldest supported.

set(GTEST_PARALLEL_GTEST_OLDEST 1.11.0)
set(GTEST_PARALLEL_GTEST_NEWEST_TESTED 1.18.0)

if(NOT TARGET GTest::gtest)
  find_package(GTest CONFIG REQUIRED)
endif()

# _gtest_parallel_sources_version(<out> <dir>): the GOOGLETEST_VERSION that
# the sources holding <dir> (their googletest/ directory) declare, or "".
function(_gtest_parallel_sources_version out dir)
  set(version "")
  foreach(list_file "${dir}/../CMakeLists.txt" "${dir}/CMakeLists.txt")
    if(NOT version AND EXISTS "${list_file}")
      file(STRINGS "${list_file}" line
           REGEX "set\\(GOOGLETEST_VERSION [0-9.]+\\)")
      string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" version "${line}")
    endif()
  endforeach()
  set(${out} "${version}" PARENT_SCOPE)
endfunction()

# The real target behind GTest::gtest, and whether this build makes it.
set(_gtp_target GTest::gtest)
get_target_property(_gtp_aliased GTest::gtest ALIASED_TARGET)
if(_gtp_aliased)
  set(_gtp_target ${_gtp_aliased})
endif()
get_target_property(_gtp_imported ${_gtp_target} IMPORTED)

set(_gtp_linked_version "")
set(_gtp_linked_header "")
if(_gtp_imported)
  # Installed: the version its package declares, the header it exports.
  if(GTest_VERSION)
    set(_gtp_linked_version "${GTest_VERSION}")
  endif()
  get_target_property(_gtp_includes ${_gtp_target}
                      INTERFACE_INCLUDE_DIRECTORIES)
  foreach(dir IN LISTS _gtp_includes)
    if(NOT _gtp_linked_header AND EXISTS "${dir}/gtest/gtest.h")
      set(_gtp_linked_header "${dir}/gtest/gtest.h")
    endif()
  endforeach()
  set(_gtp_default_sources /usr/src/googletest/googletest /usr/src/gtest)
  set(_gtp_where "installed in ${GTest_DIR}")
else()
  # Built here from its sources: they are the ones to use.
  get_target_property(_gtp_default_sources ${_gtp_target} SOURCE_DIR)
  _gtest_parallel_sources_version(_gtp_linked_version
                                  "${_gtp_default_sources}")
  set(_gtp_where "built from ${_gtp_default_sources}")
endif()

find_path(GTEST_PARALLEL_GTEST_SOURCE_DIR
  NAMES src/gtest-internal-inl.h
  PATHS ${_gtp_default_sources}
  NO_DEFAULT_PATH
  DOC "GoogleTest's googletest/ source directory (holding "
      "src/gtest-internal-inl.h) of the GoogleTest being linked")

set(_gtp_sources "${GTEST_PARALLEL_GTEST_SOURCE_DIR}")
set(_gtp_problem "")
set(_gtp_sources_version "")
if(NOT _gtp_sources)
  set(_gtp_problem "its sources (src/gtest-internal-inl.h) were not found")
elseif(NOT EXISTS "${_gtp_sources}/src/gtest-internal-inl.h")
  set(_gtp_problem "${_gtp_sources} holds no src/gtest-internal-inl.h")
else()
  _gtest_parallel_sources_version(_gtp_sources_version "${_gtp_sources}")
  if(_gtp_linked_version AND _gtp_sources_version AND
     NOT _gtp_linked_version VERSION_EQUAL _gtp_sources_version)
    set(_gtp_problem "the sources in ${_gtp_sources} are GoogleTest "
                     "${_gtp_sources_version}")
  elseif(_gtp_linked_header AND EXISTS "${_gtp_sources}/include/gtest/gtest.h")
    # Same version number, or none known: the headers must be the same.
    file(SHA256 "${_gtp_linked_header}" _gtp_linked_hash)
    file(SHA256 "${_gtp_sources}/include/gtest/gtest.h" _gtp_sources_hash)
    if(NOT _gtp_linked_hash STREQUAL _gtp_sources_hash)
      set(_gtp_problem "the sources in ${_gtp_sources} hold another "
                       "gtest/gtest.h than ${_gtp_linked_header}")
    endif()
  endif()
  if(NOT _gtp_linked_version)
    set(_gtp_linked_version "${_gtp_sources_version}")
  endif()
  if(NOT _gtp_problem AND NOT _gtp_linked_version)
    set(_gtp_problem "neither it nor the CMakeLists.txt of the sources in "
                     "${_gtp_sources} names its version")
  endif()
endif()
string(CONCAT _gtp_problem ${_gtp_problem})

set(_gtp_name "GoogleTest ${_gtp_linked_version}")
if(NOT _gtp_linked_version)
  set(_gtp_name "GoogleTest (of unknown version)")
endif()
if(_gtp_problem)
  set(_gtp_tag "v${_gtp_linked_version}")
  if(_gtp_linked_version VERSION_LESS 1.13.0)
    set(_gtp_tag "release-${_gtp_linked_version}")
  endif()
  message(FATAL_ERROR
    "gtest_parallel needs GoogleTest's private header src/gtest-internal-inl.h "
    "of the GoogleTest it links: ${_gtp_name}, ${_gtp_where}; but "
    "${_gtp_problem}. Set GTEST_PARALLEL_GTEST_SOURCE_DIR to the googletest/ "
    "directory of ${_gtp_name}'s sources (e.g. of "
    "https://github.com/google/googletest/archive/refs/tags/${_gtp_tag}.tar.gz"
    "), or add GoogleTest to the build with FetchContent before "
    "gtest_parallel.")
endif()
if(_gtp_linked_version AND
   _gtp_linked_version VERSION_LESS GTEST_PARALLEL_GTEST_OLDEST)
  message(FATAL_ERROR
    "gtest_parallel supports GoogleTest ${GTEST_PARALLEL_GTEST_OLDEST} and "
    "later; ${_gtp_name} (${_gtp_where}) is older: use a newer GoogleTest.")
endif()
if(_gtp_linked_version VERSION_GREATER GTEST_PARALLEL_GTEST_NEWEST_TESTED)
  message(WARNING
    "${_gtp_name} is newer than the newest GoogleTest gtest_parallel is "
    "tested with (${GTEST_PARALLEL_GTEST_NEWEST_TESTED}); it builds only if "
    "the GoogleTest internals it uses are unchanged.")
endif()
# The version as one number too (1.17.0: 11700), for the sources.
string(REGEX MATCHALL "[0-9]+" _gtp_parts "${_gtp_linked_version}")
list(GET _gtp_parts 0 _gtp_major)
list(GET _gtp_parts 1 _gtp_minor)
list(GET _gtp_parts 2 _gtp_patch)
math(EXPR _gtp_number
     "${_gtp_major} * 10000 + ${_gtp_minor} * 100 + ${_gtp_patch}")
# Cached, so that every directory of the build sees them (the fixtures of
# gtest_parallel's tests are added beside it by other projects too).
set(GTEST_PARALLEL_GTEST_VERSION_NUMBER "${_gtp_number}" CACHE INTERNAL
    "The linked GoogleTest's version as one number")
set(GTEST_PARALLEL_GTEST_VERSION "${_gtp_linked_version}" CACHE INTERNAL
    "The linked GoogleTest's version")
message(STATUS "gtest_parallel: ${_gtp_name}, ${_gtp_where}; private header "
               "from ${_gtp_sources}")

unset(_gtp_target)
unset(_gtp_aliased)
unset(_gtp_imported)
unset(_gtp_includes)
unset(_gtp_default_sources)
unset(_gtp_where)
unset(_gtp_sources)
unset(_gtp_sources_version)
unset(_gtp_problem)
unset(_gtp_name)
unset(_gtp_tag)
unset(_gtp_linked_header)
unset(_gtp_linked_hash)
unset(_gtp_sources_hash)
unset(_gtp_linked_version)
unset(_gtp_parts)
unset(_gtp_major)
unset(_gtp_minor)
unset(_gtp_patch)
unset(_gtp_number)
