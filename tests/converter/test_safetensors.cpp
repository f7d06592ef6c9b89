// The safetensors reader: good files read back exactly; every malformed case is an Error that
// names the file and the problem.
#include "safetensors_builder.h"

#include "tern/engine/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <bit>

namespace tern::test {
namespace {

using engine::Error;
using engine::SafetensorsCheckpoint;
using engine::SafetensorsDtype;
using engine::SafetensorsFile;
using engine::parse_safetensors_header;
using ::testing::HasSubstr;

std::string error_of(const std::vector<std::uint8_t>& bytes) {
    try {
        parse_safetensors_header(bytes, "bad.safetensors");
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

std::vector<std::uint16_t> to_bf16(const std::vector<float>& values) {
    std::vector<std::uint16_t> out;
    for (float v : values) out.push_back(static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(v) >> 16));
    return out;
}

TEST(Safetensors, ReadsEveryDtypeBackExactly) {
    TempDir dir("st-dtypes");
    const std::vector<float> f32 = {1.5f, -2.25f, 3.0f, 0.0f, 1e-3f, -7.0f};
    const std::vector<std::uint16_t> f16 = {0x3c00, 0xc000, 0x0001, 0x7bff}; // 1, -2, 2^-24, 65504
    const std::vector<std::uint16_t> bf16 = to_bf16({0.5f, -1.0f, 256.0f});
    const std::vector<std::uint8_t> u8 = {0, 1, 2, 255};
    const std::vector<std::int8_t> i8 = {-128, -1, 0, 127};
    write_file(dir / "model.safetensors",
               build_safetensors({{"a.f32", "F32", {2, 3}, as_bytes(f32)},
                                  {"b.f16", "F16", {4}, as_bytes(f16)},
                                  {"c.bf16", "BF16", {3}, as_bytes(bf16)},
                                  {"d.u8", "U8", {2, 2}, as_bytes(u8)},
                                  {"e.i8", "I8", {4}, as_bytes(i8)},
                                  {"f.empty", "F32", {0, 4}, {}}}));
    const auto checkpoint = SafetensorsCheckpoint::open(dir.path());
    ASSERT_EQ(checkpoint.tensors().size(), 6u);
    const auto& a = checkpoint.get("a.f32");
    EXPECT_EQ(a.dtype, SafetensorsDtype::F32);
    EXPECT_EQ(a.shape, (std::vector<std::uint64_t>{2, 3}));
    EXPECT_EQ(a.elements, 6u);
    for (std::size_t i = 0; i < f32.size(); ++i) EXPECT_EQ(engine::safetensors_read_float(a, i), f32[i]);
    const auto& b = checkpoint.get("b.f16");
    EXPECT_EQ(engine::safetensors_read_float(b, 0), 1.0f);
    EXPECT_EQ(engine::safetensors_read_float(b, 1), -2.0f);
    EXPECT_EQ(engine::safetensors_read_float(b, 2), 5.9604644775390625e-8f);
    EXPECT_EQ(engine::safetensors_read_float(b, 3), 65504.0f);
    const auto& c = checkpoint.get("c.bf16");
    EXPECT_EQ(engine::safetensors_read_float(c, 2), 256.0f);
    EXPECT_EQ(checkpoint.get("d.u8").bytes[3], 255);
    EXPECT_EQ(engine::safetensors_read_float(checkpoint.get("e.i8"), 0), -128.0f);
    EXPECT_EQ(checkpoint.get("f.empty").elements, 0u);
    EXPECT_EQ(checkpoint.find("nope"), nullptr);
    EXPECT_THAT([&] { (void)checkpoint.get("nope"); },
                ::testing::ThrowsMessage<Error>(HasSubstr("missing tensor 'nope'")));
    // The pages can be dropped and are read again transparently.
    SafetensorsCheckpoint::prefetch(a);
    SafetensorsCheckpoint::release(a);
    EXPECT_EQ(engine::safetensors_read_float(a, 5), -7.0f);
}

TEST(Safetensors, ReadsMetadataAndUnalignedTensors) {
    // A 1-byte tensor first puts the F32 tensor at an odd offset: the format allows it.
    const std::string header =
        R"({"__metadata__":{"format":"pt"},"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
        R"("y":{"dtype":"F32","shape":[1],"data_offsets":[1,5]}})";
    auto bytes = build_raw(header, 5);
    const float value = 42.5f;
    std::memcpy(bytes.data() + 8 + header.size() + 1, &value, 4);
    const auto parsed = parse_safetensors_header(bytes, "m.safetensors");
    ASSERT_EQ(parsed.tensors.size(), 2u);
    EXPECT_EQ(parsed.metadata.at("format"), "pt");
    EXPECT_EQ(parsed.tensors[1].name, "y");
    EXPECT_EQ(parsed.tensors[1].file_begin, 8 + header.size() + 1);
    TempDir dir("st-unaligned");
    write_file(dir / "m.safetensors", bytes);
    const auto file = SafetensorsFile::open(dir / "m.safetensors");
    EXPECT_EQ(engine::safetensors_read_float(*file->find("y"), 0), 42.5f);
}

TEST(Safetensors, RejectsTruncatedFiles) {
    EXPECT_THAT(error_of({1, 2, 3}), HasSubstr("bad.safetensors: truncated"));
    const auto whole = build_safetensors({{"w", "F32", {4}, as_bytes(std::vector<float>{1, 2, 3, 4})}});
    // The download stopped early. (Copied rather than resized: GCC 12 with sanitizers warns,
    // wrongly, that resize() may grow the vector past the maximum object size.)
    const std::vector<std::uint8_t> bytes(whole.begin(), whole.end() - 3);
    const std::string why = error_of(bytes);
    EXPECT_THAT(why, HasSubstr("bad.safetensors"));
    EXPECT_THAT(why, HasSubstr("tensor 'w' data ends at byte 16"));
    EXPECT_THAT(why, HasSubstr("truncated"));
}

TEST(Safetensors, RejectsHeaderLengthBeyondTheFile) {
    std::vector<std::uint8_t> bytes(8 + 10, ' ');
    const std::uint64_t length = 1000;
    std::memcpy(bytes.data(), &length, 8);
    EXPECT_THAT(error_of(bytes), HasSubstr("header length 1000 runs beyond the end of the file (18 bytes)"));
    const std::uint64_t huge = ~0ull;
    std::memcpy(bytes.data(), &huge, 8);
    EXPECT_THAT(error_of(bytes), HasSubstr("runs beyond the end of the file"));
}

TEST(Safetensors, RejectsOverlappingAndOutOfRangeOffsets) {
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                   12)),
                HasSubstr("tensors 'a' and 'b' overlap"));
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[100,108]}})", 8)),
                HasSubstr("tensor 'a' data ends at byte 108 of the data section, which holds only 8"));
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", 8)),
                HasSubstr("end before they begin"));
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-1,7]}})", 8)),
                HasSubstr("data_offsets[0] is not a non-negative integer"));
}

