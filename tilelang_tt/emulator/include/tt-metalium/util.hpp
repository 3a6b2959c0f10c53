#pragma once
#include "tt-metalium/tt_emu_host.hpp"
#include "tt-metalium/math.hpp"
