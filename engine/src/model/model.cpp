// Model::load: maps the file, reads the configuration, binds and checks every tensor, starts the
// thread pool, and (optionally) re-quantizes an F16 output head to Q8_0.
#include "model_impl.h"

#include "tern/engine/chat_template.h"
#include "tern/engine/tokenizer.h"
#include "tern/kernels/cpu_features.h"
#include "tern/kernels/formats.h"
#include "tern/kernels/kernels.h"

#include <algorithm>
#include <filesystem>

namespace tern::engine {

struct ModelImpl::Vocab {
    std::unique_ptr<Tokenizer> tokenizer;
};

namespace {

constexpr int kDefaultContextCap = 4096;

// Re-quantizes an F16 matrix to Q8_0 rows (ggml's rounding, formats.h), in parallel.
void requantize_to_q8_0(DenseMatrix& m, ThreadPool& pool) {
    const std::size_t row_bytes = kernels::q8_0_row_bytes(m.cols);
    std::vector<std::uint8_t> out(row_bytes * m.rows);
    pool.parallel_for(m.rows, 64, [&](std::size_t begin, std::size_t end) {
        std::vector<float> row(m.cols);
        for (std::size_t r = begin; r < end; ++r) {
            kernels::f16_dequantize_row(reinterpret_cast<const std::uint16_t*>(m.data + r * m.row_bytes),
                                        m.cols, row.data());
            kernels::q8_0_quantize_row(row.data(), m.cols, out.data() + r * row_bytes);
        }
    });
    m.owned = std::move(out);
    m.data = m.owned.data();
    m.type = TensorType::Q8_0;
    m.row_bytes = row_bytes;
}

} // namespace

std::shared_ptr<Model> Model::load(const std::string& path, const LoadOptions& options) {
    return std::make_shared<ModelImpl>(path, options);
}

ModelImpl::ModelImpl(const std::string& path, const LoadOptions& options) {
    auto report = [&](float p) {
        if (options.on_progress && !options.on_progress(p)) {
            throw Cancelled();
        }
    };
    report(0.0f);
    if (options.threads < 0) {
        throw Error("threads must be 0 (automatic) or positive, not " + std::to_string(options.threads));
    }
    if (options.context_length < 0) {
        throw Error("the context length must be 0 (automatic) or positive, not " +
                    std::to_string(options.context_length));
    }
    file_ = GgufFile::open(path, /*populate_map=*/true);
    config_ = read_model_config(*file_);
    report(0.05f);
    weights_ = bind_weights(*file_, config_, [&](std::size_t done, std::size_t total) {
        return !options.on_progress ||
               options.on_progress(0.05f + 0.6f * static_cast<float>(done) / static_cast<float>(total));
    });

    const int threads = options.threads > 0 ? options.threads
                                            : std::max(1, kernels::cpu_features().physical_cores);
    pool_ = std::make_unique<ThreadPool>(threads);

    if (file_->has("tokenizer.ggml.model")) {
        vocab_ = std::make_unique<Vocab>();
        vocab_->tokenizer = Tokenizer::from_gguf(*file_);
        if (vocab_->tokenizer->vocab_size() > config_.vocab_size) {
            file_->fail("the tokenizer has " + std::to_string(vocab_->tokenizer->vocab_size()) +
                        " tokens but the embedding only " + std::to_string(config_.vocab_size) + " rows");
        }
    }
    report(0.7f);

    if (options.requantize_output_to_q8_0 && weights_.output.type == TensorType::F16) {
        requantize_to_q8_0(weights_.output, *pool_);
    }
    report(0.95f);

    int context = options.context_length;
    if (context == 0) {
        context = std::min(config_.train_context_length, kDefaultContextCap);
    }
    if (context > config_.train_context_length) {
        throw Error(path + ": a context of " + std::to_string(context) +
                    " tokens exceeds the model's trained context of " +
                    std::to_string(config_.train_context_length));
    }
    transformer_ = std::make_unique<Transformer>(config_, weights_, *pool_);

    info_.path = path;
    info_.name = file_->find_string("general.name").value_or(
        std::filesystem::path(path).filename().string());
    info_.architecture = config_.arch_name;
    info_.weight_type = tensor_type_name(weights_.layers.front().q.type);
    for (const auto& L : weights_.layers) {
        for (const TernaryWeight* t : {&L.q, &L.k, &L.v, &L.o, &L.gate, &L.up, &L.down}) {
            if (t->type != weights_.layers.front().q.type) {
                info_.weight_type = "mixed";
            }
        }
    }
    info_.output_type = tensor_type_name(weights_.output.type);
    info_.kernel_variant = kernels::kernel_variant_name();
    info_.file_size = file_->file_size();
    info_.parameters = weights_.parameters;
    info_.vocab_size = config_.vocab_size;
    info_.context_length = context;
    info_.train_context_length = config_.train_context_length;
    info_.threads = threads;
    info_.layers = config_.layers;
    info_.embedding_length = config_.dim;
    info_.weight_bytes_per_token = weights_.ternary_bytes +
                                   weights_.output.row_bytes * weights_.output.rows;
    info_.has_tokenizer = vocab_ != nullptr;
    report(1.0f);
}

ModelImpl::~ModelImpl() = default;

const Tokenizer& ModelImpl::tokenizer() const {
    if (!vocab_) {
        throw Error(info_.path + ": the model file carries no tokenizer (no tokenizer.ggml.* keys)");
    }
    return *vocab_->tokenizer;
}

std::string ModelImpl::chat_template() const {
    const std::string raw = file_->find_string("tokenizer.chat_template").value_or("");
    if (!vocab_) {
        return raw;
    }
    // The model's own template unless it is known broken (the 2B4T file's placeholder...), in
    // which case the built-in for its architecture and vocabulary.
    return ChatTemplate::for_model(raw, config_.arch_name, vocab_->tokenizer.get()).source();
}

std::string ModelImpl::token_bytes(Token id) const {
    if (!vocab_) {
        return {};
    }
    return std::string(vocab_->tokenizer->piece(id));
}

bool ModelImpl::is_end_of_generation(Token id) const {
    return vocab_ && vocab_->tokenizer->is_end_of_generation(id);
}

} // namespace tern::engine
