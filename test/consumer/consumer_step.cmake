# One step of the consumer checks of test/consumer/CMakeLists.txt, run as
#   cmake -DSTEP=install|build|run [-DKIND=find_package|add_subdirectory]
#         -DSETTINGS=<consumer_settings.cmake> -DCONFIG=<config> -P this file
#  install: `cmake --install` the gtest_parallel build into <work>/prefix and
#           check the installed files;
#  build:   configure and build the consumer project of KIND from scratch;
#  run:     run the consumer's binaries (in parallel, with a bad flag, with
#           GTEST_PARALLEL) and its own ctest tests, and check what
#           gtest_parallel_add_tests() registered.
cmake_minimum_required(VERSION 3.25)

foreach(var STEP SETTINGS)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "consumer_step.cmake: -D${var}=... is required")
  endif()
endforeach()
include("${SETTINGS}")

set(prefix "${CONSUMER_WORK_DIR}/prefix")
if(KIND STREQUAL "find_package")
  set(source_dir "${CONSUMER_SOURCE_DIR}/project")
elseif(KIND STREQUAL "add_subdirectory")
  set(source_dir "${CONSUMER_SOURCE_DIR}/subdir_project")
elseif(NOT STEP STREQUAL "install")
  message(FATAL_ERROR "consumer_step.cmake: bad KIND '${KIND}'")
endif()
set(binary_dir "${CONSUMER_WORK_DIR}/${KIND}")

# Runs a command, echoing it; fails the step unless it exits with `expected`
# (default 0). The combined output is left in `run_output`.
function(run expected)
  string(REPLACE ";" " " shown "${ARGN}")
  message(STATUS "$ ${shown}")
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE result
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
  message("${output}")
  if(NOT "${result}" STREQUAL "${expected}")
    message(FATAL_ERROR
      "exit status '${result}', expected ${expected}: ${shown}")
  endif()
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

function(expect_match regex text what)
  if(NOT text MATCHES "${regex}")
    message(FATAL_ERROR "${what}: output does not match '${regex}'")
  endif()
endfunction()

if(STEP STREQUAL "install")
  file(REMOVE_RECURSE "${prefix}")
  set(config_args)
  if(CONFIG)
    set(config_args --config "${CONFIG}")
  endif()
  run(0 "${CMAKE_COMMAND}" --install "${GTEST_PARALLEL_BINARY_DIR}"
        --prefix "${prefix}" ${config_args})
  # The package must be complete: config, version, targets, helper, header
  # and both libraries.
  file(GLOB_RECURSE installed RELATIVE "${prefix}" "${prefix}/*")
  foreach(regex
      "(^|/)cmake/gtest_parallel/gtest_parallelConfig\\.cmake$"
      "(^|/)cmake/gtest_parallel/gtest_parallelConfigVersion\\.cmake$"
      "(^|/)cmake/gtest_parallel/gtest_parallelTargets\\.cmake$"
      "(^|/)cmake/gtest_parallel/GtestParallelAddTests\\.cmake$"
      "^include/gtest_parallel/gtest_parallel\\.h$"
      "(^|/)(lib)?gtest_parallel\\.(a|so|lib|dylib)$"
      "(^|/)(lib)?gtest_parallel_main\\.(a|so|lib|dylib)$")
    set(hits "${installed}")
    list(FILTER hits INCLUDE REGEX "${regex}")
    if(NOT hits)
      message(FATAL_ERROR "not installed: ${regex} (in ${prefix})")
    endif()
  endforeach()
  message(STATUS "installed gtest_parallel into ${prefix}")

elseif(STEP STREQUAL "build")
  file(REMOVE_RECURSE "${binary_dir}")
  set(configure_args
    -S "${source_dir}" -B "${binary_dir}"
    -G "${CONSUMER_GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}"
    "-DCMAKE_CXX_FLAGS=${CONSUMER_CXX_FLAGS}"
    "-DCMAKE_EXE_LINKER_FLAGS=${CONSUMER_EXE_LINKER_FLAGS}"
    "-DCMAKE_BUILD_TYPE=${CONFIG}")
  if(CONSUMER_GENERATOR_PLATFORM)
    list(APPEND configure_args -A "${CONSUMER_GENERATOR_PLATFORM}")
  endif()
  if(CONSUMER_GENERATOR_TOOLSET)
    list(APPEND configure_args -T "${CONSUMER_GENERATOR_TOOLSET}")
  endif()
  if(CONSUMER_MAKE_PROGRAM)
    list(APPEND configure_args "-DCMAKE_MAKE_PROGRAM=${CONSUMER_MAKE_PROGRAM}")
  endif()
  # Find the same GoogleTest and Boost as the main build.
  if(CONSUMER_GTest_DIR)
    list(APPEND configure_args "-DGTest_DIR=${CONSUMER_GTest_DIR}")
  endif()
  if(CONSUMER_Boost_DIR)
    list(APPEND configure_args "-DBoost_DIR=${CONSUMER_Boost_DIR}")
  endif()
  if(KIND STREQUAL "find_package")
    list(APPEND configure_args "-DCMAKE_PREFIX_PATH=${prefix}")
  else()
    list(APPEND configure_args
      "-DGTEST_PARALLEL_SOURCE_DIR=${GTEST_PARALLEL_SOURCE_DIR}")
  endif()
  run(0 "${CMAKE_COMMAND}" ${configure_args})
  set(build_args --build "${binary_dir}" --parallel 2)
  if(CONFIG)
    list(APPEND build_args --config "${CONFIG}")
  endif()
  run(0 "${CMAKE_COMMAND}" ${build_args})

