# Helpers every component uses so their CMakeLists stay a few lines long.

# fabricperf_library(NAME SOURCES... [DEPS targets...])
function(fabricperf_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${FABRICPERF_WARNINGS}>)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  add_library(fabricperf::${name} ALIAS ${name})
endfunction()

# fabricperf_tool(NAME SOURCES... DEPS targets...) — one thin main per binary.
function(fabricperf_tool name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${FABRICPERF_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  install(TARGETS ${name} RUNTIME DESTINATION bin)
  set_property(GLOBAL APPEND PROPERTY FABRICPERF_TOOLS ${name})
endfunction()

# fabricperf_unit_test(NAME SOURCES... DEPS targets... [LABELS l...])
function(fabricperf_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT GTest_FOUND)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${FABRICPERF_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    FABRICPERF_SOURCE_DIR="${CMAKE_SOURCE_DIR}" FABRICPERF_BINARY_DIR="${CMAKE_BINARY_DIR}")
  include(GoogleTest)
  # gtest_discover_tests cannot carry a list-valued property: one label "unit_<component>" is
  # matched both by `ctest -L unit` and by `ctest -L <component>` (labels are regexes).
  set(label unit)
  if(ARG_LABELS)
    list(JOIN ARG_LABELS "_" joined)
    set(label "unit_${joined}")
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${label}" DISCOVERY_TIMEOUT 60)
endfunction()
