// The concrete Model behind the public interface: the mapped file, its configuration, the bound
// weights, the thread pool and the forward pass. Sessions use it through this header.
#pragma once

#include "model_config.h"
#include "model_weights.h"
#include "transformer.h"
#include "tern/engine/engine.h"
#include "tern/engine/gguf.h"
#include "../runtime/thread_pool.h"

#include <memory>
#include <mutex>

namespace tern::engine {

class ModelImpl final : public Model {
public:
    ModelImpl(const std::string& path, const LoadOptions& options);
    ~ModelImpl() override;

    const ModelInfo& info() const override { return info_; }
    const Tokenizer& tokenizer() const override;
    std::string chat_template() const override;

    const GgufFile& file() const { return *file_; }
    const ModelConfig& config() const { return config_; }
    const Transformer& transformer() const { return *transformer_; }
    ThreadPool& pool() const { return *pool_; }
    // The pool runs one forward pass at a time: sessions of one model take turns.
    std::mutex& forward_mutex() const { return forward_mutex_; }
    // Raw bytes of a token's text (for streaming output).
    std::string token_bytes(Token id) const;
    bool is_end_of_generation(Token id) const;

private:
    std::unique_ptr<GgufFile> file_;
    ModelConfig config_;
    ModelWeights weights_;
    std::unique_ptr<ThreadPool> pool_;
    std::unique_ptr<Transformer> transformer_;
    ModelInfo info_;
    mutable std::mutex forward_mutex_;
    struct Vocab;
    std::unique_ptr<Vocab> vocab_;
};

} // namespace tern::engine
