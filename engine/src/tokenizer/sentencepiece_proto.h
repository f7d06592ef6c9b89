// SentencePiece's ModelProto in protobuf wire format, written and read by hand: Debian's
// libsentencepiece-dev ships no header for the proto, and we need only a few fields
// (field numbers in FORMATS.md, from sentencepiece_model.proto).
#pragma once

#include "tern/engine/tokenizer.h"

#include <string>
#include <string_view>

namespace tern::engine::tokenizer_detail {

// A "llama" vocabulary as the serialized ModelProto the library loads: BPE, byte fallback when
// the vocabulary has byte tokens, identity normalizer, whitespace kept, dummy prefix as given.
std::string sentencepiece_model_proto(const Vocabulary& vocabulary);

// The pieces, scores, types, special ids and dummy-prefix flag of a serialized ModelProto.
// Throws Error naming `source` when the bytes are not a well-formed ModelProto.
Vocabulary vocabulary_from_model_proto(std::string_view proto, const std::string& source);

} // namespace tern::engine::tokenizer_detail
