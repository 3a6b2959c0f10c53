# The TT-Metalium emulator as a CMake package: `find_package(TT-Metalium REQUIRED)` with this directory's
# parent on CMAKE_PREFIX_PATH (or TT-Metalium_DIR pointing here) defines TT::Metalium, so a generated
# host project builds against the emulator exactly as it would against a TT-Metalium install.
#
#   TT_EMU_RUNTIME_LIB  prebuilt libtt_emu.so to import (the Python driver's cached build); otherwise the
#                       runtime is built from src/ as part of the consuming project.
#   TT_EMU_API_ERA      3, 4 or 5 (default 5 = M081, TT-Metalium 0.81.1): the API era the host program is compiled for.
cmake_minimum_required(VERSION 3.22)
get_filename_component(_tt_emu_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(TT-Metalium_FOUND TRUE)
set(TT_METALIUM_EMULATOR TRUE)
if(NOT DEFINED TT_EMU_API_ERA)
  set(TT_EMU_API_ERA 5 CACHE STRING "TT-Metalium API era of the emulator headers (3, 4 or 5)")
endif()

if(NOT TARGET TT::Metalium)
  if(NOT TT_EMU_RUNTIME_LIB AND DEFINED ENV{TT_EMU_RUNTIME_LIB})
    set(TT_EMU_RUNTIME_LIB "$ENV{TT_EMU_RUNTIME_LIB}")
  endif()
  if(TT_EMU_RUNTIME_LIB)
    add_library(TT::Metalium SHARED IMPORTED)
    set_target_properties(TT::Metalium PROPERTIES
      IMPORTED_LOCATION "${TT_EMU_RUNTIME_LIB}"
      INTERFACE_INCLUDE_DIRECTORIES "${_tt_emu_root}/include"
      INTERFACE_COMPILE_DEFINITIONS "TT_EMU_API_ERA=${TT_EMU_API_ERA}"
      INTERFACE_COMPILE_FEATURES cxx_std_20)
  else()
    find_package(Threads REQUIRED)
    file(GLOB_RECURSE _tt_emu_files LIST_DIRECTORIES false "${_tt_emu_root}/include/*" "${_tt_emu_root}/src/*")
    list(SORT _tt_emu_files)
    set(_tt_emu_cat "")
    foreach(_f IN LISTS _tt_emu_files)
      file(SHA256 "${_f}" _h)
      string(APPEND _tt_emu_cat "${_h}")
    endforeach()
    string(SHA256 _tt_emu_hash "${_tt_emu_cat}")
    string(SUBSTRING "${_tt_emu_hash}" 0 24 _tt_emu_hash)
    file(GLOB _tt_emu_srcs "${_tt_emu_root}/src/*.cpp")
    add_library(tt_emu_runtime SHARED ${_tt_emu_srcs})
    target_include_directories(tt_emu_runtime PUBLIC "${_tt_emu_root}/include" PRIVATE "${_tt_emu_root}/src")
    target_compile_features(tt_emu_runtime PUBLIC cxx_std_20)
    target_compile_options(tt_emu_runtime PRIVATE -O3)
    target_compile_definitions(tt_emu_runtime
      PRIVATE TT_EMU_SDK_DIR="${_tt_emu_root}" TT_EMU_SDK_HASH="cmake-${_tt_emu_hash}"
      INTERFACE TT_EMU_API_ERA=${TT_EMU_API_ERA})
    target_link_libraries(tt_emu_runtime PRIVATE ${CMAKE_DL_LIBS} Threads::Threads)
    add_library(TT::Metalium ALIAS tt_emu_runtime)
  endif()
endif()
if(NOT TARGET TT::STL)
  add_library(TT::STL INTERFACE IMPORTED)
endif()
