"""The tt_metal symbols a generated host program references, compiled against the emulator SDK, are all
exported by the released libtt_metal.so 0.81.1 with identical mangled names; a drifted declaration is
caught."""
import pytest

from corpus import CHIPS, REPRESENTATIVE, SAMPLES, golden_programs, sample_program

HOST_PROGRAMS = {**{k: v["main.cpp"] for k, v in golden_programs().items()}}


@pytest.fixture(scope="session")
def host_check(real_checker):
    from tilelang_tt.realapi import host_symbols
    return host_symbols


@pytest.mark.parametrize("program", sorted(HOST_PROGRAMS))
def test_golden_host_program_links_against_the_release(host_check, program):
    result = host_check.check(HOST_PROGRAMS[program])
    assert result.ok, result.report()
    names = " ".join(host_check.demangle(s) for s in result.referenced)
    # the calls that must resolve in libtt_metal.so, by their release signatures
    for needed in ("tt::tt_metal::CreateKernel(tt::tt_metal::Program&", "std::variant<tt::tt_metal::DataMovementConfig, "
                   "tt::tt_metal::ComputeConfig> const&)", "MeshDevice::create_unit_mesh(int, unsigned long",
                   "MeshDevice::mesh_command_queue(std::optional<unsigned char>) const",
                   "MeshBuffer::create(std::variant<tt::tt_metal::distributed::ReplicatedBufferConfig, "
                   "tt::tt_metal::distributed::ShardedBufferConfig> const&", " tilize_nfaces<",
                   "untilize_nfaces<", "tt::tt_metal::CoreRange::CoreRange(tt::xy_pair const&",
                   "TensorAccessorArgs::TensorAccessorArgs(tt::tt_metal::distributed::MeshBuffer const&, "
                   "Flags<tensor_accessor::ArgConfig>)"):
        assert needed in names, needed


# The host program's API calls do not depend on the chip (only its core table does): one chip is enough.
# A host program compiles for seconds: the default tier checks one per construct family (corpus.py).
@pytest.mark.parametrize("names", [REPRESENTATIVE, pytest.param(tuple(n for n in SAMPLES if n not in REPRESENTATIVE),
                                                                marks=pytest.mark.slow)],
                         ids=["representative", "rest"])
def test_sample_host_programs_link_against_the_release(host_check, names):
    from concurrent.futures import ThreadPoolExecutor
    programs = {name: sample_program(name, CHIPS[0])["main.cpp"] for name in names}
    with ThreadPoolExecutor(max_workers=2) as ex:
        results = dict(zip(programs, ex.map(host_check.check, programs.values())))
    bad = {name: r.report() for name, r in results.items() if not r.ok}
    assert not bad, bad


# Declarations as they were before the release changed them (the emulator's own, before this check).
DRIFT = {
    "CreateKernel with an EthernetConfig in the config variant": """
namespace tt::tt_metal {
KernelHandle CreateKernel(Program&, const std::string&, const std::variant<CoreCoord, CoreRange, CoreRangeSet>&,
                          const std::variant<DataMovementConfig, ComputeConfig, EthernetConfig>&);
}
void drift_probe(tt::tt_metal::Program& p) {
    tt::tt_metal::CreateKernel(p, "k.cpp", CoreCoord{0, 0},
        std::variant<tt::tt_metal::DataMovementConfig, tt::tt_metal::ComputeConfig, tt::tt_metal::EthernetConfig>{
            tt::tt_metal::DataMovementConfig{}});
}
""",
    "Finish without the sub-device span": """
namespace tt::tt_metal::distributed { void Finish(MeshCommandQueue& cq); }
void drift_probe(tt::tt_metal::distributed::MeshCommandQueue& cq) {
    static_cast<void (*)(tt::tt_metal::distributed::MeshCommandQueue&)>(&tt::tt_metal::distributed::Finish)(cq);
}
""",
    "a global coordinate struct instead of tt::xy_pair": """
struct legacy_xy_pair { std::size_t x, y; };
namespace tt::tt_metal { CoreRangeSet num_cores_to_corerangeset(uint32_t, const legacy_xy_pair, bool); }
void drift_probe() { (void)tt::tt_metal::num_cores_to_corerangeset(1u, legacy_xy_pair{1, 1}, true); }
""",
}


@pytest.mark.parametrize("what", sorted(DRIFT))
def test_a_drifted_declaration_fails_the_check(host_check, what):
    src = HOST_PROGRAMS["golden/matmul"] + DRIFT[what]
    result = host_check.check(src)
    assert not result.ok and len(result.missing) == 1, result.report()
