// Compute-kernel API: DST register file, its acquire/commit/wait/release protocol, FPU and SFPU ops, pack.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "emu.hpp"
#include "tt_emu/kernel_rt.h"

namespace emu {
extern TT_EMU_TLS Fiber* t_cur;

enum DstPhase { DST_IDLE = 0, DST_ACQUIRED, DST_COMMITTED, DST_WAITED };
static const char* phase_name[] = {"released", "acquired (math)", "committed", "waited (pack)"};

struct ComputeState {
  alignas(64) float dst[DST_TILES][1024];
  alignas(64) float a[1024], b[1024];
  int phase = DST_IDLE;
  bool started = false;
  bool l1_acc = false;  // pack_reconfig_l1_acc: pack adds to L1 instead of overwriting
  int family = TT_EMU_FAM_NONE;
  bool mm_transpose = false;  // matmul init's transpose: the unpacker transposes every in1 tile
  int sfpu = 0;
  int reduce_type = -1, reduce_dim = -1;
  int pack_mask = -1;  // ReduceDim whose packer mask reduce_init set, -1 after reduce_uninit
  int bcast_op = -1, bcast_dim = -1;
  bool fp32_acc = false, full_sync = false, approx = false;
  int phases = 4;                  // math fidelity phases of a matmul (LoFi 1 .. HiFi4 4)
  bool bfp8_pack_precise = false;
  int capacity = 8;
  bool fresh[DST_TILES];
  // Format state of the unpacker's two source registers and of the packer, as programmed by
  // compute_kernel_hw_startup and the reconfig calls (-1: never programmed). `by` names the CB and the
  // call / line that programmed it, for reports.
  struct FormatReg {
    int fmt = -1;
    int cb = -1;
    const char* call = "";
    uint32_t line = 0;
  };
  FormatReg srca, srcb, pack;
  // Unpacked source tiles, keyed by CB and the absolute sequence number of the page (pages are
  // immutable between push and pop), so a matmul block unpacks each input tile once. Replacement is
  // least-recently-used and never evicts the slot a caller still holds (`keep`): with round-robin
  // replacement a hit on the oldest slot for A followed by a miss for B overwrote A's data with B's.
  static constexpr int CACHE_SLOTS = 8;
  struct Cached { int cb = -1; uint64_t seq = 0; const uint8_t* l1 = nullptr; uint64_t used = 0; alignas(64) float data[1024]; };
  Cached cache[CACHE_SLOTS];
  uint64_t clock = 0;
};

ComputeState* new_compute_state(const KernelDef& k) {
  auto* cs = new ComputeState;
  cs->fp32_acc = k.cc.fp32_dest_acc_en;
  cs->full_sync = k.cc.dst_full_sync_en;
  cs->approx = k.cc.math_approx_mode;
  cs->phases = fidelity_phases(int(k.cc.math_fidelity));
  cs->bfp8_pack_precise = k.cc.bfp8_pack_precise;
  // DST: 16 tiles bf16 / 8 fp32; half-sync hands out half per acquire.
  cs->capacity = (cs->full_sync ? 16 : 8) / (cs->fp32_acc ? 2 : 1);
  std::memset(cs->dst, 0, sizeof cs->dst);
  for (bool& b : cs->fresh) b = true;
  return cs;
}
void free_compute_state(ComputeState* cs) { delete cs; }

static inline Fiber* ccur(const char* call, uint32_t line) {
  Fiber* f = t_cur;
  if (!f) fail_core(EX_API, "api_misuse", -1, -1, "", std::string(call) + " called outside a running kernel");
  f->call = call;
  f->line = line;
  api_tick(f->thread);
  if (!f->cs) fail(EX_API, "api_misuse", f, std::string(call) + " is a compute API but this is a data-movement kernel");
  return f;
}
static void need_started(Fiber* f) {
  if (!f->cs->started)
    fail(EX_API, "api_misuse", f, std::string(f->call) + " before compute_kernel_hw_startup (it must be called once, first)");
}
static void need_family(Fiber* f, int fam, const char* init) {
  need_started(f);
  if (f->cs->family != fam)
    fail(EX_API, "api_misuse", f, std::string(f->call) + " while the unpacker/math are configured for another op: call " +
                                      init + " first (re-init whenever the op family changes)");
}
static float* dst_tile(Fiber* f, uint32_t idx) {
  ComputeState* cs = f->cs;
  if (cs->phase != DST_ACQUIRED)
    fail(EX_DST, "dst_violation", f, std::string(f->call) + " writes DST while DST is " + phase_name[cs->phase] +
                                         ": math must run between tile_regs_acquire and tile_regs_commit");
  if (idx >= uint32_t(cs->capacity)) {
    char b[300];
    snprintf(b, sizeof b, "%s: DST index %u exceeds the DST capacity of %d tiles (%s-sync, %s accumulation: "
             "half-sync gives 8 bf16 / 4 fp32 tiles per acquire, full-sync 16 / 8)", f->call, idx, cs->capacity,
             cs->full_sync ? "full" : "half", cs->fp32_acc ? "fp32" : "bf16");
    fail(EX_DST, "dst_violation", f, b,
         "{\"dst_index\":" + std::to_string(idx) + ",\"capacity\":" + std::to_string(cs->capacity) + "}");
  }
  cs->fresh[idx] = false;
  return cs->dst[idx];
}
static inline void finish_dst(Fiber* f, float* t) {
  if (!f->cs->fp32_acc) round_bf16(t, 1024);  // DST holds bf16 when fp32_dest_acc_en is off
}
// Tile `idx` of the front of a CB: must have been waited for.
static const uint8_t* front_tile(Fiber* f, uint32_t id, uint32_t idx, tt::DataFormat* fmt) {
  if (id >= uint32_t(model().max_cbs)) fail(EX_CB, "cb_violation", f, std::string(f->call) + ": CB id out of range");
  CB& cb = f->core->cbs[id];
  if (!cb.configured) fail(EX_CB, "cb_violation", f, std::string(f->call) + ": CB c_" + std::to_string(id) + " is not configured on this core");
  if (int32_t(idx) >= cb.waited)
    fail(EX_CB, "cb_violation", f, std::string(f->call) + " reads tile " + std::to_string(idx) + " of c_" + std::to_string(id) +
         " but only " + std::to_string(cb.waited) + " page(s) at its front were confirmed by cb_wait_front",
         "{\"cb_state\":" + cb_state_json(cb, int(id)) + "}");
  if (!fmt_supported(cb.fmt))
    fail(EX_API, "api_misuse", f, std::string(f->call) + ": data format " + fmt_name(cb.fmt) + " of c_" + std::to_string(id) +
                                      " is not emulated (Float16_b, Float32, Bfp8_b and Bfp4_b are)");
  if (tt::tile_size(cb.fmt) > cb.page_size)
    fail(EX_CB, "cb_violation", f, std::string(f->call) + ": a " + fmt_name(cb.fmt) + " tile (" +
                                       std::to_string(tt::tile_size(cb.fmt)) + " B) does not fit the " +
                                       std::to_string(cb.page_size) + " B pages of c_" + std::to_string(id));
  *fmt = cb.fmt;
  uint32_t page = (cb.rd_page + idx) % cb.num_pages;
  return f->core->l1 + cb.base + page * cb.page_size;
}

// ------------------------------------------------------------------------------- format state
static const char* unit_name(int which) { return which == TT_EMU_SRCA ? "SrcA" : which == TT_EMU_SRCB ? "SrcB" : "the packer"; }
static ComputeState::FormatReg& unit(ComputeState* cs, int which) {
  return which == TT_EMU_SRCA ? cs->srca : which == TT_EMU_SRCB ? cs->srcb : cs->pack;
}
static CB& configured_cb(Fiber* f, uint32_t id) {
  if (id >= uint32_t(model().max_cbs)) fail(EX_CB, "cb_violation", f, std::string(f->call) + ": CB id " + std::to_string(id) + " out of range");
  CB& cb = f->core->cbs[id];
  if (!cb.configured)
    fail(EX_CB, "cb_violation", f, std::string(f->call) + ": CB c_" + std::to_string(id) + " is not configured on this core");
  return cb;
}
static void program_unit(Fiber* f, int which, uint32_t id) {
  auto& r = unit(f->cs, which);
  r.fmt = int(configured_cb(f, id).fmt);
  r.cb = int(id);
  r.call = f->call;
  r.line = f->line;
}
// The engine reads (SrcA / SrcB: unpacks) or writes (packer: packs) CB `id` in the format it was last
// programmed for; on a card a different CB format gives wrong numbers silently, here it is an error.
static void need_format(Fiber* f, int which, uint32_t id) {
  auto& r = unit(f->cs, which);
  tt::DataFormat have = configured_cb(f, id).fmt;
  if (r.fmt == int(have)) return;
  std::string cbn = "c_" + std::to_string(id);
  std::string want = fmt_name(have);
  std::string conf = r.fmt < 0 ? std::string("nothing") : std::string(fmt_name(tt::DataFormat(r.fmt)));
  std::string by = r.fmt < 0 ? "" : std::string(" (by ") + r.call + " for c_" + std::to_string(r.cb) + " at line " + std::to_string(r.line) + ")";
  std::string fix = which == TT_EMU_PACK ? "pack_reconfig_data_format(" + cbn + ")"
                    : which == TT_EMU_SRCA ? "reconfig_data_format_srca(" + cbn + ")" : "reconfig_data_format_srcb(" + cbn + ")";
  std::string verb = which == TT_EMU_PACK ? "packs into" : "unpacks";
  std::string through = which == TT_EMU_PACK ? "" : std::string(" through ") + unit_name(which);
  fail(EX_FORMAT, "format_mismatch", f,
       std::string(f->call) + " " + verb + " " + cbn + " (" + want + ")" + through + ", but " + unit_name(which) +
           " is configured for " + conf + by + ": on a device the data would be " +
           (which == TT_EMU_PACK ? "written" : "read") + " as " + conf + "; call " + fix + " first",
       "{\"unit\":" + json_str(unit_name(which)) + ",\"cb\":" + std::to_string(id) + ",\"cb_format\":" + json_str(want) +
           ",\"configured_format\":" + json_str(conf) + ",\"configured_cb\":" + std::to_string(r.cb) +
           ",\"configured_by\":" + json_str(r.call) + ",\"configured_line\":" + std::to_string(r.line) + "}");
}
static void load(Fiber* f, uint32_t cb, uint32_t idx, float* out) {
  tt::DataFormat fmt;
  const uint8_t* p = front_tile(f, cb, idx, &fmt);
  unpack_tile(p, fmt, out);
}
// The unpacked tile `idx` of CB `cb`. The returned data stays valid until a later call evicts it; a
// call never evicts `keep` (a tile the caller still reads) nor, being LRU, the tile returned just before.
static const float* load_cached(Fiber* f, uint32_t cb, uint32_t idx, const float* keep = nullptr) {
  tt::DataFormat fmt;
  const uint8_t* p = front_tile(f, cb, idx, &fmt);
  ComputeState* cs = f->cs;
  uint64_t seq = f->core->cbs[cb].popped + idx;
  ComputeState::Cached* victim = nullptr;
  for (auto& c : cs->cache) {
    if (c.cb == int(cb) && c.seq == seq && c.l1 == p) {
      c.used = ++cs->clock;
      return c.data;
    }
    if (c.data != keep && (!victim || c.used < victim->used)) victim = &c;
  }
  victim->cb = int(cb);
  victim->seq = seq;
  victim->l1 = p;
  victim->used = ++cs->clock;
  unpack_tile(p, fmt, victim->data);
  to_src_registers(victim->data, 1024, fmt, cs->fp32_acc);  // the cache holds what the matrix engine reads
  return victim->data;
}

// 1 / (1 + e^-x) without overflow: for x < 0, e^-x overflows fp32 below -88.7 and x / (1 + e^-x)
// collapsed to -0 where silu's true value is still a normal number. silu(-inf) is -0 (the limit).
static inline float sigmoid(float x) {
  if (x >= 0.f) return 1.f / (1.f + std::exp(-x));
  float e = std::exp(x);
  return e / (1.f + e);
}
static inline float silu(float x) { return x == -INFINITY ? -0.f : x * sigmoid(x); }

static float sfpu_apply(int op, float x, float p, bool approx, bool fp32_dest) {
  switch (op) {
    case TT_EMU_SFPU_EXP: return std::exp(x * p);
    case TT_EMU_SFPU_SQRT: return std::sqrt(x);
    case TT_EMU_SFPU_RSQRT: return 1.0f / std::sqrt(x);
    case TT_EMU_SFPU_RECIP: return 1.0f / x;
    // The device's relu is a sign test (SFPSETCC "< 0" reads the sign bit): x with the sign bit set
    // (-0, -inf, a NaN with the sign set) becomes +0, everything else, +NaN included, passes unchanged.
    case TT_EMU_SFPU_RELU: return std::signbit(x) ? 0.f : x;
    case TT_EMU_SFPU_RELU_MAX: {  // clamp to p first, then the sign test, as relu_max does
      float v = x > p ? p : x;
      return std::signbit(v) ? 0.f : v;
    }
    case TT_EMU_SFPU_RELU_MIN: return x < p ? p : x;   // relu_min: values below the limit become the limit
    case TT_EMU_SFPU_GELU:
      if (approx) return 0.5f * x * (1.f + std::tanh(0.7978845608f * (x + 0.044715f * x * x * x)));
      return 0.5f * x * (1.f + std::erf(x * 0.70710678f));
    case TT_EMU_SFPU_SILU: return silu(x);
    case TT_EMU_SFPU_SIGMOID: return sigmoid(x);
    case TT_EMU_SFPU_TANH: return std::tanh(x);
    case TT_EMU_SFPU_FILL: return p;
    case TT_EMU_SFPU_NEG: return -x;
    case TT_EMU_SFPU_ABS: return std::fabs(x);
    case TT_EMU_SFPU_LOG: return sfpu_routine_log(x, fp32_dest);      // the release's polynomial
    case TT_EMU_SFPU_SQUARE: return x * x;
    case TT_EMU_SFPU_EXP2: return sfpu_routine_exp2(x, fp32_dest);
  }
  return x;
}
static const char* sfpu_name(int op) {
  switch (op) {
    case TT_EMU_SFPU_EXP: return "exp"; case TT_EMU_SFPU_SQRT: return "sqrt"; case TT_EMU_SFPU_RSQRT: return "rsqrt";
    case TT_EMU_SFPU_RECIP: return "recip"; case TT_EMU_SFPU_RELU: return "relu"; case TT_EMU_SFPU_GELU: return "gelu";
    case TT_EMU_SFPU_SILU: return "silu"; case TT_EMU_SFPU_FILL: return "fill"; case TT_EMU_SFPU_SIGMOID: return "sigmoid";
    case TT_EMU_SFPU_RELU_MAX: return "relu_max"; case TT_EMU_SFPU_RELU_MIN: return "relu_min";
    case TT_EMU_SFPU_LOG: return "log"; case TT_EMU_SFPU_EXP2: return "exp2";
    default: return "sfpu";
  }
}

}  // namespace emu

