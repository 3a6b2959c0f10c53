// One compute kernel, specialised by the defines the host passes (tt-metal's ELTWISE_OP style).
#include "api/compute/compute_kernel_hw_startup.h"
#include "api/compute/eltwise_binary.h"
#include "api/compute/tile_move_copy.h"
#include "api/compute/eltwise_unary/eltwise_unary.h"
#include "api/compute/eltwise_unary/exp.h"
#include "api/compute/eltwise_unary/sqrt.h"
#include "api/compute/eltwise_unary/recip.h"
#include "api/compute/eltwise_unary/relu.h"
#include "api/compute/eltwise_unary/gelu.h"
#include "api/compute/compute_kernel_api.h"  // silu (0.81.1 declares it in the monolith)
#include "api/compute/eltwise_unary/fill.h"
#include "api/compute/reduce.h"
#include "api/compute/bcast.h"
#include "api/compute/eltwise_unary/binop_with_scalar.h"
#ifdef USE_LOCAL_HEADER
#include "local_params.h"
#endif

#ifdef BUG_dst_overflow
constexpr uint32_t dst = DST_ACCUM_MODE ? 4 : 8;  // one past the half-sync capacity
#else
constexpr uint32_t dst = 0;
#endif

void kernel_main() {
  uint32_t n_tiles = get_arg_val<uint32_t>(0);
  constexpr auto cb_a = tt::CBIndex::c_0, cb_b = tt::CBIndex::c_1, cb_out = tt::CBIndex::c_16;
#if defined(OP_BINARY)
  compute_kernel_hw_startup(cb_a, cb_b, cb_out);
#ifndef BUG_no_init
  BINARY_INIT(cb_a, cb_b);
#endif
#elif defined(OP_REDUCE)
  compute_kernel_hw_startup(cb_a, cb_b, cb_out);
  reduce_init<PoolType::REDUCE_POOL, ReduceDim::REDUCE_AXIS>(cb_a, cb_b, cb_out);
#elif defined(BUG_pack_format)
  compute_kernel_hw_startup(cb_a, cb_b, cb_a);  // the packer left on c_0's format (run with EW_OUT_FP32=1)
  copy_init(cb_a);
#elif defined(BUG_pack_reconfig_old_new) || defined(BUG_pack_reconfig_wrong_old)
  compute_kernel_hw_startup(cb_a, cb_b, cb_a);  // packer on c_0 (bf16); c_16 is Float32 (EW_OUT_FP32=1)
#ifdef BUG_pack_reconfig_old_new
  pack_reconfig_data_format(cb_a, cb_out);      // the formats differ: reprogrammed
#else
  pack_reconfig_data_format(cb_out, cb_out);    // a wrong `old` of c_16's own format: nothing changes
#endif
  copy_init(cb_a);
#else
  compute_kernel_hw_startup(cb_a, cb_b, cb_out);
  copy_init(cb_a);
#if defined(UNARY_INIT)
  UNARY_INIT();
#endif
#endif
  for (uint32_t i = 0; i < n_tiles; ++i) {
#ifdef BUG_deadlock
    cb_wait_front(tt::CBIndex::c_2, 1);  // nobody ever pushes c_2
#endif
    cb_wait_front(cb_a, 1);
    cb_wait_front(cb_b, 1);
    tile_regs_acquire();
#if defined(OP_BINARY)
    BINARY_OP(cb_a, cb_b, 0, 0, dst);
#elif defined(OP_REDUCE)
    reduce_tile<PoolType::REDUCE_POOL, ReduceDim::REDUCE_AXIS>(cb_a, cb_b, 0, 0, dst);
#elif defined(OP_REUSE)
    copy_init(cb_a);
    copy_tile(cb_a, 0, dst);
#if TT_EMU_API_ERA >= 5
    REUSE_INIT<EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_b);
    REUSE_TILES<EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_b, 0, dst);
#else
    binary_dest_reuse_tiles_init<EltwiseBinaryType::REUSE_TYPE, EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_b);
    binary_dest_reuse_tiles<EltwiseBinaryType::REUSE_TYPE, EltwiseBinaryReuseDestType::DEST_TO_SRCA>(cb_b, 0, dst);
#endif
#else
    copy_tile(cb_a, 0, dst);
#if defined(UNARY_PARAM)
    UNARY_OP(dst, UNARY_PARAM);
#elif defined(UNARY_OP)
    UNARY_OP(dst);
#endif
#endif
    tile_regs_commit();
#ifndef BUG_pack_before_wait
    tile_regs_wait();
#endif
    cb_reserve_back(cb_out, 1);
    pack_tile(dst, cb_out);
    cb_push_back(cb_out, 1);
#ifdef BUG_pop_no_wait
    cb_pop_front(cb_a, 2);
#else
    cb_pop_front(cb_a, 1);
#endif
    cb_pop_front(cb_b, 1);
    tile_regs_release();
  }
#if defined(OP_REDUCE) && defined(BUG_no_reduce_uninit)
  copy_init(cb_a);  // the packer still masks every tile to the reduce's row / column
#elif defined(OP_REDUCE)
  reduce_uninit();
#endif
}
