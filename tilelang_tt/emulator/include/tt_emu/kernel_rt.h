// Kernel-side bridge to the emulator runtime (libtt_emu). Every device API in api/ is a thin inline
// wrapper over these C entry points; the runtime knows which core and kernel is calling (the current
// fiber), so kernels compile unchanged.
#pragma once
#include <cstddef>
#include <cstdint>

#include "hostdevcommon/common_values.hpp"  // VALID / INVALID semaphore states

#ifndef TT_EMU_API_ERA
#define TT_EMU_API_ERA 5   // 5 = M081 (TT-Metalium 0.81.1), 4 = E4, 3 = E3
#endif
#ifndef NOC_INDEX
#define NOC_INDEX 0
#endif
#ifndef NOC_MAX_BURST_SIZE
// target.py noc_max_burst_bytes of wormhole_b0; the runtime passes the model's value with -D.
#define NOC_MAX_BURST_SIZE 8192
#endif

#define ALWI inline __attribute__((always_inline))
#define FORCE_INLINE inline __attribute__((always_inline))
#define tt_l1_ptr
#define tt_reg_ptr
// One compute source serves unpack, math and pack on the device; here a single fiber runs it all.
#define UNPACK(x) x
#define MATH(x) x
#define PACK(x) x

// Hidden trailing parameter that lets reports name the kernel source line of a call. Its type has no
// public constructor, so a call with one argument too many does not compile here either (as on a
// device build, whose API has no such parameter): only the default argument can fill it.
class tt_emu_src_line {
 public:
  constexpr operator uint32_t() const { return line_; }
 private:
  constexpr tt_emu_src_line(uint32_t line, bool) : line_(line) {}
  friend constexpr tt_emu_src_line tt_emu_here(uint32_t line);
  uint32_t line_;
};
constexpr tt_emu_src_line tt_emu_here(uint32_t line) { return tt_emu_src_line(line, true); }
#define TT_EMU_LINE tt_emu_src_line tt_emu_line = tt_emu_here(__builtin_LINE())

constexpr uint8_t noc_index = NOC_INDEX;
constexpr uint32_t NOC_UNICAST_WRITE_VC = 1;
constexpr uint32_t NOC_MULTICAST_WRITE_VC = 4;
#ifndef L1_ALIGNMENT
#define L1_ALIGNMENT 16
#endif

extern "C" {
uint32_t tt_emu_get_arg(int idx, int common, uint32_t line);
uintptr_t tt_emu_get_arg_addr(int idx, int common);
void tt_emu_cb_reserve_back(int32_t cb, int32_t n, uint32_t line);
void tt_emu_cb_push_back(int32_t cb, int32_t n, uint32_t line);
void tt_emu_cb_wait_front(int32_t cb, int32_t n, uint32_t line);
void tt_emu_cb_pop_front(int32_t cb, int32_t n, uint32_t line);
bool tt_emu_cb_pages_reservable_at_back(int32_t cb, int32_t n);
bool tt_emu_cb_pages_available_at_front(int32_t cb, int32_t n);
uint32_t tt_emu_get_write_ptr(uint32_t cb);
uint32_t tt_emu_get_read_ptr(uint32_t cb);
uint32_t tt_emu_get_tile_size(uint32_t cb);
uint32_t tt_emu_get_dataformat(uint32_t cb);

void tt_emu_noc_read(uint64_t src, uint32_t dst_l1, uint32_t size, uint32_t line);
void tt_emu_noc_write(uint32_t src_l1, uint64_t dst, uint32_t size, uint32_t line);
void tt_emu_noc_write_mcast(uint32_t src_l1, uint64_t dst, uint32_t size, uint32_t num_dests, int loopback,
                            uint32_t line);
void tt_emu_noc_barrier(int kind, uint32_t line);
uint64_t tt_emu_noc_addr_xy(uint32_t x, uint32_t y, uint32_t addr);
uint64_t tt_emu_noc_addr_self(uint32_t addr);
uint64_t tt_emu_noc_addr_interleaved(uint32_t bank_base, uint32_t aligned_page, uint32_t id, uint32_t offset,
                                     int is_dram);
uint64_t tt_emu_noc_addr_bank(uint32_t bank, uint32_t offset, int is_dram);
uint64_t tt_emu_noc_mcast_addr(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1, uint32_t addr);
uint32_t tt_emu_get_semaphore(uint32_t id);
void tt_emu_sem_set(uintptr_t local, uint32_t val, uint32_t line);
void tt_emu_sem_wait(uintptr_t local, uint32_t val, int at_least, uint32_t line);
uint32_t tt_emu_sem_read(uintptr_t local);
void tt_emu_sem_inc(uint64_t dst, uint32_t incr, uint32_t num_dests, uint32_t line);
void tt_emu_sem_set_remote(uint32_t src_l1, uint64_t dst, uint32_t num_dests, int mcast, int loopback,
                           uint32_t line);
void* tt_emu_l1_ptr(uintptr_t addr, uint32_t size);
uint32_t tt_emu_my_coord(int which);  // 0 logical x, 1 logical y, 2 noc x, 3 noc y
uint32_t tt_emu_num_dram_banks();

// compute
void tt_emu_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb, int src_order, uint32_t line);
void tt_emu_fpu_init(int family, uint32_t icb0, uint32_t icb1, uint32_t line);
void tt_emu_matmul_transpose(uint32_t transpose, uint32_t line);   // after a matmul init: its flag
#define TT_EMU_FROM_INIT 0xffffffffu                 // matmul_tiles: the transpose the init configured
void tt_emu_matmul_tiles(uint32_t in0, uint32_t in1, uint32_t i0, uint32_t i1, uint32_t dst, uint32_t transpose,
                         uint32_t ct, uint32_t rt, uint32_t kt, uint32_t line);