using namespace emu;

extern "C" {

void tt_emu_hw_startup(uint32_t icb0, uint32_t icb1, uint32_t ocb, int src_order, uint32_t line) {
  Fiber* f = ccur(src_order < 0 ? "init" : "compute_kernel_hw_startup", line);
  if (src_order >= 0) {  // the explicit call: exactly once, before anything else
    if (f->cs->started)
      fail(EX_API, "api_misuse", f, "compute_kernel_hw_startup called a second time: it must be called exactly once, "
                                    "first, never mid-kernel (use the op's *_init to switch op families)");
  }
  f->cs->started = true;
  // SrcOrder::Reverse (matmul) programs in0 into SrcB and in1 into SrcA
  bool reverse = src_order == 1 || src_order == TT_EMU_CONFIGURE_REVERSE;
  program_unit(f, TT_EMU_SRCA, reverse ? icb1 : icb0);
  program_unit(f, TT_EMU_SRCB, reverse ? icb0 : icb1);
  program_unit(f, TT_EMU_PACK, ocb);
}
void tt_emu_reconfig_df(int which, uint32_t old_cb, uint32_t new_cb, uint32_t line) {
  static const char* names[] = {"", "reconfig_data_format_srca", "reconfig_data_format_srcb", "", "pack_reconfig_data_format"};
  Fiber* f = ccur(names[which & 7], line);
  need_started(f);
  CB& nw = configured_cb(f, new_cb);
  // (old, new): the LLK compares the two CBs' formats, not the engine's state
  if (old_cb != TT_EMU_NO_CB && configured_cb(f, old_cb).fmt == nw.fmt) return;
  program_unit(f, which, new_cb);
}
void tt_emu_fpu_init(int family, uint32_t icb0, uint32_t icb1, uint32_t line) {
  Fiber* f = ccur("init", line);
  need_started(f);
  if (f->cs->pack_mask >= 0)
    fail(EX_API, "api_misuse", f, "an op init while the packer still has the reduce mask (every later pack would keep "
                                  "only column 0 / row 0): call reduce_uninit() after packing the reduce's results");
  f->cs->family = family;
}
void tt_emu_matmul_transpose(uint32_t transpose, uint32_t line) {
  ccur("matmul_init", line)->cs->mm_transpose = transpose != 0;
}
void tt_emu_matmul_tiles(uint32_t in0, uint32_t in1, uint32_t i0, uint32_t i1, uint32_t idst, uint32_t transpose,
                         uint32_t ct, uint32_t rt, uint32_t kt, uint32_t line) {
  Fiber* f = ccur(ct * rt == 1 ? "matmul_tiles" : "matmul_block", line);
  need_family(f, TT_EMU_FAM_MATMUL, api_era() >= 4 ? "matmul_init" : "mm_init / mm_init_short");
  ComputeState* cs = f->cs;
  // The unpacker transposes in1 as its init configured it (llk_unpack_AB_matmul_init); matmul_tiles has
  // no flag of its own, and a matmul_block whose flag disagrees with its init is a kernel bug.
  if (transpose == TT_EMU_FROM_INIT)
    transpose = cs->mm_transpose;
  else if ((transpose != 0) != cs->mm_transpose)
    fail(EX_API, "api_misuse", f, "matmul_block's transpose differs from the one its matmul_block_init configured "
                                  "the unpacker with: pass the same flag to both");
  need_format(f, TT_EMU_SRCB, in0);  // the matmul unpacks in0 into SrcB and in1 into SrcA
  need_format(f, TT_EMU_SRCA, in1);
  // matmul_block: for r < rt, c < ct: DST[idst + r*ct + c] += A[i0 + r*kt] @ B[i1 + c]
  for (uint32_t r = 0; r < rt; ++r) {
    const float* a = load_cached(f, in0, i0 + r * kt);
    for (uint32_t c = 0; c < ct; ++c) {
      float* d = dst_tile(f, idst + r * ct + c);
      const float* b = load_cached(f, in1, i1 + c, a);  // A stays in use for the whole row
      matmul_fidelity(d, a, b, transpose != 0, cs->phases, cs->fp32_acc);
      finish_dst(f, d);
    }
  }
}
void tt_emu_copy_tile(uint32_t cb, uint32_t tile, uint32_t idst, uint32_t ntiles, uint32_t line) {
  Fiber* f = ccur(ntiles == 1 ? "copy_tile" : "copy_block", line);
  need_family(f, TT_EMU_FAM_COPY, api_era() >= 4 ? "copy_init" : "copy_tile_to_dst_init_short");
  need_format(f, TT_EMU_SRCA, cb);  // unpacker A, also when it unpacks to DST (UnpackToDestFp32)
  for (uint32_t i = 0; i < ntiles; ++i) {
    float* d = dst_tile(f, idst + i);
    load(f, cb, tile + i, d);
    finish_dst(f, d);
  }
}
void tt_emu_binary_tiles(int op, uint32_t in0, uint32_t in1, uint32_t i0, uint32_t i1, uint32_t idst, uint32_t line) {
  static const char* names[] = {"mul_tiles", "div_tiles", "add_tiles", "sub_tiles"};
  static const char* inits[] = {"mul_tiles_init", "div_tiles_init", "add_tiles_init", "sub_tiles_init"};
  static const char* inits5[] = {"mul_init", "div_init", "add_init", "sub_init"};   // M081 names
  Fiber* f = ccur(names[op & 3], line);
  need_family(f, TT_EMU_FAM_BINARY, (api_era() >= 5 ? inits5 : inits)[op & 3]);
  ComputeState* cs = f->cs;
  need_format(f, TT_EMU_SRCA, in0);
  need_format(f, TT_EMU_SRCB, in1);
  load(f, in0, i0, cs->a);
  load(f, in1, i1, cs->b);
  float* d = dst_tile(f, idst);
  for (int i = 0; i < 1024; ++i) {
    float x = cs->a[i], y = cs->b[i];
    d[i] = op == 2 ? x + y : op == 3 ? x - y : op == 0 ? x * y : x / y;
  }
  finish_dst(f, d);
}
void tt_emu_dest_reuse(int op, int reuse, uint32_t cb, uint32_t tile, uint32_t idst, uint32_t line) {
  static const char* names5[] = {"mul_reuse_dest_tiles", "div_reuse_dest_tiles", "add_reuse_dest_tiles",
                                 "sub_reuse_dest_tiles"};
  static const char* inits5[] = {"mul_reuse_dest_init", "div_reuse_dest_init", "add_reuse_dest_init",
                                 "sub_reuse_dest_init"};
  bool m081 = api_era() >= 5;
  Fiber* f = ccur(m081 ? names5[op & 3] : "binary_dest_reuse_tiles", line);
  need_family(f, TT_EMU_FAM_DEST_REUSE, m081 ? inits5[op & 3] : "binary_dest_reuse_tiles_init");
  if (reuse == 0) fail(EX_API, "api_misuse", f, "dest-reuse tiles with EltwiseBinaryReuseDestType::NONE");
  ComputeState* cs = f->cs;
  // DEST_TO_SRCA moves DST into SrcA and unpacks the CB tile with unpacker B (SrcB); DEST_TO_SRCB the
  // other way round (tt-llk llk_unpack_A.h, _llk_unpack_A_address_on_unpacker_A_)
  need_format(f, reuse == 1 ? TT_EMU_SRCB : TT_EMU_SRCA, cb);
  load(f, cb, tile, cs->b);
  float* d = dst_tile(f, idst);
  for (int i = 0; i < 1024; ++i) {
    // DEST_TO_SRCA: srcA = DST, srcB = CB tile; DEST_TO_SRCB: srcA = CB tile, srcB = DST
    float x = reuse == 1 ? d[i] : cs->b[i], y = reuse == 1 ? cs->b[i] : d[i];
    d[i] = op == 2 ? x + y : op == 3 ? x - y : op == 0 ? x * y : x / y;
  }
  finish_dst(f, d);
}
void tt_emu_sfpu_init(int op, uint32_t line) {
  Fiber* f = ccur("sfpu init", line);
  need_started(f);
  f->cs->sfpu = op;
}
void tt_emu_sfpu(int op, uint32_t idst, float param, int approx, uint32_t line) {
  Fiber* f = ccur(sfpu_name(op), line);
  need_started(f);
  if (f->cs->sfpu != op)
    fail(EX_API, "api_misuse", f, std::string(sfpu_name(op)) + "_tile without " + sfpu_name(op) + "_tile_init");
  float* d = dst_tile(f, idst);
  for (int i = 0; i < 1024; ++i) d[i] = sfpu_apply(op, d[i], param, approx != 0, f->cs->fp32_acc);
  finish_dst(f, d);
}
void tt_emu_reduce_init(int type, int dim, uint32_t icb, uint32_t scb, uint32_t line) {
  Fiber* f = ccur("reduce_init", line);
  need_started(f);
  f->cs->family = TT_EMU_FAM_REDUCE;
  f->cs->reduce_type = type;
  f->cs->reduce_dim = dim;
  // llk_pack_reduce_mask_config: until reduce_uninit the packer writes only the reduce's output
  // positions (column 0 / row 0 / element [0,0]) and zeroes the rest of every packed tile.
  f->cs->pack_mask = dim;
}
void tt_emu_reduce_uninit(uint32_t line) {
  Fiber* f = ccur("reduce_uninit", line);
  need_started(f);
  f->cs->pack_mask = -1;
  if (f->cs->family == TT_EMU_FAM_REDUCE) f->cs->family = TT_EMU_FAM_NONE;
}
// The reduce is a pooling multiply, face by face: data face f is paired with scaler face f, and the
// element at position p of its face along the reduced dimension (its column within the face for
// REDUCE_ROW, its row for REDUCE_COL) is weighted by position p of row 0 of scaler face f, then summed
// (SUM / AVG) or maxed / minned. With the usual scaler (row 0 of every face filled) that is one weight per
// position; a partial scaler for a ragged tail (only the weights of valid positions set) drops padding
// from a SUM, but a MAX over the padding sees 0 * x = 0 (tt-metal #12662). The face pairing is what
// tt-metal's LLKs do on the wolfpine device: a column reduce whose scaler row 0 of face 1 was empty lost
// the right faces' rows (tests/unit/wolfpine). REDUCE_SCALAR is a row reduce followed by a column reduce
// (the scaler applies twice). The result goes to column 0 (ROW), row 0 (COL) or [0,0] (SCALAR) of DST[idst] and
// accumulates with what an earlier reduce_tile left there since tile_regs_acquire.
void tt_emu_reduce_tile(int type, int dim, uint32_t icb, uint32_t scb, uint32_t itile, uint32_t stile, uint32_t idst,
                        uint32_t line) {
  Fiber* f = ccur("reduce_tile", line);
  need_family(f, TT_EMU_FAM_REDUCE, "reduce_init");
  ComputeState* cs = f->cs;
  if (cs->reduce_type != type || cs->reduce_dim != dim)
    fail(EX_API, "api_misuse", f, "reduce_tile with a pool type / dim different from reduce_init");
  if (type < 0 || type > 3 || dim < 0 || dim > 2) fail(EX_API, "api_misuse", f, "reduce_tile: unknown PoolType / ReduceDim");
  if (type == 3)  // the release's llk_unpack_AB_reduce.h static_asserts this
    fail(EX_API, "api_misuse", f, "reduce with PoolType::MIN: the FPU reduce has no MIN (GMPOOL max and GAPOOL average "
                                  "only); negate, reduce MAX, negate");
  {
    tt::DataFormat sfmt;
    front_tile(f, scb, stile, &sfmt);
    if (sfmt != tt::DataFormat::Float16_b && sfmt != tt::DataFormat::Float32)
      fail(EX_API, "api_misuse", f, std::string("reduce_tile: the scaler CB c_") + std::to_string(scb) + " is " +
                                        fmt_name(sfmt) + "; the reduce reads its scaler as Float16_b or Float32");
  }
  bool fresh = cs->fresh[idst < DST_TILES ? idst : 0];
  // REDUCE_ROW SUM / AVG runs as a matmul with the scaler in SrcA and the data in SrcB (reduce.h)
  bool swap = dim == 0 && type != 2;
  need_format(f, swap ? TT_EMU_SRCB : TT_EMU_SRCA, icb);
  need_format(f, swap ? TT_EMU_SRCA : TT_EMU_SRCB, scb);
  load(f, icb, itile, cs->a);
  load(f, scb, stile, cs->b);
  // weight of element (r, c): row 0 of its face in the scaler tile (row-major), at its position in the face
  // along the reduced dimension
  auto wt = [&](int r, int c, bool along_cols) {
    return cs->b[(r / 16) * 16 * 32 + (c / 16) * 16 + (along_cols ? c % 16 : r % 16)];
  };
  float* d = dst_tile(f, idst);
  const bool is_max = type == 2, is_min = type == 3;
  const float init = is_max ? -INFINITY : is_min ? INFINITY : 0.f;
  // GMPOOL compares sign-magnitude keys (tt-isa-documentation WormholeB0 GMPOOL.md, AsComparable): a NaN
  // with a clear sign bit wins every max, one with the sign bit set loses to -inf; std::max drops both.
  auto key = [](float v) { uint32_t u; std::memcpy(&u, &v, 4); int64_t m = u & 0x7fffffffu; return (u >> 31) ? -m : m; };
  auto step = [&](float acc, float v) {
    return is_max ? (key(v) >= key(acc) ? v : acc) : is_min ? std::min(acc, v) : acc + v;
  };
  auto comb = [&](float& out, float v) { out = (fresh && (is_max || is_min)) ? v : step(out, v); };
  if (dim == 0) {  // REDUCE_ROW -> column 0
    for (int r = 0; r < 32; ++r) {
      float acc = init;
      for (int c = 0; c < 32; ++c) acc = step(acc, cs->a[r * 32 + c] * wt(r, c, true));
      comb(d[r * 32], acc);
    }
  } else if (dim == 1) {  // REDUCE_COL -> row 0
    for (int c = 0; c < 32; ++c) {
      float acc = init;
      for (int r = 0; r < 32; ++r) acc = step(acc, cs->a[r * 32 + c] * wt(r, c, false));
      comb(d[c], acc);
    }
  } else {  // REDUCE_SCALAR -> [0,0]: rows, then the column of row results, the scaler applied twice
    float acc = init;
    for (int r = 0; r < 32; ++r) {
      float row = init;
      for (int c = 0; c < 32; ++c) row = step(row, cs->a[r * 32 + c] * wt(r, c, true));
      acc = step(acc, row * wt(r, 0, false));
    }
    comb(d[0], acc);
  }
  finish_dst(f, d);
}
// Broadcast binary (api/compute/bcast.h): B's column 0 (COL), row 0 (ROW) or [0,0] (SCALAR) is
// broadcast over the tile (the unpacker replicates face column 0 / row 0 into SrcB), then A <op> B.
void tt_emu_bcast_init(int op, int dim, uint32_t icb0, uint32_t icb1, uint32_t line) {
  Fiber* f = ccur("bcast init", line);
  need_started(f);
  if (f->cs->pack_mask >= 0)
    fail(EX_API, "api_misuse", f, "a broadcast init while the packer still has the reduce mask: call reduce_uninit() "
                                  "after packing the reduce's results and before switching op family");
  f->cs->family = TT_EMU_FAM_BCAST;
  f->cs->bcast_op = op;
  f->cs->bcast_dim = dim;
}
void tt_emu_bcast_tiles(int op, int dim, uint32_t in0, uint32_t in1, uint32_t i0, uint32_t i1, uint32_t idst,
                        uint32_t line) {
  static const char* ops[] = {"mul", "div", "add", "sub"};
  static const char* dims[] = {"none", "cols", "rows", "scalar"};
  std::string name = std::string(ops[op & 3]) + "_tiles_bcast_" + dims[dim & 3];
  Fiber* f = ccur("bcast tiles", line);
  ComputeState* cs = f->cs;
  need_family(f, TT_EMU_FAM_BCAST, (std::string(ops[op & 3]) + "_bcast_" + dims[dim & 3] + "_init").c_str());
  if (cs->bcast_op != op || cs->bcast_dim != dim)
    fail(EX_API, "api_misuse", f, name + " after an init for another broadcast op or dimension: call " + ops[op & 3] +
                                      "_bcast_" + dims[dim & 3] + "_init first");
  load(f, in0, i0, cs->a);
  load(f, in1, i1, cs->b);
  float* d = dst_tile(f, idst);
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 32; ++c) {
      float x = cs->a[r * 32 + c];
      float y = dim == 1 ? cs->b[r * 32] : dim == 2 ? cs->b[c] : cs->b[0];
      d[r * 32 + c] = op == 2 ? x + y : op == 3 ? x - y : op == 0 ? x * y : x / y;
    }
  finish_dst(f, d);
}
// binop_with_scalar: mode 0 add, 1 sub, 2 mul, 3 div, 4 rsub (the release's enum), fp32 bits of the scalar.
void tt_emu_sfpu_scalar(int mode, uint32_t idst, uint32_t bits, uint32_t line) {
  static const char* names[] = {"add_unary_tile", "sub_unary_tile", "mul_unary_tile", "div_unary_tile", "rsub_unary_tile"};
  Fiber* f = ccur(mode >= 0 && mode < 5 ? names[mode] : "binop_with_scalar", line);
  need_started(f);
  if (f->cs->sfpu != TT_EMU_SFPU_BINOP_SCALAR)
    fail(EX_API, "api_misuse", f, std::string(f->call) + " without binop_with_scalar_tile_init");
  float p;
  std::memcpy(&p, &bits, 4);
  float* d = dst_tile(f, idst);
  for (int i = 0; i < 1024; ++i) {
    float x = d[i];
    d[i] = mode == 0 ? x + p : mode == 1 ? x - p : mode == 2 ? x * p : mode == 3 ? x / p : p - x;
  }
  finish_dst(f, d);
}
// binary_max_tile / binary_min_tile: DST[odst] = max/min(DST[d0], DST[d1]) element-wise (SFPU).
void tt_emu_sfpu_binary(int op, uint32_t d0, uint32_t d1, uint32_t odst, uint32_t line) {
  Fiber* f = ccur(op == TT_EMU_SFPU_BINARY_MAX ? "binary_max_tile" : "binary_min_tile", line);
  need_started(f);
  if (f->cs->sfpu != op)
    fail(EX_API, "api_misuse", f, std::string(f->call) + " without " + f->call + "_init");
  float* a = dst_tile(f, d0);
  float* b = dst_tile(f, d1);
  float* o = dst_tile(f, odst);
  for (int i = 0; i < 1024; ++i) o[i] = op == TT_EMU_SFPU_BINARY_MAX ? std::max(a[i], b[i]) : std::min(a[i], b[i]);
  finish_dst(f, o);
}
// where_tile<data_format>: DST[odst] = DST[cond] != 0 ? DST[t] : DST[f] (SFPU). The LLK tests the datum's bits
// as loaded for data_format: 16 bits (LO16) for Float16_b, 32 for Float32, so the format must match what DST
// holds (Float32 with fp32_dest_acc_en, Float16_b without); on a card the other one reads the wrong half.
void tt_emu_sfpu_where(int data_format, uint32_t cond, uint32_t t, uint32_t fl, uint32_t odst, uint32_t line) {
  Fiber* f = ccur("where_tile", line);
  need_started(f);
  if (f->cs->sfpu != TT_EMU_SFPU_WHERE) fail(EX_API, "api_misuse", f, "where_tile without where_tile_init");
  const int want = f->cs->fp32_acc ? 0 /* Float32 */ : 5 /* Float16_b */;
  if (data_format != want)
    fail(EX_API, "api_misuse", f, std::string("where_tile<DataFormat::") + (data_format == 0 ? "Float32" : data_format == 5 ?
         "Float16_b" : std::to_string(data_format).c_str()) + "> on a DST holding " + (f->cs->fp32_acc ? "float32" : "bfloat16") +
         " data (fp32_dest_acc_en=" + (f->cs->fp32_acc ? "true" : "false") + "): use DataFormat::" +
         (want == 0 ? "Float32" : "Float16_b"));
  float* c = dst_tile(f, cond);
  float* a = dst_tile(f, t);
  float* b = dst_tile(f, fl);
  float* o = dst_tile(f, odst);
  for (int i = 0; i < 1024; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &c[i], 4);
    if (!f->cs->fp32_acc) bits >>= 16;   // DST holds bf16: the upper half of our float is the datum
    o[i] = bits != 0 ? a[i] : b[i];
  }
  finish_dst(f, o);
}
void tt_emu_pack_l1_acc(uint32_t enable, uint32_t line) {
  Fiber* f = ccur("pack_reconfig_l1_acc", line);
  need_started(f);
  if (enable > 1) fail(EX_API, "api_misuse", f, "pack_reconfig_l1_acc takes 0 or 1, got " + std::to_string(enable));
  f->cs->l1_acc = enable != 0;
}
void tt_emu_tile_regs(int which, uint32_t line) {
  static const char* names[] = {"tile_regs_acquire", "tile_regs_commit", "tile_regs_wait", "tile_regs_release"};
  static const int need[] = {DST_IDLE, DST_ACQUIRED, DST_COMMITTED, DST_WAITED};
  Fiber* f = ccur(names[which], line);
  ComputeState* cs = f->cs;
  if (cs->phase != need[which])
    fail(EX_DST, "dst_violation", f, std::string(names[which]) + " while DST is " + phase_name[cs->phase] +
         " (the order is tile_regs_acquire, math, tile_regs_commit, tile_regs_wait, pack, tile_regs_release)");
  cs->phase = (which + 1) % 4;
  if (which == 0) {  // DST starts zeroed at acquire
    std::memset(cs->dst, 0, sizeof(float) * 1024 * cs->capacity);
    for (bool& b : cs->fresh) b = true;
  }
}
void tt_emu_pack_tile(uint32_t idst, uint32_t id, uint32_t idx, int out_of_order, uint32_t ntiles, uint32_t line) {
  Fiber* f = ccur(ntiles == 1 ? "pack_tile" : "pack_tile_block", line);
  ComputeState* cs = f->cs;
  if (cs->phase != DST_WAITED)
    fail(EX_DST, "dst_violation", f, std::string(f->call) + " while DST is " + phase_name[cs->phase] +
         ": pack between tile_regs_wait and tile_regs_release");
  if (id >= uint32_t(model().max_cbs)) fail(EX_CB, "cb_violation", f, "pack_tile: CB id out of range");
  CB& cb = f->core->cbs[id];
  if (!cb.configured) fail(EX_CB, "cb_violation", f, "pack_tile: CB c_" + std::to_string(id) + " is not configured on this core");
  if (!fmt_supported(cb.fmt))
    fail(EX_API, "api_misuse", f, std::string("pack_tile: data format ") + fmt_name(cb.fmt) + " is not emulated");
  need_format(f, TT_EMU_PACK, id);
  for (uint32_t t = 0; t < ntiles; ++t) {
    uint32_t src = idst + t;
    if (src >= uint32_t(cs->capacity))
      fail(EX_DST, "dst_violation", f, "pack_tile: DST index " + std::to_string(src) + " exceeds the DST capacity of " +
                                           std::to_string(cs->capacity) + " tiles");
    int32_t pos = out_of_order ? int32_t(idx + t) : cb.packed;
    if (pos >= cb.reserved)
      fail(EX_CB, "cb_violation", f, "pack_tile into c_" + std::to_string(id) + " page " + std::to_string(pos) +
           " but only " + std::to_string(cb.reserved) + " page(s) are reserved (cb_reserve_back before packing)",
           "{\"cb_state\":" + cb_state_json(cb, int(id)) + "}");
    if (tt::tile_size(cb.fmt) > cb.page_size)
      fail(EX_CB, "cb_violation", f, "pack_tile: a tile does not fit the page size of c_" + std::to_string(id));
    uint32_t page = (cb.wr_page + uint32_t(pos)) % cb.num_pages;
    uint8_t* l1 = f->core->l1 + cb.base + page * cb.page_size;
    if (cs->l1_acc && is_bfp(cb.fmt))
      fail(EX_API, "api_misuse", f, std::string("pack_tile with L1 accumulation into the ") + fmt_name(cb.fmt) +
                                        " CB c_" + std::to_string(id) + " is not emulated: accumulate in a Float16_b or Float32 CB");
    const float* data = cs->dst[src];
    alignas(64) float masked[1024];
    if (cs->pack_mask >= 0) {  // reduce mask: keep column 0 (ROW), row 0 (COL) or [0,0] (SCALAR)
      for (int i = 0; i < 1024; ++i) {
        int r = i / 32, c = i % 32;
        bool keep = cs->pack_mask == 0 ? c == 0 : cs->pack_mask == 1 ? r == 0 : i == 0;
        masked[i] = keep ? data[i] : 0.f;
      }
      data = masked;
    }
    if (cs->l1_acc) {  // add to what the page holds, in the CB's format (one rounding, as the packer's)
      alignas(64) float sum[1024];
      unpack_tile(l1, cb.fmt, sum);
      for (int i = 0; i < 1024; ++i) sum[i] += data[i];
      pack_tile_data(sum, cb.fmt, l1, cs->fp32_acc, cs->bfp8_pack_precise);
    } else {
      pack_tile_data(data, cb.fmt, l1, cs->fp32_acc, cs->bfp8_pack_precise);
    }
    if (!out_of_order) ++cb.packed;
  }
}
}  // extern "C"
