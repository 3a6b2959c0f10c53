// Emulator runtime: device model, memories, fibers + scheduler, deadlock detection, reports.
#include <dlfcn.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sstream>
#include <thread>

#include "emu.hpp"

#ifndef __x86_64__
#include <ucontext.h>
#endif

namespace emu {

// ------------------------------------------------------------------ model / era
const Model& model() {
  static Model m = [] {
    const char* e = std::getenv("TT_EMU_MODEL");
    std::string name = e && *e ? e : "wormhole_b0";
    // Numbers from tilelang_tt/target.py (reference/metalium-api.md section D).
    if (name == "wormhole_b0" || name == "n150") return Model{"wormhole_b0", 8, 8, 12, 1ull << 30, 32, 32, 8192, 1464u * 1024};
    if (name == "blackhole" || name == "p150") return Model{"blackhole", 11, 10, 8, 4278190080ull, 64, 64, 16384, 1536u * 1024};
    fail_core(EX_API, "api_misuse", -1, -1, "", "TT_EMU_MODEL=" + name + " is not a model; use wormhole_b0 or blackhole");
  }();
  return m;
}
int api_era() {
  static int era = [] {
    const char* e = std::getenv("TT_EMU_API_ERA");
    if (!e || !*e) return TT_EMU_API_ERA;   // the era the runtime headers default to (kernel_rt.h)
    int v = std::atoi(e);
    return v >= 3 && v <= 5 ? v : TT_EMU_API_ERA;
  }();
  return era;
}

// ------------------------------------------------------------------ device
static DeviceState g_device;
uintptr_t g_arena = 0, g_arena_end = 0;
static uint8_t* g_arena_ptr = nullptr;

// One mapping for every core's L1, below 4 GiB when possible so 32-bit L1 addresses can be host pointers.
static uint8_t* arena() {
  if (g_arena_ptr) return g_arena_ptr;
  const Model& m = model();
  size_t bytes = size_t(m.gx) * m.gy * L1_ARENA;
  void* p = MAP_FAILED;
  if (!std::getenv("TT_EMU_L1_OFFSETS")) {
#ifdef MAP_32BIT
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_32BIT, -1, 0);
#endif
#ifdef MAP_FIXED_NOREPLACE
    for (uintptr_t hint = 0x40000000; p == MAP_FAILED && hint + bytes < (1ull << 32); hint += 0x10000000) {
      p = mmap(reinterpret_cast<void*>(hint), bytes, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
      if (p != MAP_FAILED && reinterpret_cast<uintptr_t>(p) != hint) { munmap(p, bytes); p = MAP_FAILED; }
    }
#endif
  }
  bool low = p != MAP_FAILED && reinterpret_cast<uintptr_t>(p) + bytes <= (1ull << 32);
  if (!low) {
    if (p != MAP_FAILED) munmap(p, bytes);
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::runtime_error("tt-emu: cannot map L1 memory");
  } else {
    g_arena = reinterpret_cast<uintptr_t>(p);
    g_arena_end = g_arena + bytes;
  }
  g_arena_ptr = static_cast<uint8_t*>(p);
  return g_arena_ptr;
}
DeviceState* device() { return &g_device; }
Core* DeviceState::core(int x, int y) {
  const Model& m = model();
  if (cores.empty()) cores.resize(size_t(m.gx) * m.gy);
  auto& c = cores[size_t(y) * m.gx + x];
  if (!c) {
    c = std::make_unique<Core>();
    c->x = x; c->y = y;
    // Zero pages are committed lazily by the OS: 64 cores x 1.5 MiB costs nothing until touched.
    c->l1 = arena() + (size_t(y) * m.gx + x) * L1_ARENA;
  }
  return c.get();
}

// ------------------------------------------------------------------ reports
std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    switch (ch) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      default:
        if ((unsigned char)ch < 0x20) { char b[8]; snprintf(b, 8, "\\u%04x", ch); o += b; } else o += ch;
    }
  }
  return o + "\"";
}
std::string cb_state_json(const CB& cb, int id) {
  std::ostringstream s;
  s << "{\"cb\":" << id << ",\"capacity\":" << cb.num_pages << ",\"page_bytes\":" << cb.page_size
    << ",\"available\":" << cb.avail() << ",\"free\":" << cb.free_pages() << ",\"pushed_total\":" << cb.pushed
    << ",\"popped_total\":" << cb.popped << ",\"reserved\":" << cb.reserved << ",\"waited\":" << cb.waited << "}";
  return s.str();
}

