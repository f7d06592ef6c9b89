"""A small, independent GGUF reader (v2/v3) and the weight formats BitNet models use.

Written from the format description in ../shared/docs/FORMATS.md, not from the engine's code, so
that comparing the two checks the formats as well as the math.
"""
import struct

import numpy as np

VALUE_FORMATS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
                 10: "<Q", 11: "<q", 12: "<d"}

F32, F16, Q8_0, Q6_K, BF16, TQ1_0, TQ2_0, I2_S = 0, 1, 8, 14, 30, 34, 35, 36


class GgufError(Exception):
    pass


class Tensor:
    def __init__(self, name, ne, ggml_type, offset):
        self.name, self.ne, self.type, self.offset = name, ne, ggml_type, offset
        self.data = None  # bytes, set once the data offset is known

    @property
    def rows(self):
        n = 1
        for d in self.ne[1:]:
            n *= d
        return n


def tensor_nbytes(t):
    k, m = t.ne[0], t.rows
    if t.type == F32:
        return k * m * 4
    if t.type in (F16, BF16):
        return k * m * 2
    if t.type == Q8_0:
        return k // 32 * 34 * m
    if t.type == Q6_K:
        return k // 256 * 210 * m
    if t.type == TQ2_0:
        return k // 256 * 66 * m
    if t.type == TQ1_0:
        return k // 256 * 54 * m
    if t.type == I2_S:
        return k * m // 4 + 32
    raise GgufError(f"tensor {t.name}: unsupported type {t.type}")


class GgufFile:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = f.read()
        if self.buf[:4] != b"GGUF":
            raise GgufError(f"{path}: bad magic")
        self.pos = 4
        self.version = self._read("<I")
        if self.version not in (2, 3):
            raise GgufError(f"{path}: unsupported version {self.version}")
        n_tensors = self._read("<Q")
        n_kv = self._read("<Q")
        self.meta = {}
        for _ in range(n_kv):
            key = self._string()
            vtype = self._read("<I")
            self.meta[key] = self._value(vtype)
        self.tensors = {}
        for _ in range(n_tensors):
            name = self._string()
            n_dims = self._read("<I")
            ne = [self._read("<Q") for _ in range(n_dims)]
            ggml_type = self._read("<I")
            offset = self._read("<Q")
            self.tensors[name] = Tensor(name, ne, ggml_type, offset)
        align = self.meta.get("general.alignment", 32)
        data_start = (self.pos + align - 1) // align * align
        for t in self.tensors.values():
            start = data_start + t.offset
            t.data = self.buf[start:start + tensor_nbytes(t)]
            if len(t.data) != tensor_nbytes(t):
                raise GgufError(f"{path}: tensor {t.name} is truncated")

    def _read(self, fmt):
        v = struct.unpack_from(fmt, self.buf, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return v

    def _string(self):
        n = self._read("<Q")
        s = self.buf[self.pos:self.pos + n].decode("utf-8", errors="replace")
        self.pos += n
        return s

    def _value(self, vtype):
        if vtype == 8:
            return self._string()
        if vtype == 9:
            etype = self._read("<I")
            count = self._read("<Q")
            return [self._value(etype) for _ in range(count)]
        return self._read(VALUE_FORMATS[vtype])


# ---- weight formats ---------------------------------------------------------------------------

def fp16_bits_to_f32(raw):
    return np.frombuffer(raw, dtype="<f2").astype(np.float32)


def dequantize(t):
    """A dense tensor (embeddings, head, norms) as float32 rows of ne[0]."""
    k, m = t.ne[0], t.rows
    if t.type == F32:
        return np.frombuffer(t.data, dtype="<f4").reshape(m, k).copy()
    if t.type == F16:
        return fp16_bits_to_f32(t.data).reshape(m, k)
    if t.type == BF16:
        bits = np.frombuffer(t.data, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(m, k)
    if t.type == Q8_0:
        blocks = np.frombuffer(t.data, dtype=np.uint8).reshape(-1, 34)
        d = fp16_bits_to_f32(blocks[:, :2].tobytes())
        q = blocks[:, 2:].view(np.int8).astype(np.float32)
        return (q * d[:, None]).reshape(m, k)
    raise GgufError(f"tensor {t.name}: cannot dequantize type {t.type}")


def i2s_ternary(t):
    """I2_S: codes (value + 1) in 2 bits; within each 128-element block, element j is in byte
    j % 32 at shift 6 - 2 * (j // 32). Returns (int8 [M, K], scale)."""
    k, m = t.ne[0], t.rows
    raw = np.frombuffer(t.data, dtype=np.uint8)
    codes = raw[:m * k // 4].reshape(m, k // 128, 32)
    out = np.empty((m, k // 128, 4, 32), dtype=np.int8)
    for g in range(4):
        out[:, :, g, :] = ((codes >> (6 - 2 * g)) & 3).astype(np.int8) - 1
    scale = np.frombuffer(raw[m * k // 4:m * k // 4 + 4].tobytes(), dtype="<f4")[0]
    return out.reshape(m, k), np.float32(scale)


def tq2_0_ternary(t):
    """TQ2_0: 66-byte blocks of 256; in each 128-element half h, element 128h + 32n + m has its
    code at bits 2n of byte 32h + m; fp16 scale last. Returns (int8 [M, K], block scales)."""
    k, m = t.ne[0], t.rows
    blocks = np.frombuffer(t.data, dtype=np.uint8).reshape(m, k // 256, 66)
    qs = blocks[:, :, :64].reshape(m, k // 256, 2, 32)
    out = np.empty((m, k // 256, 2, 4, 32), dtype=np.int8)
    for n in range(4):
        out[:, :, :, n, :] = ((qs >> (2 * n)) & 3).astype(np.int8) - 1
    d = fp16_bits_to_f32(blocks[:, :, 64:66].tobytes()).reshape(m, k // 256)
    return out.reshape(m, k), d


def _base3_digits(b, count):
    """Digit n of a fixed-point base-3 byte is ((b * 3^n mod 256) * 3) >> 8."""
    b = b.astype(np.uint16)
    return [(((b * 3 ** n) & 0xFF) * 3 >> 8).astype(np.int8) for n in range(count)]


def tq1_0_ternary(t):
    """TQ1_0: 54-byte blocks of 256: qs[48] (5 trits per byte), qh[4] (4 trits), fp16 scale."""
    k, m = t.ne[0], t.rows
    blocks = np.frombuffer(t.data, dtype=np.uint8).reshape(m, k // 256, 54)
    out = np.empty((m, k // 256, 256), dtype=np.int8)
    d0 = _base3_digits(blocks[:, :, 0:32], 5)
    for n in range(5):
        out[:, :, 32 * n:32 * n + 32] = d0[n]
    d1 = _base3_digits(blocks[:, :, 32:48], 5)
    for n in range(5):
        out[:, :, 160 + 16 * n:160 + 16 * n + 16] = d1[n]
    d2 = _base3_digits(blocks[:, :, 48:52], 4)
    for n in range(4):
        out[:, :, 240 + 4 * n:240 + 4 * n + 4] = d2[n]
    d = fp16_bits_to_f32(blocks[:, :, 52:54].tobytes()).reshape(m, k // 256)
    return (out - 1).reshape(m, k), d
