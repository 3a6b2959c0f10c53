"""tt.VerifyInput coverage checks (passes/coverage.py): kernels whose grid and loops do not tile their
tensors are rejected with a message naming the kernel, the tensor, the uncovered range, the statement
and the fix; kernels that tile exactly (K loops of 1 and many, 1-D and 2-D grids, split-K) pass."""
import pytest
import tvm

from pass_kernels import make, matmul, unary
from tilelang_tt import samples
from tilelang_tt.errors import TTCompileError
from tilelang_tt.analysis import coverage
from tilelang_tt.passes import lower_to_tt, verify_kernel


def _reject(func, *fragments):
    with pytest.raises(TTCompileError) as e:
        verify_kernel(func)
    msg = str(e.value)
    for frag in fragments:
        assert frag in msg, f"{frag!r} not in:\n{msg}"
    return msg


def _mm(M, N, K, loop, a_k="k * 32", b_k="k * 32", bm=64, bn=64, bk=32, gx=None, gy=None):
    """A matmul with a hand-written K loop / K starts / grid, for the error cases."""
    gx = N // bn if gx is None else gx
    gy = M // bm if gy is None else gy
    return make(f'''
        bx = T.launch_thread("blockIdx.x", {gx})
        by = T.launch_thread("blockIdx.y", {gy})
        A_s = T.alloc_buffer(({bm}, {bk}), "bfloat16", scope="shared")
        B_s = T.alloc_buffer(({bk}, {bn}), "bfloat16", scope="shared")
        C_l = T.alloc_buffer(({bm}, {bn}), "float32", scope="local")
        T.tile.fill(C_l, T.float32(0))
        for k in range({loop}):
            T.tile.copy(A_s, A[by * {bm}:by * {bm} + {bm}, {a_k}:{a_k} + {bk}])
            T.tile.copy(B_s, B[{b_k}:{b_k} + {bk}, bx * {bn}:bx * {bn} + {bn}])
            T.tile.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        T.tile.copy(C[by * {bm}:by * {bm} + {bm}, bx * {bn}:bx * {bn} + {bn}], C_l)
    ''', f'A: T.Buffer(({M}, {K}), "bfloat16"), B: T.Buffer(({K}, {N}), "bfloat16"), '
         f'C: T.Buffer(({M}, {N}), "bfloat16")', name="mm")


# ---------------------------------------------------------------------------------------------------
# reduction (K) coverage

def test_k_not_multiple_of_block_k_drops_the_tail():
    # the TileLang 2381 shape: K=224, block_k=64, K // 64 = 3 iterations read K 0..191 only
    msg = _reject(_mm(128, 128, 224, loop=3, a_k="k * 64", b_k="k * 64", bk=64),
                  "kernel 'mm'", "reduces over only part of K", "block (bx=0, by=0) (and 3 other blocks)",
                  "`for k in range(3)`", "covers K 0..191 of A", "but K is 0..223", "A[:, 192:224]",
                  "offending statement:", "T.tile.copy(A_s[0:64, 0:64], A[by * 64:by * 64 + 64, k * 64:",
                  "K=224 is not a multiple of the K block 64", "loop ceil(224/64) = 4 times",
                  "`for k in range(4)`", "pads it with zeros", "(32 or 224)")
    assert "C silently misses those terms" in msg


def test_k_loop_too_short():
    _reject(_mm(64, 64, 128, loop=3), "covers K 0..95 of A", "A[:, 96:128]",
            "`for k in range(4)`", "loop over all 4 K blocks of 32")


def test_k_of_b_not_covered():
    # A walks K, B always loads its first 32 rows
    _reject(_mm(64, 64, 128, loop=4, b_k="0"), "covers K 0..31 of B (gemm operand B, rows)",
            "B[32:128, :]", "no loop over K", "T.tile.copy(B_s")


