#pragma once
#include "tt-metalium/tt_emu_host.hpp"
