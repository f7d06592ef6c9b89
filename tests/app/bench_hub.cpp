// tern-bench-hub: the downloader's mock Hugging Face hub (tests/downloader/mock_hub.h) as a
// process, for scripts/bench-gui.sh: it serves a synthetic checkpoint (converted after download)
// on 127.0.0.1, writes a catalog naming it, prints "endpoint <url>" and serves until killed (or
// until --lifetime seconds pass, so a forgotten one never lingers).
#include "mock_hub.h"
#include "tiny_checkpoint.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

namespace {

constexpr const char* kRepo = "tern-bench/checkpoint";

const char* kUsage =
    "Usage: tern-bench-hub --catalog-out FILE [options]\n\n"
    "Serves a synthetic BitNet b1.58 checkpoint as the Hugging Face repository "
    "tern-bench/checkpoint\n"
    "on 127.0.0.1, writes a model catalog with it to FILE, prints \"endpoint <url>\" and serves\n"
    "until killed.\n\n"
    "  --dim N              hidden size, a multiple of 64 (default 512)\n"
    "  --ffn N              FFN width (default 1536)\n"
    "  --layers N           blocks (default 8; about 6 MB each at the defaults)\n"
    "  --chunk-delay-ms N   pause per 16 KiB sent, to pace the transfer (default 1)\n"
    "  --lifetime S         exit after S seconds (default 3600)\n";

[[noreturn]] void usage_error(const std::string& message) {
    std::fprintf(stderr, "tern-bench-hub: %s\n\n%s", message.c_str(), kUsage);
    std::exit(2);
}

std::uint64_t number(const std::string& flag, const char* value) {
    if (!value)
        usage_error(flag + " needs a value");
    char* end = nullptr;
    const unsigned long long n = std::strtoull(value, &end, 10);
    if (!*value || *end)
        usage_error(flag + " must be a whole number, not '" + value + "'");
    return n;
}

} // namespace

int main(int argc, char** argv) {
    tern::test::TinyCheckpointShape shape{512, 1536, 8};
    std::string catalog_out;
    std::uint64_t delay_ms = 1, lifetime_s = 3600;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
        if (flag == "-h" || flag == "--help") {
            std::printf("%s", kUsage);
            return 0;
        } else if (flag == "--catalog-out") {
            if (!value)
                usage_error("--catalog-out needs a file");
            catalog_out = value;
        } else if (flag == "--dim") {
            shape.dim = number(flag, value);
        } else if (flag == "--ffn") {
            shape.ffn = number(flag, value);
        } else if (flag == "--layers") {
            shape.layers = number(flag, value);
        } else if (flag == "--chunk-delay-ms") {
            delay_ms = number(flag, value);
        } else if (flag == "--lifetime") {
            lifetime_s = number(flag, value);
        } else {
            usage_error("unknown option " + flag);
        }
        ++i;
    }
    if (catalog_out.empty())
        usage_error("--catalog-out FILE is required");
    if (shape.dim == 0 || shape.dim % 64 != 0)
        usage_error("--dim must be a positive multiple of 64");
    if (shape.ffn == 0 || shape.layers == 0)
        usage_error("--ffn and --layers must be positive");

    std::map<std::string, tern::testing::MockFile> files;
    std::uint64_t total = 0;
    for (const auto& [name, content] : tern::test::tiny_checkpoint_files(shape)) {
        files[name] = {content, name.ends_with(".safetensors")};
        total += content.size();
    }
    tern::testing::MockHub hub;
    hub.add_repo(kRepo, files);
    hub.set_chunk_delay(std::chrono::milliseconds(delay_ms));

    std::ofstream catalog(catalog_out);
    catalog
        << R"({"catalog_version": 1, "models": [{"id": ")" << kRepo
        << R"(", "name": "Benchmark checkpoint", "architecture": "bitnet-b1.58", "parameters": "synthetic",)"
        << R"( "license": "MIT", "format": "safetensors", "needs_conversion": true,)"
        << R"( "files": ["*.json", "*.safetensors"], "download_bytes": )" << total
        << R"(, "download_size_approximate": false, "memory_bytes": )" << total
        << R"(, "memory_approximate": true}]})"
        << "\n";
    catalog.close();
    if (!catalog) {
        std::fprintf(stderr, "tern-bench-hub: cannot write %s\n", catalog_out.c_str());
        return 1;
    }
    std::printf("endpoint %s\nrepo %s\nbytes %llu\n", hub.endpoint().c_str(), kRepo,
                static_cast<unsigned long long>(total));
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::seconds(lifetime_s));
    hub.stop();
    return 0;
}
