// Force-included into every real-header compile (tilelang_tt/realapi/toolchain.py). It papers over the
// difference between the SFPI toolchain's C++ library (GCC's libstdc++ on newlib) and the one we can
// install from Debian (LLVM's libc++ headers on picolibc); it declares nothing of TT-Metalium.
#pragma once
// tt-metal headers use std::size_t without <cstddef>, relying on libstdc++ pulling it in transitively.
#include <cstddef>
// libc++'s <ctime> re-exports timespec_get (C11), which picolibc does not declare.
#include <time.h>
extern "C" int timespec_get(struct timespec*, int);
