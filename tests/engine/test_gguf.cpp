// GGUF reader and writer: round trips, every value type, the I2_S size rule, and malformed files.
#include "tern/engine/gguf.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

using namespace tern::engine;
namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        dir_ = fs::temp_directory_path() /
               ("tern_gguf_test_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(dir_, ignored);
    }
    std::string file(const std::string& name) const { return (dir_ / name).string(); }

private:
    fs::path dir_;
};

std::vector<std::uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

void write_all(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Hand-assembled GGUF bytes, for files the writer would refuse to produce.
struct Bytes {
    std::vector<std::uint8_t> v;
    template <class T> Bytes& put(T x) {
        const auto* p = reinterpret_cast<const std::uint8_t*>(&x);
        v.insert(v.end(), p, p + sizeof x);
        return *this;
    }
    Bytes& str(const std::string& s) {
        put<std::uint64_t>(s.size());
        v.insert(v.end(), s.begin(), s.end());
        return *this;
    }
    Bytes& header(std::uint64_t tensors, std::uint64_t kvs, std::uint32_t version = 3) {
        return put<std::uint32_t>(0x46554747).put<std::uint32_t>(version).put(tensors).put(kvs);
    }
    Bytes& pad(std::size_t alignment = 32) {
        while (v.size() % alignment != 0) {
            v.push_back(0);
        }
        return *this;
    }
};

std::string error_of(const std::string& path) {
    try {
        GgufFile::open(path);
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

// A small valid file with one of every metadata type and a few tensors.
void write_sample(const std::string& path) {
    GgufWriter w(path);
    w.set_string("general.architecture", "bitnet-b1.58");
    w.set_u8("t.u8", 200);
    w.set_i8("t.i8", -100);
    w.set_u16("t.u16", 60000);
    w.set_i16("t.i16", -30000);
    w.set_u32("t.u32", 4000000000u);
    w.set_i32("t.i32", -2000000000);
    w.set_u64("t.u64", 1ull << 40);
    w.set_i64("t.i64", -(1ll << 40));
    w.set_f32("t.f32", 9.99999975e-6f);
    w.set_f64("t.f64", 0.25);
    w.set_bool("t.bool", true);
    const std::vector<std::string> strings = {"a", "", "h\xC3\xA9llo"};
    w.set_string_array("t.strings", strings);
    const std::vector<float> floats = {1.5f, -2.0f};
    w.set_f32_array("t.floats", floats);
    const std::vector<std::int32_t> ints = {1, -2, 3};
    w.set_i32_array("t.ints", ints);
    w.add_tensor("a", TensorType::F32, {3, 2});
    w.add_tensor("q", TensorType::I2_S, {128, 2});
    w.add_tensor("e", TensorType::F16, {5});
    const std::vector<float> a = {1, 2, 3, 4, 5, 6};
    w.write_tensor_data(std::span<const float>(a));
    std::vector<std::uint8_t> q(128 * 2 / 4 + 32, 0x55);
    w.write_tensor_data(std::span<const std::uint8_t>(q).first(10)); // in chunks
    w.write_tensor_data(std::span<const std::uint8_t>(q).subspan(10));
    const std::vector<std::uint16_t> e = {1, 2, 3, 4, 5};
    w.write_tensor_data(std::span<const std::uint16_t>(e));
    w.finish();
}

TEST(Gguf, RoundTripsEveryMetadataType) {
    TempDir tmp;
    const auto path = tmp.file("sample.gguf");
    write_sample(path);
    const auto f = GgufFile::open(path);
    EXPECT_EQ(f->version(), 3u);
    EXPECT_EQ(f->get_string("general.architecture"), "bitnet-b1.58");
    EXPECT_EQ(f->get_u32("t.u8"), 200u);
    EXPECT_EQ(f->get_i32("t.i8"), -100);
    EXPECT_EQ(f->get_u32("t.u16"), 60000u);
    EXPECT_EQ(f->get_i32("t.i16"), -30000);
    EXPECT_EQ(f->get_u32("t.u32"), 4000000000u);
    EXPECT_EQ(f->get_i32("t.i32"), -2000000000);
    EXPECT_EQ(f->get_u64("t.u64"), 1ull << 40);
    EXPECT_EQ(f->get_f32("t.f32"), 9.99999975e-6f);
    EXPECT_EQ(f->get_f32("t.f64"), 0.25f);
    EXPECT_TRUE(f->get_bool("t.bool"));
    EXPECT_EQ(f->get_string_array("t.strings"), (std::vector<std::string>{"a", "", "h\xC3\xA9llo"}));
    EXPECT_EQ(f->get_f32_array("t.floats"), (std::vector<float>{1.5f, -2.0f}));
    EXPECT_EQ(f->get_i32_array("t.ints"), (std::vector<std::int32_t>{1, -2, 3}));
    EXPECT_EQ(f->metadata().front().first, "general.architecture");
    EXPECT_EQ(f->metadata().size(), 15u);
}

TEST(Gguf, TensorsAreAlignedAndHoldTheirData) {
    TempDir tmp;
    const auto path = tmp.file("sample.gguf");
    write_sample(path);
    const auto f = GgufFile::open(path);
    ASSERT_EQ(f->tensors().size(), 3u);
    const auto& a = f->tensor("a");
    EXPECT_EQ(a.type, TensorType::F32);
    EXPECT_EQ(a.ne, (std::vector<std::uint64_t>{3, 2}));
    EXPECT_EQ(a.size, 24u);
    EXPECT_EQ(a.elements, 6u);
    float a5 = 0;
    std::memcpy(&a5, a.data.data() + 5 * 4, 4);
    EXPECT_EQ(a5, 6.0f);
    const auto& q = f->tensor("q");
    EXPECT_EQ(q.size, 128u * 2 / 4 + 32); // the I2_S rule
    EXPECT_EQ(q.data[0], 0x55);
    EXPECT_EQ(q.data[q.size - 1], 0x55);
    for (const auto& t : f->tensors()) {
        EXPECT_EQ((f->data_offset() + t.offset) % f->alignment(), 0u) << t.name;
    }
    EXPECT_EQ(f->find_tensor("missing"), nullptr);
    EXPECT_THROW(f->tensor("missing"), Error);
}

TEST(Gguf, CustomAlignmentIsHonoured) {
    TempDir tmp;
    const auto path = tmp.file("align.gguf");
    {
        GgufWriter w(path, 64);
        w.add_tensor("x", TensorType::F32, {3});
        w.add_tensor("y", TensorType::F32, {3});
        const float d[3] = {1, 2, 3};
        w.write_tensor_data(std::span<const float>(d));
        w.write_tensor_data(std::span<const float>(d));
        w.finish();
    }
    const auto f = GgufFile::open(path);
    EXPECT_EQ(f->alignment(), 64u);
    EXPECT_EQ(f->data_offset() % 64, 0u);
    EXPECT_EQ(f->tensor("y").offset, 64u);
}

TEST(Gguf, GettersNameTheFileAndKey) {
    TempDir tmp;
    const auto path = tmp.file("sample.gguf");
    write_sample(path);
    const auto f = GgufFile::open(path);
    try {
        f->get_u32("nope.missing");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("sample.gguf"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("nope.missing"), std::string::npos);
    }
    try {
        f->get_string("t.u32");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("t.u32"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("uint32"), std::string::npos);
    }
    EXPECT_THROW(f->get_u32("t.i8"), Error);   // negative does not fit unsigned
    EXPECT_THROW(f->get_i32("t.u32"), Error);  // 4e9 does not fit int32
    EXPECT_THROW(f->get_f32("t.u32"), Error);
    EXPECT_THROW(f->get_bool("t.u8"), Error);
    EXPECT_THROW(f->get_f32_array("t.strings"), Error);
    EXPECT_THROW(f->get_string_array("t.ints"), Error);
    EXPECT_FALSE(f->find_u32("nope").has_value());
    EXPECT_EQ(f->find_u32("t.u32").value(), 4000000000u);
    EXPECT_THROW(f->find_u32("t.strings"), Error); // present but mistyped still throws
    EXPECT_FALSE(f->find_string_array("nope").has_value());
}

TEST(Gguf, CopyValueKeepsEveryType) {
    TempDir tmp;
    const auto src = tmp.file("sample.gguf");
    write_sample(src);
    const auto f = GgufFile::open(src);
    const auto dst = tmp.file("copy.gguf");
    {
        GgufWriter w(dst);
        for (const auto& [key, value] : f->metadata()) {
            w.copy_value(key, value);
        }
        w.finish();
    }
    const auto g = GgufFile::open(dst);
    ASSERT_EQ(g->metadata().size(), f->metadata().size());
    EXPECT_EQ(g->get_string_array("t.strings"), f->get_string_array("t.strings"));
    EXPECT_EQ(g->get_i32("t.i16"), -30000);
    EXPECT_TRUE(g->tensors().empty());
}

TEST(Gguf, SizeRules) {
    const std::uint64_t i2[] = {2560, 6912};
    EXPECT_EQ(tensor_size_bytes(TensorType::I2_S, i2).value(), 2560ull * 6912 / 4 + 32);
    const std::uint64_t tq[] = {512, 3};
    EXPECT_EQ(tensor_size_bytes(TensorType::TQ2_0, tq).value(), 2u * 66 * 3);
    EXPECT_EQ(tensor_size_bytes(TensorType::TQ1_0, tq).value(), 2u * 54 * 3);
    const std::uint64_t q8[] = {64, 2};
    EXPECT_EQ(tensor_size_bytes(TensorType::Q8_0, q8).value(), 2u * 34 * 2);
    const std::uint64_t bad_block[] = {100, 2};
    std::string why;
    EXPECT_FALSE(tensor_size_bytes(TensorType::TQ2_0, bad_block, &why).has_value());
    EXPECT_NE(why.find("multiple"), std::string::npos);
    const std::uint64_t huge[] = {1ull << 40, 1ull << 40};
    EXPECT_FALSE(tensor_size_bytes(TensorType::F32, huge, &why).has_value());
    EXPECT_NE(why.find("overflow"), std::string::npos);
    EXPECT_FALSE(tensor_size_bytes(static_cast<TensorType>(99), q8).has_value());
}

TEST(GgufMalformed, BadMagic) {
    TempDir tmp;
    const auto path = tmp.file("bad.gguf");
    write_all(path, {'G', 'G', 'M', 'L', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    const auto e = error_of(path);
    EXPECT_NE(e.find("bad.gguf"), std::string::npos) << e;
    EXPECT_NE(e.find("magic"), std::string::npos) << e;
}

TEST(GgufMalformed, EmptyAndMissingFiles) {
    TempDir tmp;
    write_all(tmp.file("empty.gguf"), {});
    EXPECT_NE(error_of(tmp.file("empty.gguf")).find("empty.gguf"), std::string::npos);
    const auto e = error_of(tmp.file("absent.gguf"));
    EXPECT_NE(e.find("absent.gguf"), std::string::npos) << e;
    EXPECT_NE(e.find("cannot open"), std::string::npos) << e;
}

TEST(GgufMalformed, UnsupportedVersions) {
    TempDir tmp;
    Bytes v1;
    v1.header(0, 0, 1);
    write_all(tmp.file("v1.gguf"), v1.v);
    EXPECT_NE(error_of(tmp.file("v1.gguf")).find("version 1"), std::string::npos);
    Bytes v9;
    v9.header(0, 0, 9);
    write_all(tmp.file("v9.gguf"), v9.v);
    EXPECT_NE(error_of(tmp.file("v9.gguf")).find("version 9"), std::string::npos);
    Bytes v2;
    v2.header(0, 1, 2).str("k").put<std::uint32_t>(4).put<std::uint32_t>(7);
    write_all(tmp.file("v2.gguf"), v2.v);
    EXPECT_EQ(GgufFile::open(tmp.file("v2.gguf"))->get_u32("k"), 7u);
}

// Every prefix of a valid file is truncated somewhere: each must give an Error, never a crash.
TEST(GgufMalformed, EveryTruncationIsAnError) {
    TempDir tmp;
    const auto path = tmp.file("sample.gguf");
    write_sample(path);
    const auto bytes = read_all(path);
    // Only the padding after the last tensor may be cut without losing anything.
    std::size_t end = 0;
    {
        const auto f = GgufFile::open(path);
        const auto& last = f->tensors().back();
        end = static_cast<std::size_t>(f->data_offset() + last.offset + last.size);
    }
    const auto cut = tmp.file("cut.gguf");
    for (std::size_t n = 0; n < end; n += (n < 600 ? 1 : 7)) {
        write_all(cut, std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(n)));
        const auto e = error_of(cut);
        EXPECT_NE(e.find("cut.gguf"), std::string::npos) << "prefix " << n << ": " << e;
    }
}

TEST(GgufMalformed, TensorPastTheEnd) {
    TempDir tmp;
    Bytes b;
    b.header(1, 0).str("w").put<std::uint32_t>(1).put<std::uint64_t>(16).put<std::uint32_t>(0).put<std::uint64_t>(0);
    b.pad();
    for (int i = 0; i < 60; ++i) { // 60 of the 64 bytes
        b.v.push_back(0);
    }
    write_all(tmp.file("short.gguf"), b.v);
    const auto e = error_of(tmp.file("short.gguf"));
    EXPECT_NE(e.find("'w'"), std::string::npos) << e;
    EXPECT_NE(e.find("past the end"), std::string::npos) << e;
}

TEST(GgufMalformed, TensorOffsetOverflow) {
    TempDir tmp;
    Bytes b;
    b.header(1, 0).str("w").put<std::uint32_t>(1).put<std::uint64_t>(16).put<std::uint32_t>(0).put<std::uint64_t>(
        0xFFFFFFFFFFFFFFE0ull);
    b.pad();
    write_all(tmp.file("off.gguf"), b.v);
    EXPECT_NE(error_of(tmp.file("off.gguf")).find("past the end"), std::string::npos);
}

TEST(GgufMalformed, ShapeOverflow) {
    TempDir tmp;
    Bytes b;
    b.header(1, 0).str("w").put<std::uint32_t>(2).put<std::uint64_t>(1ull << 62).put<std::uint64_t>(16);
    b.put<std::uint32_t>(0).put<std::uint64_t>(0);
    b.pad();
    write_all(tmp.file("shape.gguf"), b.v);
    const auto e = error_of(tmp.file("shape.gguf"));
    EXPECT_NE(e.find("overflow"), std::string::npos) << e;
}

TEST(GgufMalformed, UnknownTensorType) {
    TempDir tmp;
    Bytes b;
    b.header(1, 0).str("w").put<std::uint32_t>(1).put<std::uint64_t>(32).put<std::uint32_t>(39).put<std::uint64_t>(0);
    b.pad();
    write_all(tmp.file("type.gguf"), b.v);
    const auto e = error_of(tmp.file("type.gguf"));
    EXPECT_NE(e.find("type id 39"), std::string::npos) << e;
}

TEST(GgufMalformed, UnknownValueTypeAndHugeCounts) {
    TempDir tmp;
    Bytes b;
    b.header(0, 1).str("k").put<std::uint32_t>(13).put<std::uint32_t>(0);
    write_all(tmp.file("vt.gguf"), b.v);
    EXPECT_NE(error_of(tmp.file("vt.gguf")).find("unknown value type 13"), std::string::npos);

    Bytes c;
    c.header(0, 1).str("arr").put<std::uint32_t>(9).put<std::uint32_t>(8).put<std::uint64_t>(1ull << 60);
    write_all(tmp.file("arr.gguf"), c.v);
    EXPECT_NE(error_of(tmp.file("arr.gguf")).find("arr.gguf"), std::string::npos);

    Bytes d;
    d.header(1ull << 50, 1ull << 50);
    write_all(tmp.file("counts.gguf"), d.v);
    EXPECT_NE(error_of(tmp.file("counts.gguf")).find("more than the file can hold"), std::string::npos);

    Bytes s;
    s.header(0, 1).put<std::uint64_t>(~0ull);
    write_all(tmp.file("keylen.gguf"), s.v);
    EXPECT_NE(error_of(tmp.file("keylen.gguf")).find("truncated"), std::string::npos);
}

TEST(GgufMalformed, DuplicatesMisalignmentAndBadAlignment) {
    TempDir tmp;
    Bytes dup;
    dup.header(0, 2).str("k").put<std::uint32_t>(4).put<std::uint32_t>(1).str("k").put<std::uint32_t>(4).put<std::uint32_t>(2);
    write_all(tmp.file("dup.gguf"), dup.v);
    EXPECT_NE(error_of(tmp.file("dup.gguf")).find("twice"), std::string::npos);

    Bytes mis;
    mis.header(1, 0).str("w").put<std::uint32_t>(1).put<std::uint64_t>(4).put<std::uint32_t>(0).put<std::uint64_t>(4);
    mis.pad();
    mis.v.resize(mis.v.size() + 64);
    write_all(tmp.file("mis.gguf"), mis.v);
    EXPECT_NE(error_of(tmp.file("mis.gguf")).find("alignment"), std::string::npos);

    Bytes al;
    al.header(0, 1).str("general.alignment").put<std::uint32_t>(4).put<std::uint32_t>(24);
    write_all(tmp.file("al.gguf"), al.v);
    EXPECT_NE(error_of(tmp.file("al.gguf")).find("power of two"), std::string::npos);

    Bytes dims;
    dims.header(1, 0).str("w").put<std::uint32_t>(5);
    dims.v.resize(dims.v.size() + 64);
    write_all(tmp.file("dims.gguf"), dims.v);
    EXPECT_NE(error_of(tmp.file("dims.gguf")).find("dimensions"), std::string::npos);
}

TEST(GgufWriterErrors, MisuseIsReported) {
    TempDir tmp;
    {
        GgufWriter w(tmp.file("w.gguf"));
        w.set_u32("k", 1);
        EXPECT_THROW(w.set_u32("k", 2), Error);
        w.add_tensor("t", TensorType::F32, {4});
        EXPECT_THROW(w.add_tensor("t", TensorType::F32, {4}), Error);
        EXPECT_THROW(w.add_tensor("bad", TensorType::TQ2_0, {100}), Error);
        const float d[2] = {1, 2};
        w.write_tensor_data(std::span<const float>(d));
        EXPECT_THROW(w.finish(), Error); // only 8 of 16 bytes
    }
    EXPECT_FALSE(fs::exists(tmp.file("w.gguf")));
    EXPECT_FALSE(fs::exists(tmp.file("w.gguf.part"))); // cleaned up
    {
        GgufWriter w(tmp.file("x.gguf"));
        w.add_tensor("t", TensorType::F32, {1});
        const float d[2] = {1, 2};
        EXPECT_THROW(w.write_tensor_data(std::span<const float>(d)), Error); // too much
    }
}

TEST(Gguf, ReadsTheSharedVocabularyFiles) {
    const std::string dir = std::string(TERN_SHARED_DATA_DIR) + "/vocab/";
    const auto spm = GgufFile::open(dir + "ggml-vocab-llama-spm.gguf");
    EXPECT_EQ(spm->get_string("tokenizer.ggml.model"), "llama");
    const auto& tokens = spm->get_string_array_view("tokenizer.ggml.tokens");
    EXPECT_EQ(tokens.size(), 32000u);
    EXPECT_EQ(spm->get_f32_array("tokenizer.ggml.scores").size(), 32000u);
    EXPECT_EQ(spm->get_i32_array("tokenizer.ggml.token_type").size(), 32000u);
    const auto gpt2 = GgufFile::open(dir + "ggml-vocab-gpt-2.gguf");
    EXPECT_EQ(gpt2->get_string("tokenizer.ggml.model"), "gpt2");
    EXPECT_GT(gpt2->get_string_array_view("tokenizer.ggml.merges").size(), 40000u);
}

} // namespace