static std::atomic<int> g_failing{0};
[[noreturn]] void fail_core(int code, const char* kind, int cx, int cy, const std::string& kernel,
                            const std::string& msg, const std::string& details) {
  if (g_failing.exchange(1)) { for (;;) pause(); }  // first failure wins; the reporter exits the process
  jit_abort_pending();
  std::string where;
  if (cx >= 0) where = " on core (" + std::to_string(cx) + "," + std::to_string(cy) + ")";
  if (!kernel.empty()) where += " in kernel '" + kernel + "'";
  fprintf(stderr, "tt-emu: %s%s: %s\n", kind, where.c_str(), msg.c_str());
  fflush(stderr);
  if (const char* rp = std::getenv("TT_EMU_REPORT"); rp && *rp) {
    std::string tmp = std::string(rp) + ".tmp";
    if (FILE* f = fopen(tmp.c_str(), "w")) {
      fprintf(f, "{\"kind\":%s,\"exit_code\":%d,\"message\":%s,", json_str(kind).c_str(), code, json_str(msg).c_str());
      if (cx >= 0) fprintf(f, "\"core\":[%d,%d],", cx, cy); else fprintf(f, "\"core\":null,");
      fprintf(f, "\"kernel\":%s,\"details\":%s}\n", kernel.empty() ? "null" : json_str(kernel).c_str(),
              details.empty() ? "{}" : details.c_str());
      fclose(f);
      rename(tmp.c_str(), rp);
    }
  }
  _exit(code);
}

static std::string kernel_label(Fiber* f) {
  if (!f || !f->kernel) return "";
  return f->kernel->name;
}
[[noreturn]] void fail(int code, const char* kind, Fiber* f, const std::string& msg, const std::string& details) {
  std::string m = msg;
  std::string d = details;
  if (f && f->kernel) {
    m += " [" + (f->kernel->from_string ? std::string("<string>") : f->kernel->path) + ":" + std::to_string(f->line) + "]";
    if (d.empty()) d = "{}";
    // splice source location into details
    std::string loc = "\"source\":" + json_str(f->kernel->path) + ",\"line\":" + std::to_string(f->line);
    d = d == "{}" ? "{" + loc + "}" : "{" + loc + "," + d.substr(1);
  }
  fail_core(code, kind, f ? f->core->x : -1, f ? f->core->y : -1, kernel_label(f), m, d);
}

// ------------------------------------------------------------------ fibers
TT_EMU_TLS Fiber* t_cur = nullptr;
TT_EMU_TLS int t_index = 0;
ThreadProgress g_progress[MAX_THREADS];
TT_EMU_TLS void* t_sched_sp = nullptr;
#ifndef __x86_64__
thread_local ucontext_t* t_sched_uctx = nullptr;
#endif

