// The converter's pieces: rotary row order, ternarization rules, packed layouts, and the
// end-to-end contract (progress, cancel, atomic output, deterministic bytes).
#include "safetensors_builder.h"
#include "tiny_checkpoint.h"

#include "hf_config.h"
#include "ternary_weights.h"

#include "tern/downloader/converter.h"
#include "tern/engine/gguf.h"
#include "tern/kernels/formats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>
#include <fstream>
#include <sstream>

namespace tern::test {
namespace {

using downloader::ConvertOptions;
using downloader::ConvertProgress;
using downloader::PackedScale;
using downloader::convert::TernaryWeights;
using downloader::convert::rotary_source_row;
using engine::Error;
using ::testing::HasSubstr;

engine::SafetensorsTensor float_tensor(const std::vector<float>& values, std::vector<std::uint64_t> shape,
                                       std::vector<std::uint8_t>& storage) {
    storage = as_bytes(values);
    engine::SafetensorsTensor t;
    t.name = "w";
    t.file = "test.safetensors";
    t.dtype = engine::SafetensorsDtype::F32;
    t.shape = std::move(shape);
    t.elements = values.size();
    t.bytes = storage;
    return t;
}

TEST(ConvertRotary, PermutesEachHeadToAdjacentPairs) {
    // Two heads of 6: Hugging Face rows (0,3) (1,4) (2,5) are the rotary pairs; GGUF stores them
    // as (0,1) (2,3) (4,5).
    const std::vector<std::uint64_t> want = {0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11};
    for (std::uint64_t r = 0; r < 12; ++r) EXPECT_EQ(rotary_source_row(r, 12, 2), want[r]) << r;
    for (std::uint64_t r = 0; r < 12; ++r) EXPECT_EQ(rotary_source_row(r, 12, 0), r);
}

TEST(ConvertTernary, AbsmeanRoundsTiesToEvenAndClamps) {
    // mean |W| = 1: 0.5 is a tie (rounds to 0), -1.5 rounds to -2 and clamps to -1.
    std::vector<std::uint8_t> storage;
    const auto t = float_tensor({0.5f, -1.5f, 1.0f, 1.0f, -0.49f, 0.51f, 2.5f, -0.5f}, {2, 4}, storage);
    const auto w = TernaryWeights::latent(t, 2, 4, 0);
    EXPECT_FLOAT_EQ(w.scale(), 1.0f);
    std::int8_t row[4];
    w.row(0, row);
    EXPECT_THAT(row, ::testing::ElementsAre(0, -1, 1, 1));
    w.row(1, row);
    EXPECT_THAT(row, ::testing::ElementsAre(0, 1, 1, 0));
}

TEST(ConvertTernary, RejectsNonFiniteLatentWeights) {
    std::vector<std::uint8_t> storage;
    const auto t = float_tensor({1.0f, std::numeric_limits<float>::infinity()}, {1, 2}, storage);
    EXPECT_THAT([&] { (void)TernaryWeights::latent(t, 1, 2, 0); },
                ::testing::ThrowsMessage<Error>(HasSubstr("test.safetensors: tensor 'w' holds NaN or infinite")));
}

TEST(ConvertTernary, UnpacksTransformersLayoutAndAppliesTheScaleRule) {
    // 8 rows x 2 columns packed into 2 rows: row i * 2 + p lives in bits 2i of packed row p.
    const std::int8_t t[8][2] = {{-1, 0}, {1, 1}, {0, -1}, {1, 0}, {-1, -1}, {0, 1}, {1, -1}, {0, 0}};
    std::vector<std::uint8_t> packed(4, 0);
    for (int r = 0; r < 8; ++r) {
        for (int c = 0; c < 2; ++c) {
            packed[(r % 2) * 2 + c] |= static_cast<std::uint8_t>((t[r][c] + 1) << (2 * (r / 2)));
        }
    }
    engine::SafetensorsTensor weight;
    weight.name = "q.weight";
    weight.file = "p.safetensors";
    weight.dtype = engine::SafetensorsDtype::U8;
    weight.shape = {2, 2};
    weight.elements = 4;
    weight.bytes = packed;
    std::vector<std::uint8_t> scale_storage;
    auto scale = float_tensor({4.0f}, {1}, scale_storage);
    scale.name = "q.weight_scale";
    const auto mul = TernaryWeights::packed(weight, scale, PackedScale::Multiply, 8, 2, 0);
    const auto div = TernaryWeights::packed(weight, scale, PackedScale::Divide, 8, 2, 0);
    EXPECT_EQ(mul.scale(), 4.0f);
    EXPECT_EQ(div.scale(), 0.25f);
    for (int r = 0; r < 8; ++r) {
        std::int8_t row[2];
        mul.row(static_cast<std::uint64_t>(r), row);
        EXPECT_EQ(row[0], t[r][0]) << r;
        EXPECT_EQ(row[1], t[r][1]) << r;
    }
    packed[3] = 0xff; // code 3 is not a ternary value
    std::int8_t row[2];
    EXPECT_THAT([&] { mul.row(1, row); },
                ::testing::ThrowsMessage<Error>(HasSubstr("p.safetensors: packed tensor 'q.weight' holds the invalid 2-bit code 3")));
}

std::string file_contents(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool has_temporary_files(const std::filesystem::path& dir) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const auto name = entry.path().filename().string();
        if (name.find(".converting") != std::string::npos) return true;
    }
    return false;
}

TEST(ConvertCheckpoint, ReportsProgressAndWritesADeterministicValidFile) {
    TempDir dir("convert-ok");
    write_tiny_checkpoint(dir / "");
    std::vector<ConvertProgress> steps;
    ConvertOptions options;
    options.on_progress = [&](const ConvertProgress& p) {
        steps.push_back(p);
        return true;
    };
    const auto result = downloader::convert_checkpoint(dir.path(), dir / "a.gguf", options);
    EXPECT_EQ(result.architecture, "bitnet-b1.58");
    EXPECT_EQ(result.tensor_count, 13u); // embd, output_norm, 11 per block
    ASSERT_GE(steps.size(), 3u);
    for (std::size_t i = 1; i < steps.size(); ++i) EXPECT_GE(steps[i].bytes_done, steps[i - 1].bytes_done);
    EXPECT_EQ(steps.back().bytes_done, steps.back().bytes_total);
    EXPECT_EQ(steps.back().bytes_total, result.bytes_read);

    const auto gguf = engine::GgufFile::open((dir / "a.gguf").string());
    EXPECT_EQ(gguf->get_string("general.architecture"), "bitnet-b1.58");
    EXPECT_EQ(gguf->get_u32("bitnet-b1.58.attention.head_count_kv"), 2u);
    EXPECT_EQ(gguf->get_string("tokenizer.chat_template"), "{{ messages }}");
    EXPECT_EQ(gguf->get_string_array("tokenizer.ggml.tokens").size(), 260u);
    const auto& q = gguf->tensor("blk.0.attn_q.weight");
    EXPECT_EQ(q.type, engine::TensorType::I2_S);
    EXPECT_EQ(q.ne, (std::vector<std::uint64_t>{128, 128}));
    EXPECT_GT(kernels::i2s_scale(q.data.data(), 128, 128), 0.0f);

    downloader::convert_checkpoint(dir.path(), dir / "b.gguf");
    EXPECT_EQ(file_contents(dir / "a.gguf"), file_contents(dir / "b.gguf"));
    EXPECT_FALSE(has_temporary_files(dir.path()));
}

TEST(ConvertCheckpoint, CancelLeavesNothingBehindAndKeepsTheOldOutput) {
    TempDir dir("convert-cancel");
    write_tiny_checkpoint(dir / "");
    write_text(dir / "out.gguf", "previous model");
    ConvertOptions options;
    int calls = 0;
    options.on_progress = [&](const ConvertProgress&) { return ++calls < 4; };
    EXPECT_THROW(downloader::convert_checkpoint(dir.path(), dir / "out.gguf", options), engine::Cancelled);
    EXPECT_EQ(calls, 4);
    EXPECT_EQ(file_contents(dir / "out.gguf"), "previous model");
    EXPECT_FALSE(has_temporary_files(dir.path()));
}

TEST(ConvertCheckpoint, ErrorsNameTheFileAndTheProblem) {
    TempDir dir("convert-bad");
    write_tiny_checkpoint(dir / "");
    const auto error_of = [&] {
        try {
            downloader::convert_checkpoint(dir.path(), dir / "x.gguf");
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    write_text(dir / "config.json", R"({"architectures":["GPT2LMHeadModel"],"hidden_size":8})");
    EXPECT_THAT(error_of(), HasSubstr("config.json: unsupported architecture \"GPT2LMHeadModel\""));
    write_text(dir / "config.json", R"({"architectures":["BitNetForCausalLM"],"hidden_act":"relu2"})");
    EXPECT_THAT(error_of(), HasSubstr("config.json: missing \"vocab_size\""));
    write_text(dir / "config.json",
               R"({"architectures":["LlamaForCausalLM"],"hidden_size":128,"intermediate_size":256,)"
               R"("num_hidden_layers":1,"num_attention_heads":4,"vocab_size":260})");
    EXPECT_THAT(error_of(), HasSubstr("is not a 1.58-bit model"));
    write_text(dir / "config.json",
               R"({"architectures":["BitNetForCausalLM"],"hidden_act":"relu2","hidden_size":128,)"
               R"("intermediate_size":256,"num_hidden_layers":1,"num_attention_heads":4,)"
               R"("num_key_value_heads":2,"vocab_size":250})");
    EXPECT_THAT(error_of(), HasSubstr("'model.embed_tokens.weight' has shape [260, 128] but"));
    EXPECT_FALSE(std::filesystem::exists(dir / "x.gguf"));
    EXPECT_THAT(
        [&] { downloader::convert_checkpoint(dir / "nowhere", dir / "x.gguf"); },
        ::testing::ThrowsMessage<Error>(HasSubstr("nowhere: not a folder")));
    EXPECT_THAT(
        [&] { downloader::convert_checkpoint(dir.path(), dir / "no" / "x.gguf"); },
        ::testing::ThrowsMessage<Error>(HasSubstr("the destination folder does not exist")));
}

} // namespace
} // namespace tern::test
