// The device-side API as seen from kernels (extern "C" entry points behind include/api/**).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "emu.hpp"
#include "tt_emu/kernel_rt.h"

namespace emu {
extern TT_EMU_TLS Fiber* t_cur;

static inline Fiber* cur(const char* call, uint32_t line) {
  Fiber* f = t_cur;
  if (!f) fail_core(EX_API, "api_misuse", -1, -1, "", std::string(call) + " called outside a running kernel");
  f->call = call;
  f->line = line;
  api_tick(f->thread);
  return f;
}
static inline void block(Fiber* f) {
  extern void tt_emu_yield(Fiber*);
  tt_emu_yield(f);
}
static std::string cbn(int id) { return "c_" + std::to_string(id); }

static CB& get_cb(Fiber* f, int32_t id) {
  if (id < 0 || id >= int32_t(model().max_cbs))
    fail(EX_CB, "cb_violation", f, std::string(f->call) + ": CB id " + std::to_string(id) + " is out of range 0.." +
                                       std::to_string(model().max_cbs - 1) + " on " + model().name);
  CB& cb = f->core->cbs[id];
  if (!cb.configured)
    fail(EX_CB, "cb_violation", f, std::string(f->call) + "(" + cbn(id) +
                                       "): no circular buffer with this index was created on this core "
                                       "(CreateCircularBuffer on a core range that includes it)");
  return cb;
}
static std::string cbj(Fiber* f, int id) { return "{\"cb_state\":" + cb_state_json(f->core->cbs[id], id) + "}"; }

// ------------------------------------------------------------------ L1 translation
static uint8_t* l1_at(Fiber* f, Core* c, uint32_t addr, uint32_t size, const char* what, int code = EX_NOC) {
  addr = l1_norm(addr);
  const uint32_t l1_end = model().l1_end();
  if (uint64_t(addr) + size > l1_end || addr < SEM_BASE) {
    char b[160];
    snprintf(b, sizeof b, "%s: L1 range [0x%x, 0x%llx) of core (%d,%d) is outside L1 [0x%x, 0x%x)", what, addr,
             (unsigned long long)addr + size, c->x, c->y, SEM_BASE, l1_end);
    fail(code, code == EX_NOC ? "noc_violation" : "api_misuse", f, b);
  }
  bool ok = false;
  for (auto& r : c->regions)
    if (addr >= r.start && uint64_t(addr) + size <= r.end) { ok = true; break; }
  if (!ok) {
    std::ostringstream s;
    s << what << ": L1 range [0x" << std::hex << addr << ", 0x" << (uint64_t(addr) + size) << std::dec << ") of core ("
      << c->x << "," << c->y << ") is not inside one circular buffer or semaphore; allocated:";
    for (auto& r : c->regions) s << " " << r.what << " [0x" << std::hex << r.start << ",0x" << r.end << std::dec << ")";
    fail(code, code == EX_NOC ? "noc_violation" : "api_misuse", f, s.str());
  }
  return c->l1 + addr;
}

// ------------------------------------------------------------------ NOC addressing
// Worker cores sit at NOC (x+1, y+1); DRAM bank b at (0, b+1). Bits 0..31 address, 32..39 x, 40..47 y;
// multicast: bit 63, address bits 0..23, x0 24..31, y0 32..39, x1 40..47, y1 48..55.
static constexpr uint64_t MCAST = 1ull << 63;
static inline uint64_t ucast(uint32_t x, uint32_t y, uint32_t a) { return (uint64_t(y) << 40) | (uint64_t(x) << 32) | a; }

struct Target { bool dram; int bank; Core* core; uint32_t addr; };
static Target decode(Fiber* f, uint64_t noc, const char* what) {
  if (noc & MCAST) fail(EX_NOC, "noc_violation", f, std::string(what) + ": a multicast address used for a unicast transfer");
  uint32_t x = (noc >> 32) & 0xff, y = (noc >> 40) & 0xff, a = uint32_t(noc);
  const Model& m = model();
  if (x == 0 && y >= 1 && int(y) <= m.dram_banks) return {true, int(y) - 1, nullptr, a};
  if (x >= 1 && int(x) <= m.gx && y >= 1 && int(y) <= m.gy) return {false, -1, device()->core(int(x) - 1, int(y) - 1), a};
  char b[200];
  snprintf(b, sizeof b, "%s: NOC coordinates (%u,%u) address 0x%x name no DRAM bank or worker core (workers are at "
           "x 1..%d, y 1..%d: use worker_core_from_logical_core on the host)", what, x, y, a, m.gx, m.gy);
  fail(EX_NOC, "noc_violation", f, b);
}

// DRAM bank access: find the buffer owning [off, off+size) on this bank, page by page.
template <typename Fn>
static void dram_access(Fiber* f, int bank, uint32_t off, uint32_t size, const char* what, Fn&& fn) {
  DeviceState* d = device();
  const int nb = model().dram_banks;
  uint32_t done = 0;
  while (done < size) {
    uint32_t o = off + done;
    auto it = d->buffers.upper_bound(o);
    Buffer* b = nullptr;
    if (it != d->buffers.begin()) { --it; b = it->second; }
    uint32_t local = b ? o - b->base : 0;
    uint32_t pib = b && b->aligned ? local / b->aligned : 0;
    uint64_t page = uint64_t(pib) * nb + bank;
    if (!b || !b->alive || page >= b->num_pages) {
      char msg[400];
      if (b && b->alive)
        snprintf(msg, sizeof msg, "%s: DRAM bank %d offset 0x%x (%u bytes) is past the end of the buffer at 0x%x "
                 "(%u pages of %u B; this offset would be page %llu)", what, bank, o, size - done, b->base,
                 b->num_pages, b->page_size, (unsigned long long)page);
      else
        snprintf(msg, sizeof msg, "%s: DRAM bank %d offset 0x%x (%u bytes) is not inside any allocated buffer", what,
                 bank, o, size - done);
      std::string m = msg;
      if (f->last_page_noc != ~0ull && uint32_t(f->last_page_noc) == off && int((f->last_page_noc >> 40) & 0xff) == bank + 1) {
        auto it2 = d->buffers.find(f->last_page_base);
        char hb[300];
        if (it2 != d->buffers.end())
          snprintf(hb, sizeof hb, "%s: page id %u is out of range of the buffer at DRAM address 0x%x (%u pages of %u B)",
                   what, f->last_page_id, f->last_page_base, it2->second->num_pages, it2->second->page_size);
        else
          snprintf(hb, sizeof hb, "%s: page id %u of an accessor at DRAM address 0x%x, which is not an allocated buffer",
                   what, f->last_page_id, f->last_page_base);
        m = hb;
      }
      fail(EX_NOC, "noc_violation", f, m,
           "{\"bank\":" + std::to_string(bank) + ",\"offset\":" + std::to_string(o) +
           (f->last_page_noc != ~0ull && uint32_t(f->last_page_noc) == off ? ",\"page_id\":" + std::to_string(f->last_page_id) : std::string()) + "}");
    }
    uint32_t within = local % b->aligned;
    uint32_t n = std::min(size - done, b->aligned - within);
    fn(b->bytes() + page * b->aligned + within, done, n);
    done += n;
  }
}

}  // namespace emu

