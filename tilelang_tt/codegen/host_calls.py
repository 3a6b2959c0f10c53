"""The TT-Metalium host API calls the generated host program makes, in one place.

Forms of the released TT-Metalium 0.81.1 (docs/metalium-api-0.81.md, "Host"): MeshCommandQueue's member
functions for buffer transfers, workloads and finish (virtual in the release, so a host program needs no
exported symbol for them); the distributed:: free-function templates are thin wrappers being phased out.
Every emitted tt_metal call that links against libtt_metal.so is checked against the release's exported
symbols by tests/unit/realapi/test_host_symbols.py. `{placeholders}` are C++ expressions.
"""

# device and queue
CREATE_UNIT_MESH = "distributed::MeshDevice::create_unit_mesh({device_id})"
MESH_COMMAND_QUEUE = "{device}->mesh_command_queue()"
CLOSE_DEVICE = "{device}->close()"
# DRAM-interleaved buffer: MeshBuffer::create(ReplicatedBufferConfig, DeviceLocalBufferConfig, MeshDevice*)
LOCAL_BUFFER_CONFIG = "distributed::DeviceLocalBufferConfig{{.page_size = {page_bytes}, .buffer_type = BufferType::DRAM}}"
REPLICATED_BUFFER_CONFIG = "distributed::ReplicatedBufferConfig{{.size = {size_bytes}}}"
CREATE_MESH_BUFFER = "distributed::MeshBuffer::create({global_config}, {local_config}, {device})"
# transfers: the host vector holds exactly the buffer's bytes
WRITE_BUFFER = "{cq}.enqueue_write_mesh_buffer({buffer}, {host_vector}.data(), /*blocking=*/false)"
READ_BUFFER = "{cq}.enqueue_read_mesh_buffer({host_vector}.data(), {buffer}, /*blocking=*/true)"
# launching
ADD_PROGRAM = "{workload}.add_program({device_range}, std::move({program}))"
ENQUEUE_WORKLOAD = "{cq}.enqueue_mesh_workload({workload}, /*blocking=*/false)"
FINISH = "{cq}.finish()"