#ifdef __x86_64__
// Hand-rolled context switch: saves callee-saved registers on the old stack, swaps stacks.
extern "C" void tt_emu_ctx_switch(void** save_sp, void* new_sp);
asm(R"(
.text
.globl tt_emu_ctx_switch
.type tt_emu_ctx_switch,@function
tt_emu_ctx_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $8, %rsp
  stmxcsr (%rsp)
  fnstcw 4(%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  ldmxcsr (%rsp)
  fldcw 4(%rsp)
  addq $8, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
.size tt_emu_ctx_switch, .-tt_emu_ctx_switch
)");
#endif

static void fiber_main() {
  Fiber* f = t_cur;
  f->entry();
  f->done = true;
  f->call = "";
#ifdef __x86_64__
  tt_emu_ctx_switch(&f->sp, t_sched_sp);
#else
  swapcontext(static_cast<ucontext_t*>(f->uctx), t_sched_uctx);
#endif
  __builtin_trap();
}

static constexpr size_t STACK_SIZE = 256 * 1024;
static void fiber_init(Fiber* f) {
  size_t page = 4096;
  void* mem = mmap(nullptr, STACK_SIZE + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw std::runtime_error("tt-emu: cannot allocate a fiber stack");
  mprotect(mem, page, PROT_NONE);  // guard page: a kernel stack overflow faults instead of corrupting
  f->stack = mem;
  f->stack_size = STACK_SIZE + page;
#ifdef __x86_64__
  uintptr_t top = (reinterpret_cast<uintptr_t>(mem) + STACK_SIZE + page) & ~uintptr_t(15);
  uint64_t* sp = reinterpret_cast<uint64_t*>(top);
  *--sp = 0;                                             // fake return address of fiber_main
  *--sp = reinterpret_cast<uint64_t>(&fiber_main);       // popped by ret
  for (int i = 0; i < 6; ++i) *--sp = 0;                 // rbp rbx r12 r13 r14 r15
  uint32_t csr[2] = {0x1F80, 0x037F};                    // default MXCSR / x87 control word
  *--sp = uint64_t(csr[0]) | (uint64_t(csr[1]) << 32);
  f->sp = sp;
#else
  auto* uc = new ucontext_t;
  getcontext(uc);
  uc->uc_stack.ss_sp = static_cast<char*>(mem) + page;
  uc->uc_stack.ss_size = STACK_SIZE;
  uc->uc_link = nullptr;
  makecontext(uc, fiber_main, 0);
  f->uctx = uc;
#endif
}
static void fiber_free(Fiber* f) {
  if (f->stack) munmap(f->stack, f->stack_size);
#ifndef __x86_64__
  delete static_cast<ucontext_t*>(f->uctx);
#endif
}

// Called by a kernel API function that must block: record what it waits on and yield to the scheduler.
static inline void yield_now(Fiber* f) {
#ifdef __x86_64__
  tt_emu_ctx_switch(&f->sp, t_sched_sp);
#else
  swapcontext(static_cast<ucontext_t*>(f->uctx), t_sched_uctx);
#endif
}
void tt_emu_yield(Fiber* f) { yield_now(f); }
static inline void resume(Fiber* f) {
  t_cur = f;
  g_progress[t_index].running.store(f, std::memory_order_relaxed);
#ifdef __x86_64__
  tt_emu_ctx_switch(&t_sched_sp, f->sp);
#else
  swapcontext(t_sched_uctx, static_cast<ucontext_t*>(f->uctx));
#endif
  t_cur = nullptr;
  g_progress[t_index].running.store(nullptr, std::memory_order_relaxed);  // idle is not a hang
}

static inline bool ready(const Fiber* f) {
  switch (f->wait) {
    case W_NONE: return true;
    case W_CB_RESERVE: { const CB& cb = f->core->cbs[f->wait_cb]; return int64_t(cb.free_pages()) >= f->wait_n; }
    case W_CB_WAIT: { const CB& cb = f->core->cbs[f->wait_cb]; return int64_t(cb.avail()) >= f->wait_n; }
    case W_SEM: {
      uint32_t v = f->wait_sem->load(std::memory_order_acquire);
      return f->wait_at_least ? v >= f->wait_val : v == f->wait_val;
    }
  }
  return true;
}

// ------------------------------------------------------------------ scheduler
static std::atomic<uint64_t> g_epoch{0};
static constexpr uint64_t REC_RUNNING = ~uint64_t(0), REC_DONE = ~uint64_t(0) - 1;
static std::vector<std::atomic<uint64_t>>* g_rec = nullptr;
static std::vector<Fiber*>* g_all = nullptr;
static std::atomic<uint64_t> g_switches{0};

static std::string core_str(const Core* c) { return "(" + std::to_string(c->x) + "," + std::to_string(c->y) + ")"; }

[[noreturn]] static void report_deadlock() {
  std::ostringstream text, js;
  text << "every unfinished kernel is blocked:";
  js << "{\"blocked\":[";
  bool first = true;
  int nblocked = 0;
  Fiber* first_f = nullptr;
  for (Fiber* f : *g_all) {
    if (f->done) continue;
    if (!first_f) first_f = f;
    ++nblocked;
    text << "\n  core " << core_str(f->core) << " kernel '" << f->kernel->name << "' (" << f->kernel->path << ":"
         << f->line << ") blocked in " << f->call;
    if (!first) js << ",";
    first = false;
    js << "{\"core\":[" << f->core->x << "," << f->core->y << "],\"kernel\":" << json_str(f->kernel->name)
       << ",\"source\":" << json_str(f->kernel->path) << ",\"line\":" << f->line << ",\"call\":" << json_str(f->call);
    if (f->wait == W_CB_RESERVE || f->wait == W_CB_WAIT) {
      const CB& cb = f->core->cbs[f->wait_cb];
      bool res = f->wait == W_CB_RESERVE;
      text << "(c_" << f->wait_cb << ", " << f->wait_n << "): " << (res ? cb.free_pages() : cb.avail()) << " of "
           << f->wait_n << " pages " << (res ? "free" : "available") << "; capacity " << cb.num_pages
           << " pages, " << cb.pushed << " pushed and " << cb.popped << " popped so far";
      js << ",\"requested\":" << f->wait_n << ",\"cb_state\":" << cb_state_json(cb, f->wait_cb);
    } else if (f->wait == W_SEM) {
      uint32_t v = f->wait_sem->load();
      text << "(semaphore at L1 0x" << std::hex << f->wait_sem_addr << std::dec << ", waiting for "
           << (f->wait_at_least ? ">= " : "== ") << f->wait_val << "): value is " << v;
      js << ",\"semaphore_addr\":" << f->wait_sem_addr << ",\"semaphore_value\":" << v
         << ",\"expected\":" << f->wait_val << ",\"at_least\":" << (f->wait_at_least ? "true" : "false");
    }
    js << "}";
  }
  js << "],\"finished\":[";
  first = true;
  for (Fiber* f : *g_all) {
    if (!f->done) continue;
    if (!first) js << ",";
    first = false;
    js << "{\"core\":[" << f->core->x << "," << f->core->y << "],\"kernel\":" << json_str(f->kernel->name) << "}";
  }
  js << "]}";
  fail_core(EX_DEADLOCK, "deadlock", first_f->core->x, first_f->core->y, first_f->kernel->name,
            text.str() + "\n  (" + std::to_string(nblocked) + " kernel(s) blocked)", js.str());
}

static void worker(int t, int nthreads, std::vector<Fiber*> mine) {
  t_index = t;
  std::vector<Fiber*> live = mine;
#ifndef __x86_64__
  ucontext_t sched_uc;
  t_sched_uctx = &sched_uc;
#endif
  uint64_t switches = 0;
  int idle_spins = 0;
  while (!live.empty()) {
    bool ran = false;
    for (size_t i = 0; i < live.size();) {
      Fiber* f = live[i];
      if (ready(f)) {
        if (!ran) { (*g_rec)[t].store(REC_RUNNING); ran = true; }
        resume(f);
        ++switches;
        if (f->done) { live[i] = live.back(); live.pop_back(); continue; }
      }
      ++i;
    }
    if (ran) { g_epoch.fetch_add(1); idle_spins = 0; continue; }
    // Nothing runnable here: publish the epoch we scanned at; deadlock when every thread agrees.
    uint64_t e = g_epoch.load();
    bool any = false;
    for (Fiber* f : live) if (ready(f)) { any = true; break; }
    if (any) continue;
    (*g_rec)[t].store(e);
    bool all = true, someone = false;
    for (int i = 0; i < nthreads; ++i) {
      uint64_t r = (*g_rec)[i].load();
      if (r == REC_DONE) continue;
      if (r != e) { all = false; break; }
      someone = true;
    }
    if (all && someone && g_epoch.load() == e) report_deadlock();
    if (++idle_spins < 64) sched_yield(); else std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  (*g_rec)[t].store(REC_DONE);
  g_progress[t].running.store(nullptr);
  g_switches.fetch_add(switches);
}

static int num_threads() {
  const char* e = std::getenv("TT_EMU_THREADS");
  if (e && *e) return std::max(1, std::atoi(e));
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : int(std::min(n, 8u));
}

// crash context for signals raised inside kernels
static void on_fatal_signal(int sig) {
  Fiber* f = t_cur;
  char buf[512];
  int n;
  if (f && f->kernel)
    n = snprintf(buf, sizeof buf, "tt-emu: signal %d in kernel '%s' on core (%d,%d), last API call %s at %s:%u\n", sig,
                 f->kernel->name.c_str(), f->core->x, f->core->y, f->call, f->kernel->path.c_str(), f->line);
  else
    n = snprintf(buf, sizeof buf, "tt-emu: signal %d outside kernels\n", sig);
  if (n > 0) { ssize_t w = write(2, buf, size_t(std::min(n, int(sizeof buf)))); (void)w; }
  signal(sig, SIG_DFL);
  raise(sig);
}
static void install_signal_handlers() {
  static bool done = false;
  if (done) return;
  done = true;
  struct sigaction sa{};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGSEGV, &sa, nullptr);
  sigaction(SIGBUS, &sa, nullptr);
  sigaction(SIGFPE, &sa, nullptr);
  sigaction(SIGILL, &sa, nullptr);
}
static void thread_altstack() {
  static thread_local std::vector<char> alt(64 * 1024);
  stack_t ss{};
  ss.ss_sp = alt.data();
  ss.ss_size = alt.size();
  sigaltstack(&ss, nullptr);
}

void run_fibers(std::vector<Fiber*>& fibers) {
  install_signal_handlers();
  int nt = std::max(1, std::min<int>({num_threads(), int(fibers.size()), MAX_THREADS}));
  // Cores never split across threads: a core's CBs are touched only by its own thread.
  std::map<Core*, int> core_thread;
  std::vector<std::vector<Fiber*>> per(nt);
  int next = 0;
  for (Fiber* f : fibers) {
    auto it = core_thread.find(f->core);
    int t = it == core_thread.end() ? (core_thread[f->core] = next++ % nt) : it->second;
    f->thread = t;
    per[t].push_back(f);
  }
  std::vector<std::atomic<uint64_t>> rec(nt);
  for (auto& r : rec) r.store(REC_RUNNING);
  g_rec = &rec;
  g_all = &fibers;
  std::vector<std::thread> threads;
  for (int t = 1; t < nt; ++t)
    threads.emplace_back([t, nt, &per] { thread_altstack(); worker(t, nt, per[t]); });
  // Hang watchdog: a kernel that runs for TT_EMU_HANG_SECONDS without calling the device API never yields
  // (an infinite loop, or a spin on a raw L1 read); name it instead of waiting for the caller's time limit.
  double hang_s = 10.0;
  if (const char* e = std::getenv("TT_EMU_HANG_SECONDS"); e && *e) hang_s = std::atof(e);
  std::mutex wd_mu;
  std::condition_variable wd_cv;
  bool stop = false;  // guarded by wd_mu; the watchdog wakes at once when the run ends
  std::thread watchdog([&] {
    std::vector<uint64_t> last(nt, ~0ull);
    std::vector<Fiber*> last_f(nt, nullptr);
    std::vector<double> still(nt, 0.0);
    const double tick = 0.25;
    if (hang_s <= 0) return;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(wd_mu);
        if (wd_cv.wait_for(lk, std::chrono::duration<double>(tick), [&] { return stop; })) return;
      }
      for (int t = 0; t < nt; ++t) {
        uint64_t c = g_progress[t].api_calls.load(std::memory_order_relaxed);
        Fiber* f = g_progress[t].running.load(std::memory_order_relaxed);
        if (f && c == last[t] && f == last_f[t]) still[t] += tick; else still[t] = 0;
        last[t] = c;
        last_f[t] = f;
        if (f && hang_s > 0 && still[t] >= hang_s) {
          char b[600];
          snprintf(b, sizeof b, "kernel '%s' on core (%d,%d) has run for %.1f s without calling the device API "
                   "(last call %s at %s:%u): an infinite loop, or a spin on a raw L1/semaphore read (use "
                   "noc_semaphore_wait; the emulator's scheduler is cooperative)", f->kernel->name.c_str(),
                   f->core->x, f->core->y, still[t], f->call, f->kernel->path.c_str(), f->line);
          fail_core(EX_DEADLOCK, "hang", f->core->x, f->core->y, f->kernel->name, b,
                    "{\"seconds_without_api_call\":" + std::to_string(still[t]) + ",\"last_call\":" +
                        json_str(f->call) + ",\"line\":" + std::to_string(f->line) + "}");
        }
      }
    }
  });
  thread_altstack();
  worker(0, nt, per[0]);
  for (auto& th : threads) th.join();
  {
    std::lock_guard<std::mutex> lk(wd_mu);
    stop = true;
  }
  wd_cv.notify_all();
  watchdog.join();
  g_rec = nullptr;
  g_all = nullptr;
}

