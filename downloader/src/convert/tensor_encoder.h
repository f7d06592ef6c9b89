// Streams one planned tensor into the GGUF writer in its output type, a block of rows at a time,
// so memory stays bounded by a few megabytes of buffers plus the source pages in use.
#pragma once

#include "tensor_plan.h"

#include "tern/engine/gguf.h"

#include <cstdint>
#include <functional>

namespace tern::downloader::convert {

// Called after each block of rows with the source bytes it covered; throws to stop.
using ProgressStep = std::function<void(std::uint64_t source_bytes)>;

// Returns the tensor scale written (ternary tensors) or 0. Rows are converted on `threads`
// threads; the bytes written do not depend on their number.
float encode_tensor(engine::GgufWriter& writer, const PlannedTensor& tensor, PackedScale rule,
                    unsigned threads, const ProgressStep& step);

} // namespace tern::downloader::convert