TEST(Safetensors, RejectsUnknownDtypeAndShapeSizeMismatch) {
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", 8)),
                HasSubstr("tensor 'a' has unsupported dtype 'F64'"));
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"BF16","shape":[3,2],"data_offsets":[0,8]}})", 8)),
                HasSubstr("shape [3,2] of BF16 needs 6 x 2 bytes but data_offsets give 8"));
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}})", 8)),
                HasSubstr("overflows"));
    EXPECT_THAT(error_of(build_raw(R"({"a":{"dtype":"F32","shape":[2]}})", 8)),
                HasSubstr("data_offsets must be [begin, end]"));
    EXPECT_THAT(error_of(build_raw("{not json", 0)), HasSubstr("header is not valid JSON"));
    EXPECT_THAT(error_of(build_raw("[1,2]", 0)), HasSubstr("header is not a JSON object"));
}

TEST(Safetensors, OpensShardedCheckpointsThroughTheIndex) {
    TempDir dir("st-sharded");
    write_file(dir / "model-00001-of-00002.safetensors",
               build_safetensors({{"a", "F32", {1}, as_bytes(std::vector<float>{1})},
                                  {"b", "F32", {1}, as_bytes(std::vector<float>{2})}}));
    write_file(dir / "model-00002-of-00002.safetensors",
               build_safetensors({{"c", "F32", {1}, as_bytes(std::vector<float>{3})}}));
    write_text(dir / "model.safetensors.index.json",
               R"({"metadata":{"total_size":12},"weight_map":{"c":"model-00002-of-00002.safetensors",)"
               R"("a":"model-00001-of-00002.safetensors","b":"model-00001-of-00002.safetensors"}})");
    const auto checkpoint = SafetensorsCheckpoint::open(dir.path());
    ASSERT_EQ(checkpoint.tensors().size(), 3u);
    EXPECT_EQ(checkpoint.tensors()[0]->name, "a"); // shard order, then offset order
    EXPECT_EQ(checkpoint.tensors()[2]->name, "c");
    EXPECT_EQ(engine::safetensors_read_float(checkpoint.get("c"), 0), 3.0f);
    EXPECT_EQ(checkpoint.total_bytes(), 12u);
}

TEST(Safetensors, ShardedCheckpointErrorsNameTheFile) {
    TempDir dir("st-sharded-bad");
    write_file(dir / "s1.safetensors", build_safetensors({{"a", "F32", {1}, as_bytes(std::vector<float>{1})}}));
    const auto open_error = [&] {
        try {
            SafetensorsCheckpoint::open(dir.path());
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    write_text(dir / "model.safetensors.index.json", R"({"weight_map":{"a":"s1.safetensors","zz":"s1.safetensors"}})");
    EXPECT_THAT(open_error(), HasSubstr("s1.safetensors: missing tensor 'zz'"));
    write_text(dir / "model.safetensors.index.json", R"({"weight_map":{"a":"s2.safetensors"}})");
    EXPECT_THAT(open_error(), HasSubstr("s2.safetensors: no such file"));
    write_text(dir / "model.safetensors.index.json", R"({"weight_map":{"a":"../s1.safetensors"}})");
    EXPECT_THAT(open_error(), HasSubstr("invalid file name"));
    write_text(dir / "model.safetensors.index.json", R"({"weights":{}})");
    EXPECT_THAT(open_error(), HasSubstr("model.safetensors.index.json: no \"weight_map\" object"));
    write_text(dir / "model.safetensors.index.json", "{");
    EXPECT_THAT(open_error(), HasSubstr("model.safetensors.index.json: not valid JSON"));
    std::filesystem::remove(dir / "model.safetensors.index.json");
    EXPECT_THAT(open_error(), HasSubstr("no model.safetensors or model.safetensors.index.json"));
    write_file(dir / "model.safetensors", {1, 2});
    EXPECT_THAT(open_error(), HasSubstr("model.safetensors: truncated"));
}

} // namespace
} // namespace tern::test