def test_k_start_skips_a_gap():
    _reject(_mm(64, 64, 128, loop=2, a_k="k * 64", b_k="k * 64"), "covers K 0..31, 64..95 of A",
            "A[:, 32:64], A[:, 96:128]")


def test_k_not_covered_1d_grid():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 64), "float32", scope="local")
        T.tile.fill(C_l, T.float32(0))
        for k in range(1):
            T.tile.copy(A_s, A[0:32, k * 64:k * 64 + 64])
            T.tile.copy(B_s, B[k * 64:k * 64 + 64, bx * 64:bx * 64 + 64])
            T.tile.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
    ''', 'A: T.Buffer((32, 96), "bfloat16"), B: T.Buffer((96, 128), "bfloat16"), '
        'C: T.Buffer((32, 128), "bfloat16")', name="row")
    _reject(f, "kernel 'row'", "block (bx=0) (and 1 other block)", "covers K 0..63 of A", "A[:, 64:96]",
            "K=96 is not a multiple of the K block 64", "(32 or 96)")


def test_k_coverage_through_lower_to_tt():
    with pytest.raises(TTCompileError, match="reduces over only part of K"):
        lower_to_tt(_mm(64, 64, 96, loop=1, a_k="k * 64", b_k="k * 64", bk=64))


# ---------------------------------------------------------------------------------------------------
# output coverage

def test_output_rows_not_covered_2d_grid():
    # M=96 with block_m=64 and a floor grid: M // 64 = 1 block row, rows 64..95 of C are never written
    _reject(_mm(96, 128, 128, loop=4, gy=1), "kernel 'mm'", "output C (96x128) is not fully written",
            "rows 64..95 (all columns)", "T.tile.copy(C[by * 64:by * 64 + 64, bx * 64:bx * 64 + 64]",
            "the grid has 1 block along blockIdx.y (by) of 64 rows = 64 rows, but C has 96 rows",
            "launch ceil(96/64) = 2 blocks along blockIdx.y", "the device pads C to 128 rows",
            "use a block size that divides 96 (32 or 96)")


def test_output_cols_not_covered_1d_grid():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 1)
        A_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((64, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:64, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:64, bx * 64:bx * 64 + 64], C_l)
    ''', name="half")
    _reject(f, "kernel 'half'", "output C (64x128)", "columns 64..127 (all rows)",
            "1 block along blockIdx.x (bx) of 64 columns = 64 columns, but C has 128 columns",
            "launch 128 // 64 = 2 blocks along blockIdx.x")


def test_output_rows_and_cols_not_covered():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        by = T.launch_thread("blockIdx.y", 1)
        A_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((64, 64), "bfloat16", scope="local")
        T.tile.copy(A_s, A[by * 64:by * 64 + 64, bx * 64:bx * 64 + 64])
        T.tile.copy(B_s, B[by * 64:by * 64 + 64, bx * 64:bx * 64 + 64])
        T.tile.add(C_l, A_s, B_s)
        T.tile.copy(C[by * 64:by * 64 + 64, bx * 64:bx * 64 + 64], C_l)
    ''', 'A: T.Buffer((96, 160), "bfloat16"), B: T.Buffer((96, 160), "bfloat16"), '
        'C: T.Buffer((96, 160), "bfloat16")', name="floor_grid")
    msg = _reject(f, "rows 64..95 (all columns)", "columns 128..159 (all rows)")
    assert "C has 96 rows" in msg and "C has 160 columns" in msg


# out-of-bounds regions

def test_grid_rounded_up_reads_out_of_bounds():
    # the "ceil" grid, checked without tt.AnnotateLayouts: block row 1 reads rows 64..127 of a 96-row A
    _reject(_mm(96, 64, 64, loop=2, gy=2), "block (bx=0, by=1) reads A[64:128, 0:32]",
            "but A has 96 rows", "rows 96..127 are outside 0..95", "blockIdx.y (by) = 0..1",
            "launch ceil(96/64) = 2 blocks", "the device pads A to 128 rows", "(32 or 96)")


def test_ceil_grid_is_padded_by_the_pipeline():
    # through tt.AnnotateLayouts the same kernel is a ragged matmul: A and C padded to 128 rows
    from tilelang_tt.passes import annotate_layouts
    f = annotate_layouts(_mm(96, 64, 64, loop=2, gy=2))
    assert {k: list(v) for k, v in f.attrs["tt.padded_shapes"].items()} == {"A": [128, 64], "C": [128, 64]}
    verify_kernel(f)
    lower_to_tt(_mm(96, 64, 64, loop=2, gy=2))


def test_overshooting_by_a_whole_block_is_not_padding():
    # 3 block rows of 64 over 96 rows: the last block starts past the end, a real indexing mistake
    with pytest.raises(TTCompileError, match=r"(?s)reads A\[64:128, 0:32\], but A has 96 rows.*"
                                             r"blockIdx.y \(by\) = 0..2.*launch ceil\(96/64\) = 2 blocks"):
        lower_to_tt(_mm(96, 64, 64, loop=2, gy=3))


def test_write_out_of_bounds():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((64, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:64, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:64, bx * 64 + 32:bx * 64 + 96], C_l)
    ''')
    _reject(f, "block (bx=1) writes C[0:64, 96:160]", "columns 128..159 are outside 0..127",
            "blockIdx.x (bx) = 0..1", "use 128 // 64 = 2 blocks of 64 columns")