void tt_emu_copy_tile(uint32_t cb, uint32_t tile, uint32_t dst, uint32_t ntiles, uint32_t line);
void tt_emu_binary_tiles(int op, uint32_t in0, uint32_t in1, uint32_t i0, uint32_t i1, uint32_t dst, uint32_t line);
void tt_emu_dest_reuse(int op, int reuse, uint32_t cb, uint32_t tile, uint32_t dst, uint32_t line);
void tt_emu_sfpu_init(int op, uint32_t line);
void tt_emu_sfpu(int op, uint32_t dst, float param, int approx, uint32_t line);
void tt_emu_reduce_init(int type, int dim, uint32_t icb, uint32_t scb, uint32_t line);
void tt_emu_reduce_tile(int type, int dim, uint32_t icb, uint32_t scb, uint32_t itile, uint32_t stile, uint32_t dst,
                        uint32_t line);
void tt_emu_reduce_uninit(uint32_t line);
void tt_emu_bcast_init(int op, int dim, uint32_t icb0, uint32_t icb1, uint32_t line);
void tt_emu_bcast_tiles(int op, int dim, uint32_t icb0, uint32_t icb1, uint32_t i0, uint32_t i1, uint32_t dst,
                        uint32_t line);
void tt_emu_sfpu_scalar(int mode, uint32_t dst, uint32_t bits, uint32_t line);
void tt_emu_sfpu_binary(int op, uint32_t d0, uint32_t d1, uint32_t odst, uint32_t line);
void tt_emu_sfpu_where(int data_format, uint32_t cond, uint32_t t, uint32_t f, uint32_t odst, uint32_t line);
void tt_emu_tile_regs(int which, uint32_t line);
void tt_emu_pack_tile(uint32_t dst, uint32_t cb, uint32_t idx, int out_of_order, uint32_t ntiles, uint32_t line);
void tt_emu_pack_l1_acc(uint32_t enable, uint32_t line);
// Format state: which = TT_EMU_SRCA / TT_EMU_SRCB / TT_EMU_PACK; old_cb = TT_EMU_NO_CB reprograms
// unconditionally, else only when the formats of old_cb and new_cb differ (the LLK's (old, new) forms).
void tt_emu_reconfig_df(int which, uint32_t old_cb, uint32_t new_cb, uint32_t line);
}
enum tt_emu_format_unit : int { TT_EMU_SRCA = 1, TT_EMU_SRCB = 2, TT_EMU_PACK = 4 };
constexpr uint32_t TT_EMU_NO_CB = 0xFFFFFFFFu;
// tt_emu_hw_startup's src_order: SrcOrder's value for the explicit call; an init that configures the
// hardware itself (E3 mm_init, binary_op_init_common, unary_op_init_common) passes
// TT_EMU_CONFIGURE_REGULAR / TT_EMU_CONFIGURE_REVERSE.
constexpr int TT_EMU_CONFIGURE_REGULAR = -1, TT_EMU_CONFIGURE_REVERSE = -2;

// Families of FPU/SFPU configuration the runtime tracks (an op must follow its init).
enum tt_emu_family : int {
  TT_EMU_FAM_NONE = 0, TT_EMU_FAM_MATMUL = 1, TT_EMU_FAM_COPY = 2, TT_EMU_FAM_BINARY = 3,
  TT_EMU_FAM_REDUCE = 4, TT_EMU_FAM_DEST_REUSE = 5, TT_EMU_FAM_BCAST = 6
};
enum tt_emu_sfpu_op : int {
  TT_EMU_SFPU_EXP = 1, TT_EMU_SFPU_SQRT, TT_EMU_SFPU_RECIP, TT_EMU_SFPU_RELU, TT_EMU_SFPU_GELU, TT_EMU_SFPU_SILU,
  TT_EMU_SFPU_FILL, TT_EMU_SFPU_RSQRT, TT_EMU_SFPU_SIGMOID, TT_EMU_SFPU_TANH, TT_EMU_SFPU_NEG, TT_EMU_SFPU_ABS,
  TT_EMU_SFPU_RELU_MAX, TT_EMU_SFPU_RELU_MIN, TT_EMU_SFPU_MUL_SCALAR, TT_EMU_SFPU_ADD_SCALAR,
  TT_EMU_SFPU_LOG, TT_EMU_SFPU_SQUARE, TT_EMU_SFPU_EXP2, TT_EMU_SFPU_BINOP_SCALAR, TT_EMU_SFPU_BINARY_MAX,
  TT_EMU_SFPU_BINARY_MIN
};
constexpr int TT_EMU_SFPU_WHERE = 64;   // where_tile (ternary; tt_emu_sfpu_where)

// Kernel entry the runtime looks up with dlsym; kernel_main is the user's function.
#ifndef TT_EMU_BUILDING_RUNTIME
void kernel_main();
extern "C" __attribute__((weak, visibility("default"))) void tt_emu_kernel_entry() { kernel_main(); }
#endif
