# The emulator follows the TT-Metalium 0.81.1 release (API era M081; 3 and 4 select older eras); any
# requested version is accepted.
set(PACKAGE_VERSION "0.81.1")
set(PACKAGE_VERSION_COMPATIBLE TRUE)
if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
  set(PACKAGE_VERSION_EXACT TRUE)
endif()