elseif(STEP STREQUAL "run")
  set(ctest_args --test-dir "${binary_dir}")
  if(CONFIG)
    list(APPEND ctest_args -C "${CONFIG}")
  endif()

  # What gtest_parallel_add_tests() and gtest_discover_tests() registered.
  execute_process(
    COMMAND "${CMAKE_CTEST_COMMAND}" ${ctest_args} --show-only=json-v1
    RESULT_VARIABLE result OUTPUT_VARIABLE json ERROR_VARIABLE error)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "ctest --show-only failed: ${error}")
  endif()
  cmake_host_system_information(RESULT cores QUERY NUMBER_OF_LOGICAL_CORES)
  string(JSON count LENGTH "${json}" tests)
  if(count EQUAL 0)
    message(FATAL_ERROR "no ctest tests in ${binary_dir}")
  endif()
  math(EXPR last "${count} - 1")
  set(discovered 0)
  set(parallel_binary)
  set(custom_main_binary)
  foreach(i RANGE ${last})
    string(JSON name GET "${json}" tests ${i} name)
    if(name MATCHES "^discovered\\.")
      math(EXPR discovered "${discovered} + 1")
      continue()
    endif()
    if(NOT name MATCHES "^consumer\\.(parallel|custom_main)$")
      continue()
    endif()
    string(JSON binary GET "${json}" tests ${i} command 0)
    string(JSON flag GET "${json}" tests ${i} command 1)
    set(processors 1)  # ctest leaves out the default.
    string(JSON nprops ERROR_VARIABLE no_properties
      LENGTH "${json}" tests ${i} properties)
    if(no_properties)
      set(nprops 0)
    endif()
    if(nprops GREATER 0)
      math(EXPR plast "${nprops} - 1")
      foreach(p RANGE ${plast})
        string(JSON pname GET "${json}" tests ${i} properties ${p} name)
        if(pname STREQUAL "PROCESSORS")
          string(JSON processors GET "${json}" tests ${i} properties ${p} value)
        endif()
      endforeach()
    endif()
    if(name STREQUAL "consumer.parallel")
      set(parallel_binary "${binary}")
      set(expected_flag "--gtest_parallel=2")
      set(expected_processors 2)
    else()
      set(custom_main_binary "${binary}")
      set(expected_flag "--gtest_parallel=auto")
      set(expected_processors ${cores})
    endif()
    if(NOT flag STREQUAL expected_flag OR
       NOT processors STREQUAL expected_processors)
      message(FATAL_ERROR "${name}: registered with '${flag}' and "
        "PROCESSORS '${processors}', expected '${expected_flag}' and "
        "'${expected_processors}'")
    endif()
  endforeach()
  if(NOT parallel_binary OR NOT custom_main_binary)
    message(FATAL_ERROR
      "gtest_parallel_add_tests() did not register consumer.parallel and "
      "consumer.custom_main")
  endif()
  if(discovered LESS 5)
    message(FATAL_ERROR
      "gtest_discover_tests() found ${discovered} tests, expected at least 5")
  endif()

  # In parallel, through the flag and through the environment variable.
  run(0 "${parallel_binary}" --gtest_parallel=2)
  expect_match("\\[  PASSED  \\] [0-9]+ tests?\\." "${run_output}"
    "consumer_test --gtest_parallel=2")
  run(0 "${CMAKE_COMMAND}" -E env GTEST_PARALLEL=2 "${parallel_binary}")
  expect_match("\\[  PASSED  \\] [0-9]+ tests?\\." "${run_output}"
    "GTEST_PARALLEL=2 consumer_test")
  # A bad value is refused with exit code 2 before any test runs.
  run(2 "${parallel_binary}" --gtest_parallel=lots)
  # The custom main() with gtest_parallel::InitGoogleTest/RunAllTests.
  run(0 "${custom_main_binary}" --gtest_parallel=2)
  expect_match("\\[  PASSED  \\] [0-9]+ tests?\\." "${run_output}"
    "consumer_custom_main --gtest_parallel=2")
  # Everything the consumer registered with ctest, discovered tests included.
  run(0 "${CMAKE_CTEST_COMMAND}" ${ctest_args} --output-on-failure)

else()
  message(FATAL_ERROR "consumer_step.cmake: bad STEP '${STEP}'")
endif()
