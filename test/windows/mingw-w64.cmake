# Toolchain for the Windows build of the tests: MinGW-w64, x86-64. The
# compilers come from the command line (CMAKE_C_COMPILER,
# CMAKE_CXX_COMPILER); programs are linked statically, so that they run
# without the cross compiler's DLLs.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
# Libraries and headers only from the cross compiler's own root; packages
# are named by their <Package>_DIR.
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