# ---------------------------------------------------------------------------------------------------
# valid kernels pass

SPLIT_K = make('''
    bx = T.launch_thread("blockIdx.x", 2)
    by = T.launch_thread("blockIdx.y", 2)
    A_s = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
    B_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    C_l = T.alloc_buffer((64, 64), "float32", scope="local")
    T.tile.fill(C_l, T.float32(0))
    for k in range(2):
        T.tile.copy(A_s, A[by * 64:by * 64 + 64, bx * 64 + k * 32:bx * 64 + k * 32 + 32])
        T.tile.copy(B_s, B[bx * 64 + k * 32:bx * 64 + k * 32 + 32, 0:64])
        T.tile.gemm(C_l, A_s, B_s, C_l, beta=1.0)
    T.tile.copy(P[bx * 128 + by * 64:bx * 128 + by * 64 + 64, 0:64], C_l)
''', 'A: T.Buffer((128, 128), "bfloat16"), B: T.Buffer((128, 64), "bfloat16"), '
     'P: T.Buffer((256, 64), "bfloat16")', name="split_k")

TWO_GEMMS_PER_STEP = make('''
    bx = T.launch_thread("blockIdx.x", 1)
    A0 = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
    A1 = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
    B0 = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    B1 = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    C_l = T.alloc_buffer((64, 64), "float32", scope="local")
    T.tile.fill(C_l, T.float32(0))
    for k in range(2):
        T.tile.copy(A0, A[0:64, k * 64:k * 64 + 32])
        T.tile.copy(A1, A[0:64, k * 64 + 32:k * 64 + 64])
        T.tile.copy(B0, B[k * 64:k * 64 + 32, 0:64])
        T.tile.copy(B1, B[k * 64 + 32:k * 64 + 64, 0:64])
        T.tile.gemm(C_l, A0, B0, C_l, beta=1.0)
        T.tile.gemm(C_l, A1, B1, C_l, beta=1.0)
    T.tile.copy(C[0:64, 0:64], C_l)
''', 'A: T.Buffer((64, 128), "bfloat16"), B: T.Buffer((128, 64), "bfloat16"), '
     'C: T.Buffer((64, 64), "bfloat16")', name="two_gemms")

