#pragma once
#include <cstdint>

class bfloat16 {
public:
    bfloat16() = default;
    bfloat16(float value);
    operator float() const;
    std::uint16_t to_packed() const;

private:
    std::uint16_t uint16_data = 0;
};
static_assert(sizeof(bfloat16) == 2);
