#!/usr/bin/env python3
"""Renders resources/icons/tern.svg to the PNG sizes, the Windows .ico and the macOS .icns.

Run by hand after changing the SVG (needs rsvg-convert from librsvg2-bin); the outputs are
committed, so builds need neither this script nor rsvg-convert. Both .ico and .icns may carry
PNG payloads, which every supported Windows and macOS version reads.
"""
import pathlib
import struct
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "tern.svg"
PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]


def render(size: int) -> bytes:
    out = ICONS / f"tern-{size}.png"
    subprocess.run(["rsvg-convert", "-w", str(size), "-h", str(size), str(SVG), "-o", str(out)],
                   check=True)
    return out.read_bytes()


def write_ico(pngs: dict) -> None:
    sizes = [16, 24, 32, 48, 64, 128, 256]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for size in sizes:
        data = pngs[size]
        dim = 0 if size == 256 else size  # 0 means 256 in the ICO directory
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        payload += data
        offset += len(data)
    (ROOT / "packaging" / "windows" / "tern.ico").write_bytes(header + entries + payload)


def write_icns(pngs: dict) -> None:
    # OSType codes for PNG-encoded images of these pixel sizes.
    kinds = [(b"icp4", 16), (b"icp5", 32), (b"icp6", 64), (b"ic07", 128), (b"ic08", 256),
             (b"ic09", 512)]
    body = b"".join(code + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
                    for code, size in kinds)
    (ROOT / "packaging" / "macos" / "tern.icns").write_bytes(
        b"icns" + struct.pack(">I", 8 + len(body)) + body)


def main() -> None:
    pngs = {size: render(size) for size in PNG_SIZES}
    write_ico(pngs)
    write_icns(pngs)


if __name__ == "__main__":
    main()
