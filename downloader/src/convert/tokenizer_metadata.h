// The checkpoint's tokenizer as GGUF tokenizer.ggml.* metadata: tokens, scores, types, merges,
// special token ids, add_bos, and the chat template from tokenizer_config.json.
#pragma once

#include "hf_config.h"

#include "tern/engine/gguf.h"
#include "tern/engine/tokenizer.h"

#include <filesystem>
#include <string>
#include <vector>

namespace tern::downloader::convert {

// Loads tokenizer.json (preferred), else tokenizer.model (SentencePiece or a tiktoken rank file),
// through the engine's loaders; then applies tokenizer_config.json (chat_template, add_bos_token,
// bos/eos tokens by text) and config.json's ids where the tokenizer files are silent. Pads the
// vocabulary with unused "[PAD<id>]" tokens up to the embedding's vocab_size (checkpoints round
// it up); more tokens than vocab_size is an error. Notes what it did in `notes`.
engine::Vocabulary read_checkpoint_vocabulary(const std::filesystem::path& dir,
                                              const HfModelConfig& config,
                                              std::vector<std::string>& notes);

// Writes the tokenizer.ggml.* keys and tokenizer.chat_template, in a fixed order.
void write_tokenizer_metadata(engine::GgufWriter& writer, const engine::Vocabulary& vocabulary);

} // namespace tern::downloader::convert
