# gtest_parallel_add_tests(): registers a test executable linked with
# gtest_parallel::main as ONE ctest test that runs all of its tests on
# worker processes. Included by gtest_parallel's own build and, once
# installed, by gtest_parallelConfig.cmake.
#
#   gtest_parallel_add_tests(TARGET <target>
#                            [WORKERS <N>|auto]      # default: auto
#                            [NAME <test name>]      # default: <target>
#                            [TIMEOUT <seconds>]
#                            [EXTRA_ARGS <arg>...])
#
# The test runs `$<TARGET_FILE:target> --gtest_parallel=<N|auto> <EXTRA_ARGS>`
# and its PROCESSORS property is set to the number of workers, so that
# `ctest -j <J>` counts it as N of its J slots and does not oversubscribe the
# machine (a test asking for more than J slots runs on its own). For `auto`
# the binary still gets --gtest_parallel=auto (it counts the CPUs it may use
# when it runs); PROCESSORS is the number of logical cores of the machine
# that configures the build. WORKERS 0 or 1 runs the tests serially, exactly
# like gtest_main.
#
# Where CMake supports it (3.27 and later, not on Windows), a test that
# reaches its timeout gets SIGTERM and 5 s to print its report before it is
# killed.
#
# gtest_discover_tests() from CMake's GoogleTest module works unchanged on the
# same executable: without a parallel flag (or with --gtest_list_tests) the
# binary behaves exactly like one linked with gtest_main. Use one or the
# other for a given executable, or both with different test names.

include_guard(GLOBAL)

function(gtest_parallel_add_tests)
  cmake_parse_arguments(PARSE_ARGV 0 arg
    "" "TARGET;WORKERS;NAME;TIMEOUT" "EXTRA_ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "gtest_parallel_add_tests: unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_TARGET)
    message(FATAL_ERROR "gtest_parallel_add_tests: TARGET is required")
  endif()
  if(NOT TARGET ${arg_TARGET})
    message(FATAL_ERROR
      "gtest_parallel_add_tests: '${arg_TARGET}' is not a target")
  endif()

  if(NOT DEFINED arg_WORKERS OR arg_WORKERS STREQUAL "")
    set(arg_WORKERS auto)
  endif()
  if(arg_WORKERS STREQUAL "auto")
    cmake_host_system_information(RESULT processors
      QUERY NUMBER_OF_LOGICAL_CORES)
    if(NOT processors GREATER 0)
      set(processors 1)
    endif()
  elseif(arg_WORKERS MATCHES "^[0-9]+$")
    # Normalise ("08" -> 8) and treat 0 (serial) as one processor.
    math(EXPR processors "${arg_WORKERS}")
    set(arg_WORKERS ${processors})
    if(processors LESS 1)
      set(processors 1)
    endif()
  else()
    message(FATAL_ERROR
      "gtest_parallel_add_tests: WORKERS must be a number or 'auto', "
      "not '${arg_WORKERS}'")
  endif()

  if(NOT arg_NAME)
    set(arg_NAME ${arg_TARGET})
  endif()

  add_test(NAME ${arg_NAME}
    COMMAND $<TARGET_FILE:${arg_TARGET}> --gtest_parallel=${arg_WORKERS}
            ${arg_EXTRA_ARGS})
  set_tests_properties(${arg_NAME} PROPERTIES PROCESSORS ${processors})
  if(DEFINED arg_TIMEOUT AND NOT arg_TIMEOUT STREQUAL "")
    set_tests_properties(${arg_NAME} PROPERTIES TIMEOUT ${arg_TIMEOUT})
  endif()
  # On a timeout, CMake 3.27 and later can send SIGTERM before killing: the
  # run then stops its workers and prints the report of every test that
  # finished. (Older ones kill outright: the failures printed as they
  # happened are what the log keeps.)
  if(NOT WIN32 AND CMAKE_VERSION VERSION_GREATER_EQUAL 3.27)
    set_tests_properties(${arg_NAME} PROPERTIES
      TIMEOUT_SIGNAL_NAME SIGTERM
      TIMEOUT_SIGNAL_GRACE_PERIOD 5)
  endif()
endfunction()
