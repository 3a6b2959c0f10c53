#pragma once
#include "tt_emu/kernel_rt.h"

// Circular buffers: the same names on the dataflow side (dataflow_api.h) and compute side (cb_api.h).
ALWI void cb_reserve_back(int32_t operand, int32_t num_pages, TT_EMU_LINE) {
  tt_emu_cb_reserve_back(operand, num_pages, tt_emu_line);
}
ALWI void cb_push_back(const int32_t operand, const int32_t num_pages, TT_EMU_LINE) {
  tt_emu_cb_push_back(operand, num_pages, tt_emu_line);
}
ALWI void cb_wait_front(int32_t operand, int32_t num_pages, TT_EMU_LINE) {
  tt_emu_cb_wait_front(operand, num_pages, tt_emu_line);
}
ALWI void cb_pop_front(int32_t operand, int32_t num_pages, TT_EMU_LINE) {
  tt_emu_cb_pop_front(operand, num_pages, tt_emu_line);
}
ALWI bool cb_pages_reservable_at_back(int32_t operand, int32_t num_pages) {
  return tt_emu_cb_pages_reservable_at_back(operand, num_pages);
}
ALWI bool cb_pages_available_at_front(int32_t operand, int32_t num_pages) {
  return tt_emu_cb_pages_available_at_front(operand, num_pages);
}