NESTED_K = make('''
    bx = T.launch_thread("blockIdx.x", 2)
    A_s = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
    B_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    C_l = T.alloc_buffer((64, 64), "float32", scope="local")
    T.tile.fill(C_l, T.float32(0))
    for k0 in range(2):
        for k1 in range(2):
            T.tile.copy(A_s, A[0:64, (k0 * 2 + k1) * 32:(k0 * 2 + k1) * 32 + 32])
            T.tile.copy(B_s, B[(k0 * 2 + k1) * 32:(k0 * 2 + k1) * 32 + 32, bx * 64:bx * 64 + 64])
            T.tile.gemm(C_l, A_s, B_s, C_l, beta=1.0)
    T.tile.copy(C[0:64, bx * 64:bx * 64 + 64], C_l)
''', 'A: T.Buffer((64, 128), "bfloat16"), B: T.Buffer((128, 128), "bfloat16"), '
     'C: T.Buffer((64, 128), "bfloat16")', name="nested_k")

# C is read too (uploaded before the launch): updating only its first rows in place is well defined
IN_PLACE_PARTIAL = make('''
    bx = T.launch_thread("blockIdx.x", 2)
    C_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    C_l = T.alloc_buffer((32, 64), "float32", scope="local")
    T.tile.copy(C_s, C[0:32, bx * 64:bx * 64 + 64])
    T.tile.exp(C_l, C_s)
    T.tile.copy(C[0:32, bx * 64:bx * 64 + 64], C_l)
''', 'C: T.Buffer((64, 128), "bfloat16")', name="in_place")

# a lone beta=0 gemm computes exactly the product written, even of a K slice: not an accumulation
LONE_GEMM_ON_K_SLICE = make('''
    bx = T.launch_thread("blockIdx.x", 1)
    A_s = T.alloc_buffer((64, 32), "bfloat16", scope="shared")
    B_s = T.alloc_buffer((32, 64), "bfloat16", scope="shared")
    C_l = T.alloc_buffer((64, 64), "float32", scope="local")
    T.tile.copy(A_s, A[0:64, 0:32])
    T.tile.copy(B_s, B[0:32, 0:64])
    T.tile.gemm(C_l, A_s, B_s, C_l)
    T.tile.copy(C[0:64, 0:64], C_l)
''', 'A: T.Buffer((64, 64), "bfloat16"), B: T.Buffer((64, 64), "bfloat16"), '
     'C: T.Buffer((64, 64), "bfloat16")', name="lone_gemm")


@pytest.mark.parametrize("func", [
    samples.matmul(64, 64, 32),                     # K loop of 1
    samples.matmul(256, 192, 1024),                 # K loop of 32, 2-D grid 3 x 4
    samples.matmul(96, 96, 224, 32, 32, 32),        # non-power-of-two shapes with a dividing block
    samples.matmul(64, 128, 224, 64, 128, 224),     # one K step of the whole K
    samples.matmul_bias_relu(128, 128, 64),
    samples.eltwise("mul", 96, 160, block_m=32, block_n=32),
    samples.unary_chain(64, 128),
    unary("exp", shape=(32, 128), grid=(1, 4)),     # 1-D in effect along y
    unary("exp", shape=(64, 32), grid=(4, 1)),      # 1-D in effect along x
    matmul(128, 64, 96, bm=32, bn=64, bk=32),
    SPLIT_K, TWO_GEMMS_PER_STEP, NESTED_K, IN_PLACE_PARTIAL, LONE_GEMM_ON_K_SLICE,
], ids=lambda f: str(f.attrs["global_symbol"]) if f.attrs and "global_symbol" in f.attrs else None)
def test_valid_kernels_pass(func):
    verify_kernel(func)


def test_1d_grids_pass():
    for src in ('''
        bx = T.launch_thread("blockIdx.x", 2)
        A_s = T.alloc_buffer((64, 64), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((64, 64), "float32", scope="local")
        T.tile.copy(A_s, A[0:64, bx * 64:bx * 64 + 64])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[0:64, bx * 64:bx * 64 + 64], C_l)
    ''', '''
        by = T.launch_thread("blockIdx.y", 2)
        A_s = T.alloc_buffer((32, 128), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 128), "float32", scope="local")
        T.tile.copy(A_s, A[by * 32:by * 32 + 32, 0:128])
        T.tile.exp(C_l, A_s)
        T.tile.copy(C[by * 32:by * 32 + 32, 0:128], C_l)
    '''):
        verify_kernel(make(src))