// ------------------------------------------------------------------ program launch
struct ComputeState;
ComputeState* new_compute_state(const KernelDef& k);
void free_compute_state(ComputeState* cs);

void run_program(tt::tt_metal::ProgramImpl& p) {
  const Model& m = model();
  DeviceState* dev = device();
  // finish kernel builds (started at CreateKernel)
  for (auto& k : p.kernels) jit_finish(*k);
  // create every core up front: kernels may address any core over the NOC from any thread
  for (int y = 0; y < m.gy; ++y) for (int x = 0; x < m.gx; ++x) dev->core(x, y);
  // reset core state for this program
  std::set<std::pair<int, int>> used;
  for (auto& k : p.kernels) for (auto& c : k->cores) used.insert({int(c.x), int(c.y)});
  for (auto& cb : p.cbs) for (auto& c : cb.cores) used.insert({int(c.x), int(c.y)});
  for (auto& [x, y] : used) {
    Core* c = dev->core(x, y);
    for (auto& cb : c->cbs) cb = CB{};
    c->regions.clear();
  }
  for (auto& cbd : p.cbs) {
    for (auto& cc : cbd.cores) {
      Core* c = dev->core(int(cc.x), int(cc.y));
      std::string names;
      for (auto& [idx, fmt] : cbd.cfg.data_formats()) {
        CB& cb = c->cbs[idx];
        auto ps = cbd.cfg.page_sizes().find(idx);
        cb.configured = true;
        cb.base = cbd.addr;
        cb.fmt = fmt;
        cb.page_size = ps == cbd.cfg.page_sizes().end() ? tt::tile_size(fmt) : ps->second;
        cb.num_pages = cbd.cfg.total_size() / cb.page_size;
        names += (names.empty() ? "c_" : ",c_") + std::to_string(idx);
      }
      c->regions.push_back({cbd.addr, cbd.addr + cbd.cfg.total_size(), "CB " + names});
    }
  }
  for (auto& s : p.sems)
    for (auto& cc : s.cores) {
      Core* c = dev->core(int(cc.x), int(cc.y));
      uint32_t a = SEM_BASE + s.id * SEM_STRIDE;
      std::memcpy(c->l1 + a, &s.init, 4);
      c->regions.push_back({a, a + 4, "semaphore " + std::to_string(s.id)});
    }
  // one fiber per (kernel, core)
  std::vector<Fiber*> fibers;
  std::map<std::tuple<int, int, int>, std::string> slot;
  static const std::vector<uint32_t> empty;
  for (auto& k : p.kernels) {
    for (auto& cc : k->cores) {
      if (int(cc.x) >= m.gx || int(cc.y) >= m.gy)
        fail_core(EX_API, "api_misuse", int(cc.x), int(cc.y), k->name,
                  "kernel placed on core (" + std::to_string(cc.x) + "," + std::to_string(cc.y) + ") outside the " +
                      std::to_string(m.gx) + "x" + std::to_string(m.gy) + " compute grid of " + m.name);
      auto key = std::make_tuple(int(cc.x), int(cc.y), k->processor);
      if (slot.count(key))
        fail_core(EX_API, "api_misuse", int(cc.x), int(cc.y), k->name,
                  "kernels '" + slot[key] + "' and '" + k->name + "' both run on " +
                      (k->compute ? std::string("the compute processor") : "RISCV_" + std::to_string(k->processor)) +
                      " of this core (one kernel per processor per core)");
      slot[key] = k->name;
      auto* f = new Fiber;
      f->core = dev->core(int(cc.x), int(cc.y));
      f->kernel = k.get();
      f->entry = jit_entry_for_core(*k, int(cc.x), int(cc.y));
      auto it = k->rt_args.find({int(cc.x), int(cc.y)});
      f->args = it == k->rt_args.end() ? &empty : &it->second;
      f->common_args = &k->common_args;
      f->is_compute = k->compute;
      if (k->compute) f->cs = new_compute_state(*k);
      fiber_init(f);
      fibers.push_back(f);
    }
  }
  auto t0 = std::chrono::steady_clock::now();
  run_fibers(fibers);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  static uint64_t total_instances = 0, programs = 0;
  static double total_secs = 0;
  total_instances += fibers.size();
  total_secs += secs;
  ++programs;
  // On success the report holds run statistics (a failure report replaces it).
  if (const char* rp = std::getenv("TT_EMU_REPORT"); rp && *rp) {
    std::string tmp = std::string(rp) + ".tmp";
    if (FILE* fp = fopen(tmp.c_str(), "w")) {
      fprintf(fp, "{\"kind\":\"ok\",\"model\":%s,\"api_era\":%d,\"programs\":%llu,\"kernel_instances\":%llu,"
              "\"run_seconds\":%.6f,\"resumes\":%llu,\"threads\":%d}\n", json_str(m.name).c_str(), api_era(),
              (unsigned long long)programs, (unsigned long long)total_instances, total_secs,
              (unsigned long long)g_switches.load(), num_threads());
      fclose(fp);
      rename(tmp.c_str(), rp);
    }
  }
  if (std::getenv("TT_EMU_VERBOSE"))
    fprintf(stderr, "tt-emu: ran %zu kernel instances in %.3f s (%llu resumes)\n", fibers.size(), secs,
            (unsigned long long)g_switches.load());
  for (Fiber* f : fibers) {
    if (f->cs) free_compute_state(f->cs);
    fiber_free(f);
    delete f;
  }
}

}  // namespace emu
