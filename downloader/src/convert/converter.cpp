// convert_checkpoint: plan, write the GGUF under a temporary name, validate it, rename it.
#include "tern/downloader/converter.h"

#include "hf_config.h"
#include "parallel.h"
#include "tensor_encoder.h"
#include "tensor_plan.h"
#include "tokenizer_metadata.h"

#include "tern/engine/gguf.h"
#include "tern/engine/safetensors.h"

#include <cmath>
#include <cstring>

namespace tern::downloader {

namespace {

using engine::Error;
using engine::GgufFile;
using engine::GgufWriter;
using namespace convert;

// Removes a file on scope exit unless released: no half-written output survives an error.
class TemporaryFile {
public:
    explicit TemporaryFile(std::filesystem::path path) : path_(std::move(path)) {}
    ~TemporaryFile() {
        if (!path_.empty()) {
            std::error_code ec;
            std::filesystem::remove(path_, ec);
        }
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    const std::filesystem::path& path() const { return path_; }
    void release() { path_.clear(); }

private:
    std::filesystem::path path_;
};

void write_model_metadata(GgufWriter& writer, const HfModelConfig& c) {
    const std::string& a = c.architecture;
    const auto u32 = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
    writer.set_string("general.architecture", a);
    writer.set_string("general.name", c.name);
    writer.set_u32("general.quantization_version", 2);
    writer.set_u32(a + ".vocab_size", u32(c.vocab_size));
    writer.set_u32(a + ".context_length", u32(c.context_length));
    writer.set_u32(a + ".embedding_length", u32(c.hidden_size));
    writer.set_u32(a + ".block_count", u32(c.layers));
    // The true width even when ffn_down's rows are padded to the block size (see converter.h).
    writer.set_u32(a + ".feed_forward_length", u32(c.intermediate_size));
    writer.set_u32(a + ".rope.dimension_count", u32(c.head_dim));
    writer.set_u32(a + ".attention.head_count", u32(c.heads));
    writer.set_u32(a + ".attention.head_count_kv", u32(c.kv_heads));
    if (c.head_dim * c.heads != c.hidden_size) {
        writer.set_u32(a + ".attention.key_length", u32(c.head_dim));
        writer.set_u32(a + ".attention.value_length", u32(c.head_dim));
    }
    writer.set_f32(a + ".attention.layer_norm_rms_epsilon", c.rms_norm_eps);
    writer.set_f32(a + ".rope.freq_base", c.rope_theta);
}

std::vector<std::uint64_t> gguf_shape(const PlannedTensor& t) {
    if (t.role == TensorRole::Norm) return {t.cols};
    return {t.padded_cols, t.rows};
}

// Re-opens the written file with the engine's reader and checks it holds what was planned.
void validate_output(const std::filesystem::path& path, const HfModelConfig& config,
                     const TensorPlan& plan, const std::vector<float>& scales) {
    const auto file = GgufFile::open(path.string());
    if (file->get_string("general.architecture") != config.architecture) {
        file->fail("general.architecture does not read back as " + config.architecture);
    }
    if (file->tensors().size() != plan.tensors.size()) {
        file->fail("holds " + std::to_string(file->tensors().size()) + " tensors, " +
                   std::to_string(plan.tensors.size()) + " were written");
    }
    for (std::size_t i = 0; i < plan.tensors.size(); ++i) {
        const auto& want = plan.tensors[i];
        const auto& got = file->tensors()[i];
        if (got.name != want.gguf_name || got.type != want.type || got.ne != gguf_shape(want)) {
            file->fail("tensor " + std::to_string(i) + " reads back as '" + got.name +
                       "', not as the planned '" + want.gguf_name + "'");
        }
        if (want.type == engine::TensorType::I2_S) {
            float stored = 0;
            std::memcpy(&stored, got.data.data() + got.size - 32, sizeof stored);
            if (stored != scales[i]) file->fail("tensor '" + got.name + "' lost its scale");
        }
    }
}

} // namespace

ConvertResult convert_checkpoint(const std::filesystem::path& checkpoint_dir,
                                 const std::filesystem::path& output, const ConvertOptions& options) {
    std::error_code ec;
    if (!std::filesystem::is_directory(checkpoint_dir, ec)) {
        throw Error(checkpoint_dir.string() + ": not a folder (expected a Hugging Face checkpoint)");
    }
    const auto out_dir = output.has_parent_path() ? output.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(out_dir, ec)) {
        throw Error(output.string() + ": the destination folder does not exist");
    }
    const HfModelConfig config = read_hf_config(checkpoint_dir);
    const auto checkpoint = engine::SafetensorsCheckpoint::open(checkpoint_dir);
    TensorPlan plan = plan_tensors(config, checkpoint, options);
    ConvertResult result;
    result.output = output.string();
    result.architecture = config.architecture;
    result.notes = plan.notes;
    const engine::Vocabulary vocabulary =
        read_checkpoint_vocabulary(checkpoint_dir, config, result.notes);

    ConvertProgress progress;
    for (const auto& t : plan.tensors) progress.bytes_total += t.source_bytes();
    const auto report = [&]() {
        if (options.on_progress && !options.on_progress(progress)) throw engine::Cancelled();
    };
    report();

    // The temporary sits beside the output (same file system, so the final rename is atomic).
    std::string temporary_name = output.filename().string();
    temporary_name.insert(temporary_name.begin(), '.');
    temporary_name += ".converting";
    TemporaryFile temporary(out_dir / temporary_name);
    std::vector<float> scales(plan.tensors.size(), 0.0f);
    const unsigned threads = converter_threads(options.threads);
    {
        GgufWriter writer(temporary.path().string());
        write_model_metadata(writer, config);
        write_tokenizer_metadata(writer, vocabulary);
        for (const auto& t : plan.tensors) {
            const auto shape = gguf_shape(t);
            writer.add_tensor(t.gguf_name, t.type, shape);
        }
        for (std::size_t i = 0; i < plan.tensors.size(); ++i) {
            const auto& t = plan.tensors[i];
            progress.tensor = t.gguf_name;
            // Start the disk on the next tensor while this one is converted.
            if (i + 1 < plan.tensors.size()) {
                engine::SafetensorsCheckpoint::prefetch(*plan.tensors[i + 1].source);
            }
            scales[i] = encode_tensor(writer, t, plan.packed_scale, threads, [&](std::uint64_t bytes) {
                progress.bytes_done += bytes;
                report();
            });
            engine::SafetensorsCheckpoint::release(*t.source);
        }
        writer.finish();
    }
    validate_output(temporary.path(), config, plan, scales);
    std::filesystem::rename(temporary.path(), output, ec);
    if (ec) {
        throw Error(output.string() + ": cannot move the converted file into place: " + ec.message());
    }
    temporary.release();
    result.tensor_count = plan.tensors.size();
    result.bytes_read = progress.bytes_total;
    result.bytes_written = std::filesystem::file_size(output, ec);
    return result;
}

} // namespace tern::downloader
