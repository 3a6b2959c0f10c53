# The emulator tracks the current TT-Metalium API; any requested version is accepted.
set(PACKAGE_VERSION "0.70.0")
set(PACKAGE_VERSION_COMPATIBLE TRUE)
if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
  set(PACKAGE_VERSION_EXACT TRUE)
endif()
