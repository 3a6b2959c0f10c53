#pragma once
#include "tt_emu/cb.h"
