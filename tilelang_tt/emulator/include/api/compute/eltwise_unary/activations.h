#pragma once
#include "api/compute/eltwise_unary/silu.h"
#include "api/compute/eltwise_unary/sigmoid.h"
