"""Text and QR forms of a pass: ``"LL1:" + Base45(zlib(COSE_Sign1 bytes))``.

Like the EU DCC's ``HC1:``. Base45 (RFC 9285) uses exactly the QR alphanumeric alphabet, so
the QR code is encoded in alphanumeric mode (5.5 bits per char).

Decoding is canonical, not merely valid: the text must be exactly what :func:`encode_text`
produces for the decoded COSE bytes. Deflate has slack (padding bits after the last block,
header level bits), so without this check a handful of one-character edits decode to the
*same* signed pass. Those aliases carry no attacker content, but a strict one-text-per-pass
rule is simpler to reason about and to test. The cost: issuer and verifier must share zlib's
deflate (CPython's zlib); the browser verifier does not check this and is unaffected.
"""

from __future__ import annotations

import sys
import zlib
from array import array

import segno

__all__ = [
    "MAX_QR_VERSION",
    "MAX_TEXT_CHARS",
    "PREFIX",
    "EncodingError",
    "b45decode",
    "b45encode",
    "decode_text",
    "encode_text",
    "qr_code",
    "qr_svg",
    "qr_version",
]

PREFIX = "LL1:"
MAX_QR_VERSION = 12
# Alphanumeric capacity of a version-12 QR at error level L (M holds 419). Texts up to this
# length always fit in version <= 12; issue_pass refuses longer ones.
MAX_TEXT_CHARS = 535
# A decompressed envelope this large cannot have come from a text that fits our QR codes;
# the bound also stops decompression bombs.
_MAX_COSE_BYTES = 4096

_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_BYTES = _B45.encode("ascii")
# Maps an ASCII byte to its Base45 digit value, 0xFF for bytes outside the alphabet.
_B45_VALUES = bytes(_B45.index(chr(i)) if chr(i) in _B45 else 0xFF for i in range(256))
# Fixed deflate parameters make encode_text deterministic; a 1 KiB window covers any pass.
_ZLIB_LEVEL, _ZLIB_WBITS, _ZLIB_MEMLEVEL = 9, 10, 4


class EncodingError(ValueError):
    """The text is not a canonical LL1 pass text."""


def b45encode(data: bytes) -> str:
    """RFC 9285 Base45."""
    out = []
    for i in range(0, len(data) - 1, 2):
        v = data[i] << 8 | data[i + 1]
        v, c = divmod(v, 45)
        e, d = divmod(v, 45)
        out.append(_B45[c] + _B45[d] + _B45[e])
    if len(data) % 2:
        d, c = divmod(data[-1], 45)
        out.append(_B45[c] + _B45[d])
    return "".join(out)


def b45decode(text: str) -> bytes:
    """Strict RFC 9285 Base45: alphabet, length and range all checked (EncodingError)."""
    try:
        raw = text.encode("ascii")
    except UnicodeEncodeError as exc:
        raise EncodingError("Base45 text must be ASCII") from exc
    vals = raw.translate(_B45_VALUES)
    if b"\xff" in vals:
        raise EncodingError("character outside the Base45 alphabet")
    n = len(vals)
    if n % 3 == 1:
        raise EncodingError("Base45 length is 1 mod 3")
    full = n - n % 3
    words = [
        a + b * 45 + c * 2025
        for a, b, c in zip(vals[0:full:3], vals[1:full:3], vals[2:full:3], strict=True)
    ]
    if words and max(words) > 0xFFFF:
        raise EncodingError("Base45 triple out of range")
    packed = array("H", words)
    if sys.byteorder == "little":
        packed.byteswap()
    out = packed.tobytes()
    if n % 3 == 2:
        last = vals[-2] + vals[-1] * 45
        if last > 0xFF:
            raise EncodingError("Base45 pair out of range")
        out += bytes((last,))
    return out


def _compress(data: bytes) -> bytes:
    compressor = zlib.compressobj(_ZLIB_LEVEL, zlib.DEFLATED, _ZLIB_WBITS, _ZLIB_MEMLEVEL)
    return compressor.compress(data) + compressor.flush()


def encode_text(cose_bytes: bytes) -> str:
    """The pass text for COSE bytes. Deterministic; ``decode_text`` inverts it exactly."""
    return PREFIX + b45encode(_compress(cose_bytes))


def decode_text(text: str) -> bytes:
    """COSE bytes from a pass text; EncodingError unless the text is canonical.

    Nothing here is authenticated: the returned bytes still need :func:`cose.verify`.
    """
    if type(text) is not str or not text.startswith(PREFIX):
        raise EncodingError(f"pass text must start with {PREFIX!r}")
    if len(text) > MAX_TEXT_CHARS:
        raise EncodingError("pass text is too long")
    compressed = b45decode(text[len(PREFIX) :])
    inflater = zlib.decompressobj()
    try:
        cose_bytes = inflater.decompress(compressed, _MAX_COSE_BYTES)
    except zlib.error as exc:
        raise EncodingError(f"not a zlib stream: {exc}") from exc
    if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise EncodingError("zlib stream is truncated, oversized or has trailing data")
    if _compress(cose_bytes) != compressed:
        raise EncodingError("zlib stream is not canonical")
    return cose_bytes


def qr_code(text: str) -> segno.QRCode:
    """The smallest QR code for ``text``: error level M, or L if M would exceed version 12.

    Raises EncodingError when even level L needs a version above MAX_QR_VERSION.
    """
    for error in ("M", "L"):
        qr = segno.make(text, error=error, boost_error=False, micro=False)
        if int(qr.version) <= MAX_QR_VERSION:
            return qr
    raise EncodingError(f"pass text needs QR version {qr.version} > {MAX_QR_VERSION}")


def qr_version(text: str) -> int:
    """The QR version :func:`qr_code` uses for ``text``."""
    return int(qr_code(text).version)


def qr_svg(text: str, *, scale: int = 4) -> str:
    """Inline SVG markup of :func:`qr_code` (quiet zone included)."""
    return str(qr_code(text).svg_inline(scale=scale))