using namespace emu;


extern "C" {

uint32_t tt_emu_get_arg(int idx, int common, uint32_t line) {
  Fiber* f = cur(common ? "get_common_arg_val" : "get_arg_val", line);
  const auto* a = common ? f->common_args : f->args;
  if (idx < 0 || size_t(idx) >= a->size())
    fail(EX_API, "api_misuse", f, std::string(f->call) + "(" + std::to_string(idx) + "): only " +
                                      std::to_string(a->size()) + " runtime args were set for this kernel on this core");
  return (*a)[idx];
}
uintptr_t tt_emu_get_arg_addr(int idx, int common) {
  Fiber* f = cur("get_arg_addr", 0);
  const auto* a = common ? f->common_args : f->args;
  if (idx < 0 || size_t(idx) >= a->size()) fail(EX_API, "api_misuse", f, "get_arg_addr: index out of range");
  return reinterpret_cast<uintptr_t>(a->data() + idx);
}

// ------------------------------------------------------------------ circular buffers
void tt_emu_cb_reserve_back(int32_t id, int32_t n, uint32_t line) {
  Fiber* f = cur("cb_reserve_back", line);
  CB& cb = get_cb(f, id);
  if (n <= 0 || uint32_t(n) > cb.num_pages)
    fail(EX_CB, "cb_violation", f, "cb_reserve_back(" + cbn(id) + ", " + std::to_string(n) + "): the CB holds only " +
                                       std::to_string(cb.num_pages) + " pages; this would wait forever", cbj(f, id));
  if (cb.free_pages() < uint32_t(n)) {
    f->wait = W_CB_RESERVE; f->wait_cb = id; f->wait_n = n;
    while (cb.free_pages() < uint32_t(n)) block(f);
    f->wait = W_NONE;
  }
  cb.reserved = std::max(cb.reserved, n);
}
void tt_emu_cb_push_back(int32_t id, int32_t n, uint32_t line) {
  Fiber* f = cur("cb_push_back", line);
  CB& cb = get_cb(f, id);
  if (n <= 0 || n > cb.reserved)
    fail(EX_CB, "cb_violation", f, "cb_push_back(" + cbn(id) + ", " + std::to_string(n) + ") without a matching "
         "cb_reserve_back: " + std::to_string(cb.reserved) + " page(s) are reserved", cbj(f, id));
  if (cb.wr_page + uint32_t(n) > cb.num_pages)
    fail(EX_CB, "cb_violation", f, "cb_push_back(" + cbn(id) + ", " + std::to_string(n) + ") at page " +
         std::to_string(cb.wr_page) + " runs past the end of the " + std::to_string(cb.num_pages) +
         "-page CB: pushes over one cycle must sum exactly to the CB size so the pointer wraps (wrap rule)", cbj(f, id));
  cb.wr_page = (cb.wr_page + n) % cb.num_pages;
  cb.pushed += n;
  cb.reserved -= n;
  cb.packed = 0;
}
void tt_emu_cb_wait_front(int32_t id, int32_t n, uint32_t line) {
  Fiber* f = cur("cb_wait_front", line);
  CB& cb = get_cb(f, id);
  if (n <= 0 || uint32_t(n) > cb.num_pages)
    fail(EX_CB, "cb_violation", f, "cb_wait_front(" + cbn(id) + ", " + std::to_string(n) + "): the CB holds only " +
                                       std::to_string(cb.num_pages) + " pages; this would wait forever", cbj(f, id));
  if (cb.avail() < uint32_t(n)) {
    f->wait = W_CB_WAIT; f->wait_cb = id; f->wait_n = n;
    while (cb.avail() < uint32_t(n)) block(f);
    f->wait = W_NONE;
  }
  cb.waited = std::max(cb.waited, n);  // waits are cumulative until popped
}
void tt_emu_cb_pop_front(int32_t id, int32_t n, uint32_t line) {
  Fiber* f = cur("cb_pop_front", line);
  CB& cb = get_cb(f, id);
  if (n <= 0 || n > cb.waited)
    fail(EX_CB, "cb_violation", f, "cb_pop_front(" + cbn(id) + ", " + std::to_string(n) + ") without a matching "
         "cb_wait_front: " + std::to_string(cb.waited) + " page(s) were waited for", cbj(f, id));
  if (cb.rd_page + uint32_t(n) > cb.num_pages)
    fail(EX_CB, "cb_violation", f, "cb_pop_front(" + cbn(id) + ", " + std::to_string(n) + ") at page " +
         std::to_string(cb.rd_page) + " runs past the end of the " + std::to_string(cb.num_pages) +
         "-page CB: pops over one cycle must sum exactly to the CB size (wrap rule)", cbj(f, id));
  cb.rd_page = (cb.rd_page + n) % cb.num_pages;
  cb.popped += n;
  cb.waited -= n;
}
bool tt_emu_cb_pages_reservable_at_back(int32_t id, int32_t n) {
  Fiber* f = cur("cb_pages_reservable_at_back", 0);
  return get_cb(f, id).free_pages() >= uint32_t(n);
}
bool tt_emu_cb_pages_available_at_front(int32_t id, int32_t n) {
  Fiber* f = cur("cb_pages_available_at_front", 0);
  return get_cb(f, id).avail() >= uint32_t(n);
}
uint32_t tt_emu_get_write_ptr(uint32_t id) {
  Fiber* f = cur("get_write_ptr", 0);
  CB& cb = get_cb(f, int32_t(id));
  return l1_kaddr(f->core, cb.base + cb.wr_page * cb.page_size);
}
uint32_t tt_emu_get_read_ptr(uint32_t id) {
  Fiber* f = cur("get_read_ptr", 0);
  CB& cb = get_cb(f, int32_t(id));
  return l1_kaddr(f->core, cb.base + cb.rd_page * cb.page_size);
}
uint32_t tt_emu_get_tile_size(uint32_t id) {
  Fiber* f = cur("get_tile_size", 0);
  return tt::tile_size(get_cb(f, int32_t(id)).fmt);
}
uint32_t tt_emu_get_dataformat(uint32_t id) {
  Fiber* f = cur("get_dataformat", 0);
  return uint32_t(get_cb(f, int32_t(id)).fmt);
}

// ------------------------------------------------------------------ NOC
void tt_emu_noc_read(uint64_t src, uint32_t dst_l1, uint32_t size, uint32_t line) {
  Fiber* f = cur("noc_async_read", line);
  if (size == 0) fail(EX_NOC, "noc_violation", f, "noc_async_read of 0 bytes (page size 0? pass the page size to TensorAccessor)");
  uint8_t* dst = l1_at(f, f->core, dst_l1, size, "noc_async_read destination");
  Target t = decode(f, src, "noc_async_read source");
  if (t.dram) {
    dram_access(f, t.bank, t.addr, size, "noc_async_read", [&](uint8_t* p, uint32_t done, uint32_t n) {
      std::memcpy(dst + done, p, n);
    });
  } else {
    uint8_t* s = l1_at(f, t.core, t.addr, size, "noc_async_read source");
    std::memmove(dst, s, size);
  }
  ++f->noc_reads;
}
void tt_emu_noc_write(uint32_t src_l1, uint64_t dst, uint32_t size, uint32_t line) {
  Fiber* f = cur("noc_async_write", line);
  if (size == 0) fail(EX_NOC, "noc_violation", f, "noc_async_write of 0 bytes");
  uint8_t* src = l1_at(f, f->core, src_l1, size, "noc_async_write source");
  Target t = decode(f, dst, "noc_async_write destination");
  if (t.dram) {
    dram_access(f, t.bank, t.addr, size, "noc_async_write", [&](uint8_t* p, uint32_t done, uint32_t n) {
      std::memcpy(p, src + done, n);
    });
  } else {
    uint8_t* d = l1_at(f, t.core, t.addr, size, "noc_async_write destination");
    std::memmove(d, src, size);
  }
  ++f->noc_writes;
}
void tt_emu_noc_barrier(int, uint32_t line) { cur("noc_async_barrier", line); }  // transfers complete at issue

uint64_t tt_emu_noc_addr_xy(uint32_t x, uint32_t y, uint32_t addr) { return ucast(x, y, addr); }
uint64_t tt_emu_noc_addr_self(uint32_t addr) {
  Fiber* f = cur("get_noc_addr", 0);
  return ucast(f->core->x + 1, f->core->y + 1, addr);
}
uint64_t tt_emu_noc_addr_interleaved(uint32_t base, uint32_t aligned, uint32_t id, uint32_t offset, int is_dram) {
  Fiber* f = cur("get_noc_addr", 0);
  if (!is_dram) fail(EX_API, "api_misuse", f, "interleaved L1 buffers are not emulated (use DRAM buffers)");
  const uint32_t nb = uint32_t(model().dram_banks);
  uint32_t bank = id % nb;
  uint64_t off = uint64_t(base) + uint64_t(id / nb) * aligned + offset;
  if (off > 0xffffffffull) fail(EX_NOC, "noc_violation", f, "page " + std::to_string(id) + " lies past 4 GiB of its bank");
  uint64_t noc = ucast(0, bank + 1, uint32_t(off));
  f->last_page_noc = noc;
  f->last_page_id = id;
  f->last_page_base = base;
  return noc;
}
uint64_t tt_emu_noc_addr_bank(uint32_t bank, uint32_t offset, int is_dram) {
  Fiber* f = cur("get_noc_addr_from_bank_id", 0);
  if (!is_dram) fail(EX_API, "api_misuse", f, "L1 banks are not emulated");
  if (bank >= uint32_t(model().dram_banks))
    fail(EX_NOC, "noc_violation", f, "DRAM bank " + std::to_string(bank) + " does not exist (" +
                                          std::to_string(model().dram_banks) + " banks on " + model().name + ")");
  return ucast(0, bank + 1, offset);
}
uint64_t tt_emu_noc_mcast_addr(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1, uint32_t addr) {
  addr = l1_norm(addr);  // multicast only targets worker L1
  return MCAST | (uint64_t(y1 & 0xff) << 48) | (uint64_t(x1 & 0xff) << 40) | (uint64_t(y0 & 0xff) << 32) |
         (uint64_t(x0 & 0xff) << 24) | (addr & 0xffffff);
}
uint32_t tt_emu_num_dram_banks() { return uint32_t(model().dram_banks); }

// Destination cores of a multicast rectangle (either corner order is accepted: NOC0 vs NOC1).
static std::vector<Core*> mcast_targets(Fiber* f, uint64_t dst, uint32_t num_dests, bool loopback, uint32_t* addr,
                                        const char* what) {
  if (!(dst & MCAST)) fail(EX_NOC, "noc_violation", f, std::string(what) + ": destination is not a multicast address (get_noc_multicast_addr)");
  uint32_t x0 = (dst >> 24) & 0xff, y0 = (dst >> 32) & 0xff, x1 = (dst >> 40) & 0xff, y1 = (dst >> 48) & 0xff;
  *addr = uint32_t(dst & 0xffffff);
  if (x0 > x1) std::swap(x0, x1);
  if (y0 > y1) std::swap(y0, y1);
  const Model& m = model();
  if (x0 < 1 || y0 < 1 || int(x1) > m.gx || int(y1) > m.gy) {
    char b[200];
    snprintf(b, sizeof b, "%s: multicast rectangle (%u,%u)-(%u,%u) leaves the worker grid (NOC x 1..%d, y 1..%d)", what,
             x0, y0, x1, y1, m.gx, m.gy);
    fail(EX_NOC, "noc_violation", f, b);
  }
  std::vector<Core*> out;
  bool self_in = false;
  for (uint32_t y = y0; y <= y1; ++y)
    for (uint32_t x = x0; x <= x1; ++x) {
      Core* c = device()->core(int(x) - 1, int(y) - 1);
      if (c == f->core) { self_in = true; if (!loopback) continue; }
      out.push_back(c);
    }
  uint32_t expect = uint32_t(out.size());
  if (num_dests != expect) {
    char b[300];
    snprintf(b, sizeof b, "%s: num_dests=%u but the rectangle (%u,%u)-(%u,%u) has %u destination core(s)%s", what,
             num_dests, x0, y0, x1, y1, expect,
             loopback ? " including the sender" : (self_in ? " excluding the sender" : ""));
    fail(EX_API, "api_misuse", f, b);
  }
  if (out.empty()) fail(EX_API, "api_misuse", f, std::string(what) + ": the multicast has no destination besides the sender");
  return out;
}

void tt_emu_noc_write_mcast(uint32_t src_l1, uint64_t dst, uint32_t size, uint32_t num_dests, int loopback,
                            uint32_t line) {
  Fiber* f = cur("noc_async_write_multicast", line);
  uint8_t* src = l1_at(f, f->core, src_l1, size, "noc_async_write_multicast source");
  uint32_t addr;
  for (Core* c : mcast_targets(f, dst, num_dests, loopback, &addr, "noc_async_write_multicast")) {
    uint8_t* d = l1_at(f, c, addr, size, "noc_async_write_multicast destination");
    if (d != src) std::memmove(d, src, size);
  }
  ++f->noc_writes;
}

// ------------------------------------------------------------------ semaphores
static std::atomic<uint32_t>* sem_ptr(Fiber* f, Core* c, uint32_t addr, const char* what) {
  if (addr % 4) fail(EX_NOC, "noc_violation", f, std::string(what) + ": semaphore address not 4-byte aligned");
  uint8_t* p = l1_at(f, c, addr, 4, what);
  return reinterpret_cast<std::atomic<uint32_t>*>(p);
}
uint32_t tt_emu_get_semaphore(uint32_t id) {
  Fiber* f = cur("get_semaphore", 0);
  if (id >= MAX_SEMS) fail(EX_API, "api_misuse", f, "get_semaphore(" + std::to_string(id) + "): semaphore ids are 0.." + std::to_string(MAX_SEMS - 1));
  return l1_kaddr(f->core, SEM_BASE + id * SEM_STRIDE);
}
void tt_emu_sem_set(uintptr_t local, uint32_t val, uint32_t line) {
  Fiber* f = cur("noc_semaphore_set", line);
  sem_ptr(f, f->core, uint32_t(local), "noc_semaphore_set")->store(val, std::memory_order_release);
}
uint32_t tt_emu_sem_read(uintptr_t local) {
  Fiber* f = cur("semaphore read", 0);
  return sem_ptr(f, f->core, uint32_t(local), "semaphore read")->load(std::memory_order_acquire);
}
void tt_emu_sem_wait(uintptr_t local, uint32_t val, int at_least, uint32_t line) {
  Fiber* f = cur(at_least ? "noc_semaphore_wait_min" : "noc_semaphore_wait", line);
  auto* s = sem_ptr(f, f->core, uint32_t(local), f->call);
  auto ok = [&] { uint32_t v = s->load(std::memory_order_acquire); return at_least ? v >= val : v == val; };
  if (!ok()) {
    f->wait = W_SEM; f->wait_sem = s; f->wait_sem_addr = l1_norm(local); f->wait_val = val; f->wait_at_least = at_least;
    while (!ok()) block(f);
    f->wait = W_NONE;
  }
}
void tt_emu_sem_inc(uint64_t dst, uint32_t incr, uint32_t num_dests, uint32_t line) {
  Fiber* f = cur(num_dests ? "noc_semaphore_inc_multicast" : "noc_semaphore_inc", line);
  if (num_dests) {
    uint32_t addr;
    for (Core* c : mcast_targets(f, dst, num_dests, false, &addr, f->call))
      sem_ptr(f, c, addr, f->call)->fetch_add(incr, std::memory_order_acq_rel);
    return;
  }
  Target t = decode(f, dst, "noc_semaphore_inc");
  if (t.dram) fail(EX_NOC, "noc_violation", f, "noc_semaphore_inc on a DRAM address");
  sem_ptr(f, t.core, t.addr, "noc_semaphore_inc")->fetch_add(incr, std::memory_order_acq_rel);
}
void tt_emu_sem_set_remote(uint32_t src_l1, uint64_t dst, uint32_t num_dests, int mcast, int loopback, uint32_t line) {
  Fiber* f = cur(mcast ? "noc_semaphore_set_multicast" : "noc_semaphore_set_remote", line);
  uint32_t v;
  std::memcpy(&v, l1_at(f, f->core, src_l1, 4, f->call), 4);
  if (mcast) {
    uint32_t addr;
    for (Core* c : mcast_targets(f, dst, num_dests, loopback, &addr, f->call))
      sem_ptr(f, c, addr, f->call)->store(v, std::memory_order_release);
    return;
  }
  Target t = decode(f, dst, f->call);
  if (t.dram) fail(EX_NOC, "noc_violation", f, "noc_semaphore_set_remote on a DRAM address");
  sem_ptr(f, t.core, t.addr, f->call)->store(v, std::memory_order_release);
}
void* tt_emu_l1_ptr(uintptr_t addr, uint32_t size) {
  Fiber* f = cur("L1 pointer", 0);
  return l1_at(f, f->core, uint32_t(addr), size, "L1 pointer", EX_API);
}
uint32_t tt_emu_my_coord(int which) {
  Fiber* f = cur("my_x/my_y", 0);
  switch (which) {
    case 0: return f->core->x;
    case 1: return f->core->y;
    case 2: return f->core->x + 1;
    default: return f->core->y + 1;
  }
}
}  // extern "C"

