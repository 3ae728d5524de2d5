# tgc_generate: build the C++ that tgc generates from a graph into a target.
#
#   tgc_generate(TARGET <target> GRAPH <path> [NAME <stem>] [MODE <mode>]
#                [FUNCTION <name>] [DEPENDS <file>...])
#
# At build time, runs `tgc compile GRAPH -o <dir>` with
# <dir> = ${CMAKE_CURRENT_BINARY_DIR}/generated/<target>, adds <dir>/<stem>.cpp
# to <target>, and gives <target> the include directories it needs (<dir>,
# so that `#include "<stem>.h"` works, the tgc runtime headers and CBLAS's)
# and links ${BLAS_LIBRARIES}. The code is generated again whenever the graph,
# a .npy file its shared variables or constants name, a DEPENDS file, or the
# tgc executable changes.
#
#   GRAPH     the graph file (format v1); relative to CMAKE_CURRENT_SOURCE_DIR.
#   NAME      stem of the generated files: tgc names them after the graph's
#             "name" (characters other than [A-Za-z0-9_] become '_'). Read
#             from the graph at configure time when omitted; give it when the
#             graph is itself generated at build time.
#   MODE      FAST_RUN (default), FAST_COMPILE or DEBUG (`tgc compile --mode`).
#   FUNCTION  generate only this function (`tgc compile --function`).
#   DEPENDS   extra files whose change must re-generate the code.
#
# The generated code is compiled with the target's own flags (CMAKE_BUILD_TYPE
# and whatever the target sets), as a user's build would compile it.
#
# The tgc executable is the `tgc` target of this project when it exists, else
# the path in the cache variable TGC_EXECUTABLE (for a project that uses an
# installed tgc and includes this file from it).

include_guard(GLOBAL)

get_filename_component(_TGC_GENERATE_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(TGC_RUNTIME_INCLUDE_DIR "${_TGC_GENERATE_ROOT}/runtime/include"
    CACHE PATH "tgc runtime headers used by generated code")
set(TGC_EXECUTABLE "" CACHE FILEPATH "tgc executable used by tgc_generate when no tgc target exists")

function(tgc_generate)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "TARGET;GRAPH;NAME;MODE;FUNCTION" "DEPENDS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tgc_generate: unexpected arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_TARGET OR NOT ARG_GRAPH)
    message(FATAL_ERROR "tgc_generate: TARGET and GRAPH are required")
  endif()
  if(NOT TARGET ${ARG_TARGET})
    message(FATAL_ERROR "tgc_generate: ${ARG_TARGET} is not a target")
  endif()
  get_filename_component(graph "${ARG_GRAPH}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(graph_dir "${graph}" DIRECTORY)

  # The tgc executable, and what the custom command depends on so that a new
  # build of tgc re-generates the code.
  if(TARGET tgc)
    set(tgc_command $<TARGET_FILE:tgc>)
    set(tgc_depends tgc)
  elseif(TGC_EXECUTABLE)
    set(tgc_command "${TGC_EXECUTABLE}")
    set(tgc_depends "${TGC_EXECUTABLE}")
  else()
    message(FATAL_ERROR "tgc_generate: no tgc target in this project; set TGC_EXECUTABLE")
  endif()

  # Files the generated code is made from: the graph and the .npy values of
  # its shared variables and constants (tgc embeds those values).
  set(inputs "${graph}")
  set(stem "${ARG_NAME}")
  if(EXISTS "${graph}")
    # Re-configure when the graph changes, so that its name and .npy files
    # read here stay current.
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${graph}")
    file(READ "${graph}" json)
    if(NOT stem)
      string(JSON stem ERROR_VARIABLE err GET "${json}" name)
      if(err)
        message(FATAL_ERROR "tgc_generate: ${ARG_GRAPH}: cannot read the graph's \"name\": ${err}")
      endif()
      string(REGEX REPLACE "[^A-Za-z0-9_]" "_" stem "${stem}")
      string(SUBSTRING "${stem}" 0 64 stem)
      if(stem STREQUAL "")
        set(stem graph)
      endif()
    endif()
    foreach(section shared constants)
      string(JSON count ERROR_VARIABLE err LENGTH "${json}" ${section})
      if(err OR count EQUAL 0)
        continue()
      endif()
      math(EXPR last "${count} - 1")
      foreach(i RANGE ${last})
        string(JSON npy ERROR_VARIABLE err GET "${json}" ${section} ${i} value npy)
        if(NOT err)
          get_filename_component(npy "${npy}" ABSOLUTE BASE_DIR "${graph_dir}")
          list(APPEND inputs "${npy}")
        endif()
      endforeach()
    endforeach()
  elseif(NOT stem)
    message(FATAL_ERROR "tgc_generate: ${ARG_GRAPH} does not exist; give NAME for a graph made at build time")
  endif()
  foreach(f IN LISTS ARG_DEPENDS)
    get_filename_component(f "${f}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND inputs "${f}")
  endforeach()

  set(options)
  if(ARG_MODE)
    list(APPEND options --mode ${ARG_MODE})
  endif()
  if(ARG_FUNCTION)
    list(APPEND options --function ${ARG_FUNCTION})
  endif()

  # Run from the project's source directory with a relative graph path where
  # possible, so the generated files do not name this machine's directories.
  file(RELATIVE_PATH graph_arg "${PROJECT_SOURCE_DIR}" "${graph}")
  if(graph_arg MATCHES "^\\.\\./")
    set(graph_arg "${graph}")
  endif()

  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/generated/${ARG_TARGET}")
  set(header "${out_dir}/${stem}.h")
  set(source "${out_dir}/${stem}.cpp")
  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND ${tgc_command} compile "${graph_arg}" -o "${out_dir}" ${options}
    DEPENDS ${inputs} ${tgc_depends}
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    COMMENT "tgc: generating ${stem}.h and ${stem}.cpp for ${ARG_TARGET}"
    VERBATIM)

  target_sources(${ARG_TARGET} PRIVATE "${source}" "${header}")
  # Generated code never reads errno: without it math calls (sqrt, ...)
  # vectorize (tgc run builds with the same flag).
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    set_source_files_properties("${source}" PROPERTIES COMPILE_OPTIONS "-fno-math-errno")
  endif()
  target_include_directories(${ARG_TARGET} PUBLIC "${out_dir}" "${TGC_RUNTIME_INCLUDE_DIR}" "${CBLAS_INCLUDE_DIR}")
  target_link_libraries(${ARG_TARGET} PUBLIC ${BLAS_LIBRARIES})
endfunction()
