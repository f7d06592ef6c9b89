// Ternary weights whose rows are zero-padded to whole blocks (the converter's rule for input widths
// that are not a multiple of the block, e.g. 1bitLLM-3B's FFN 8640 -> ffn_down rows of 8704).
// The logits of padded models are checked against the NumPy reference by the
// engine_reference_*_ffn* CTest cases; these tests cover loading, shapes and error messages.
#include "engine_test_models.h"
#include "tern/engine/engine.h"
#include "tern/kernels/formats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace {

using namespace tern::engine;
using tern::engine::testing::test_dir;
using ::testing::HasSubstr;

std::string error_of(const std::string& path) {
    try {
        Model::load(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

std::string write_model(const SyntheticModelSpec& spec, const std::string& file) {
    const auto path = (test_dir() / file).string();
    write_synthetic_model(spec, path);
    return path;
}

// A tiny bitnet model whose FFN width (200) is not a multiple of any ternary block.
SyntheticModelSpec padded_spec(TensorType weights) {
    auto spec = synthetic_shape("tiny");
    spec.architecture = "bitnet";
    spec.ffn_dim = 200;
    spec.weight_type = weights;
    return spec;
}

// Copies `src` to `dst`, letting `replace` swap a tensor for (type, shape, bytes).
struct Replacement {
    TensorType type;
    std::vector<std::uint64_t> ne;
    std::vector<std::uint8_t> bytes;
};
void rewrite(const std::string& src, const std::string& dst,
             const std::function<bool(const GgufTensorInfo&, Replacement&)>& replace) {
    auto f = GgufFile::open(src);
    GgufWriter w(dst);
    for (const auto& [key, value] : f->metadata()) {
        w.copy_value(key, value);
    }
    std::vector<Replacement> out;
    for (const auto& t : f->tensors()) {
        Replacement r{t.type, t.ne, {t.data.begin(), t.data.end()}};
        replace(t, r);
        w.add_tensor(t.name, r.type, r.ne);
        out.push_back(std::move(r));
    }
    for (const auto& r : out) {
        w.write_tensor_data(std::span<const std::uint8_t>(r.bytes));
    }
    w.finish();
}

TEST(PaddedWeights, SynthStoresPaddedRowsAndKeepsTheTrueWidths) {
    for (TensorType type : {TensorType::I2_S, TensorType::TQ2_0, TensorType::TQ1_0}) {
        const auto path = write_model(padded_spec(type), std::string("padded_") + tensor_type_name(type) + ".gguf");
        auto f = GgufFile::open(path);
        // 200 rounds up to 256 for 128-element (I2_S) and 256-element (TQ2_0/TQ1_0) blocks alike.
        EXPECT_EQ(f->tensor("blk.0.ffn_down.weight").ne, (std::vector<std::uint64_t>{256, 256}));
        EXPECT_EQ(f->tensor("blk.0.ffn_gate.weight").ne, (std::vector<std::uint64_t>{256, 200}));
        EXPECT_EQ(f->tensor("blk.0.ffn_sub_norm.weight").ne, (std::vector<std::uint64_t>{200}));
        EXPECT_EQ(f->get_u32("bitnet.feed_forward_length"), 200u);
    }
}

TEST(PaddedWeights, LoadCountsTheRealParametersAndTheStoredBytes) {
    const auto path = write_model(padded_spec(TensorType::I2_S), "padded_count.gguf");
    auto m = Model::load(path);
    // tiny: dim 256, 2 layers, kv width 128, vocab 512, head tied to the F16 embedding. Parameters
    // count the true widths (ffn_down has 256 x 200 weights, not 256 x 256).
    const std::uint64_t dim = 256, kv = 128, ffn = 200, vocab = 512, layers = 2;
    const std::uint64_t per_layer = dim * dim * 2 + kv * dim * 2 + ffn * dim * 3 + 2 * dim + dim + ffn;
    EXPECT_EQ(m->info().parameters, vocab * dim + dim + layers * per_layer);
    // A decoded token reads the stored (padded) rows: ffn_down is 256 x 256 trits.
    const std::uint64_t ternary = layers * (tern::kernels::i2s_tensor_bytes(dim, dim) * 2 +
                                            tern::kernels::i2s_tensor_bytes(kv, dim) * 2 +
                                            tern::kernels::i2s_tensor_bytes(ffn, dim) * 2 +
                                            tern::kernels::i2s_tensor_bytes(dim, 256));
    EXPECT_EQ(m->info().weight_bytes_per_token, ternary + vocab * dim * 2);
}

TEST(PaddedWeights, BatchedAndIncrementalEvaluationAgree) {
    // A prompt batch (I2_S matmul over padded rows) and one token at a time (matvec) agree.
    for (TensorType type : {TensorType::I2_S, TensorType::TQ2_0}) {
        const auto path = write_model(padded_spec(type), std::string("padded_batch_") + tensor_type_name(type) + ".gguf");
        LoadOptions o;
        o.threads = 2;
        auto m = Model::load(path, o);
        const std::vector<Token> tokens = {5, 77, 300, 12, 499, 1, 2, 3, 100, 200};
        Session batched(m);
        batched.evaluate(tokens, nullptr);
        const std::vector<float> want(batched.last_logits().begin(), batched.last_logits().end());
        Session s(m);
        for (std::size_t n = 1; n <= tokens.size(); ++n) { // the prefix is reused: one new token each
            s.evaluate(std::vector<Token>(tokens.begin(), tokens.begin() + static_cast<long>(n)), nullptr);
        }
        ASSERT_EQ(s.last_logits().size(), want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            ASSERT_TRUE(std::isfinite(want[i]));
            ASSERT_NEAR(s.last_logits()[i], want[i], 1e-4f * (1 + std::fabs(want[i]))) << i;
        }
    }
}

TEST(PaddedWeights, AnyOtherRowLengthIsAClearError) {
    const auto good = write_model(padded_spec(TensorType::I2_S), "padded_good.gguf");
    // Rows padded one block too far: [384, 256] where the rule gives [256, 256].
    const auto too_long = (test_dir() / "padded_too_long.gguf").string();
    rewrite(good, too_long, [](const GgufTensorInfo& t, Replacement& r) {
        if (t.name != "blk.1.ffn_down.weight") return false;
        r.ne = {384, 256};
        r.bytes.assign(tern::kernels::i2s_tensor_bytes(256, 384), 0x55);
        return true;
    });
    const auto msg = error_of(too_long);
    EXPECT_THAT(msg, HasSubstr("padded_too_long.gguf"));
    EXPECT_THAT(msg, HasSubstr("tensor 'blk.1.ffn_down.weight' has shape [384, 256] but the metadata implies "
                               "[256, 256] (its width 200 zero-padded to whole 128-element I2_S blocks)"));

    // A norm is never padded: ffn_sub_norm must keep the true width.
    const auto norm = (test_dir() / "padded_norm.gguf").string();
    rewrite(good, norm, [](const GgufTensorInfo& t, Replacement& r) {
        if (t.name != "blk.0.ffn_sub_norm.weight") return false;
        r.ne = {256};
        r.bytes.assign(256 * 4, 0);
        return true;
    });
    EXPECT_THAT(error_of(norm), HasSubstr("tensor 'blk.0.ffn_sub_norm.weight' has shape [256] but should hold 200"));
}

TEST(PaddedWeights, WeightsSharingAnInputMustAgreeOnItsPaddedLength) {
    // dim 128: I2_S rows need no padding, TQ2_0 rows are padded to 256. A file mixing them in
    // q/k/v cannot share one quantized input.
    auto spec = synthetic_shape("tiny");
    spec.dim = 128;
    const auto i2s = write_model(spec, "mixed_i2s.gguf");
    spec.weight_type = TensorType::TQ2_0;
    const auto tq2 = write_model(spec, "mixed_tq2.gguf");
    auto tq2_file = GgufFile::open(tq2);
    const auto mixed = (test_dir() / "mixed.gguf").string();
    rewrite(i2s, mixed, [&](const GgufTensorInfo& t, Replacement& r) {
        if (t.name != "blk.0.attn_k.weight") return false;
        const auto& k = tq2_file->tensor(t.name);
        r = {k.type, k.ne, {k.data.begin(), k.data.end()}};
        return true;
    });
    EXPECT_THAT(error_of(mixed), HasSubstr("tensors 'blk.0.attn_q.weight' and 'blk.0.attn_k.weight' share an "
                                           "input but their rows are padded to different lengths (128 and 256)"));
    // Each of the two files alone loads.
    EXPECT_NO_THROW(Model::load(i2s));
    EXPECT_NO_THROW(Model::load(tq2));
}

TEST(PaddedWeights, The3bShapeIsWrittenAsConverted) {
    // 1bitLLM-3B's shapes, one layer and a small vocabulary to keep the file small: FFN 8640 in
    // the metadata, ffn_down rows of 8704 (the next multiple of 128), gate/up unpadded.
    auto spec = synthetic_shape("3b");
    spec.layers = 1;
    spec.vocab_size = 64;
    const auto path = write_model(spec, "3b_one_layer.gguf");
    {
        auto f = GgufFile::open(path);
        EXPECT_EQ(f->get_u32("bitnet.feed_forward_length"), 8640u);
        EXPECT_EQ(f->tensor("blk.0.ffn_down.weight").ne, (std::vector<std::uint64_t>{8704, 3200}));
        EXPECT_EQ(f->tensor("blk.0.ffn_up.weight").ne, (std::vector<std::uint64_t>{3200, 8640}));
    }
    auto m = Model::load(path);
    Session s(m);
    s.evaluate(std::vector<Token>{1, 2}, nullptr);
    ASSERT_EQ(s.last_logits().size(), 64u);
    for (float v : s.last_logits()) {
        ASSERT_TRUE(std::isfinite(v));
    }
}

} // namespace
