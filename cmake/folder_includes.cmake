# Include paths that keep each folder's src/ its own.
#
# A library's public headers are the .h files at the top of its folder. They are linked into
# <build>/include/<folder>/<folder>/, and that is the only include path the library exports, so
# whatever links the library sees "<folder>/name.h" for its public headers and nothing under its
# src/. The library's own sources also see their whole folder through <build>/private/<folder>/,
# so "<folder>/src/x.h" resolves there and nowhere else. An include of another folder's src/ thus
# fails to compile; tests/check_includes.py states the same rule over the sources, with the
# direction of dependencies (docs/architecture.md).

# Public headers (exported) and the folder itself (private) for the library `target`.
function(mpsim_folder_library target)
  get_filename_component(folder "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  set(public_root "${CMAKE_BINARY_DIR}/include/${folder}")
  file(REMOVE_RECURSE "${public_root}")
  file(MAKE_DIRECTORY "${public_root}/${folder}")
  file(GLOB headers CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.h")
  foreach(header ${headers})
    get_filename_component(name "${header}" NAME)
    file(CREATE_LINK "${header}" "${public_root}/${folder}/${name}" SYMBOLIC)
  endforeach()
  mpsim_folder_private(${target})
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${public_root}>")
endfunction()

# The folder itself, privately, for a program or library that exports no headers (tests, bench,
# fuzz harnesses): its sources include "<folder>/x.h" and other folders' public headers only.
function(mpsim_folder_private target)
  get_filename_component(folder "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  set(private_root "${CMAKE_BINARY_DIR}/private/${folder}")
  file(MAKE_DIRECTORY "${private_root}")
  if(NOT EXISTS "${private_root}/${folder}")
    file(CREATE_LINK "${CMAKE_CURRENT_SOURCE_DIR}" "${private_root}/${folder}" SYMBOLIC)
  endif()
  target_include_directories(${target} PRIVATE "${private_root}")
endfunction()