def test_large_kernel_is_checked_fast():
    import time
    t = time.perf_counter()
    verify_kernel(samples.matmul(4096, 4096, 4096, 32, 32, 32))    # 16K blocks, 128 K steps
    assert time.perf_counter() - t < 5.0
    _reject(_mm(4096, 4096, 4064, loop=4064 // 64, a_k="k * 64", b_k="k * 64", bm=32, bn=32, bk=64),
            "K=4064 is not a multiple of the K block 64")


def test_astronomical_enumeration_is_skipped(monkeypatch):
    # past the caps the kernel is accepted unchecked (documented in coverage.py), never a hang
    monkeypatch.setattr(coverage, "MAX_OP_STEPS", 2)
    verify_kernel(samples.matmul(128, 128, 224, block_k=64))


def _reads_c(region):
    """C = A @ X + ... where the epilogue reads C at `region` (C's own block, or another block's)."""
    return make(f'''
        bx = T.launch_thread("blockIdx.x", 2)
        by = T.launch_thread("blockIdx.y", 2)
        A_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        X_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 32), "float32", scope="local")
        T.tile.fill(C_l, T.float32(0))
        for k in range(2):
            T.tile.copy(A_s, A[by * 32:by * 32 + 32, k * 32:k * 32 + 32])
            T.tile.copy(B_s, B[k * 32:k * 32 + 32, bx * 32:bx * 32 + 32])
            T.tile.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        T.tile.copy(X_s, C[{region}])
        T.tile.add(C_l, C_l, X_s)
        T.tile.copy(C[by * 32:by * 32 + 32, bx * 32:bx * 32 + 32], C_l)
    ''', 'A: T.Buffer((64, 64), "bfloat16"), B: T.Buffer((64, 64), "bfloat16"), C: T.Buffer((64, 64), "bfloat16")',
        name="res")


def test_a_block_reading_the_tiles_it_overwrites_passes():
    verify_kernel(_reads_c("by * 32:by * 32 + 32, bx * 32:bx * 32 + 32"))      # C = A @ B + C


def test_a_block_reading_tiles_another_block_writes_is_a_race():
    # the neighbour's block (bx ^ 1): written by another core at the same time
    _reject(_reads_c("by * 32:by * 32 + 32, (1 - bx) * 32:(1 - bx) * 32 + 32"),
            "kernel 'res': block (bx=0, by=0) reads C[0:32, 32:64], which block (bx=1, by=0) writes",
            "depends on timing", "fix: write the result to a tensor the kernel does not read")


def test_a_matmul_reading_its_output_as_an_operand_is_a_race():
    f = make('''
        bx = T.launch_thread("blockIdx.x", 2)
        by = T.launch_thread("blockIdx.y", 2)
        A_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        B_s = T.alloc_buffer((32, 32), "bfloat16", scope="shared")
        C_l = T.alloc_buffer((32, 32), "float32", scope="local")
        T.tile.fill(C_l, T.float32(0))
        for k in range(2):
            T.tile.copy(A_s, A[by * 32:by * 32 + 32, k * 32:k * 32 + 32])
            T.tile.copy(B_s, C[k * 32:k * 32 + 32, bx * 32:bx * 32 + 32])
            T.tile.gemm(C_l, A_s, B_s, C_l, beta=1.0)
        T.tile.copy(C[by * 32:by * 32 + 32, bx * 32:bx * 32 + 32], C_l)
    ''', 'A: T.Buffer((64, 64), "bfloat16"), C: T.Buffer((64, 64), "bfloat16")', name="amc")
    _reject(f, "kernel 'amc': block (bx=0, by=1) reads C[0:32, 0:32], which block (bx=0, by=0) writes")
