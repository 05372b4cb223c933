"""Safe processing of uploaded house photos: sniff, check, decode, re-encode without metadata.

Pure functions over bytes, no Django: the Celery task reads the upload, calls `process_photo` and
stores the two JPEGs. Nothing here logs; errors carry a code and fixed messages, never file data
(photos, their EXIF and GPS tags are personal data). See `docs/photos.md`.
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from dataclasses import dataclass, field
from typing import Final, Literal

import pillow_heif
from PIL import Image, ImageOps

# Registers the "HEIF" opener with Pillow (idempotent). It is only used when "HEIF" is sniffed.
pillow_heif.register_heif_opener()

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024
"""Largest accepted upload (10 MiB), checked before any parsing."""

MAX_PIXELS: Final = 40_000_000
"""Largest accepted width x height (40 megapixels), checked from the header before decoding.

Pillow's global `Image.MAX_IMAGE_PIXELS` is left alone (other code in the process may use Pillow);
this module checks its own limit, and also turns Pillow's `DecompressionBombWarning` into a rejection.
"""

LONG_SIDE: Final = 1600
THUMB_LONG_SIDE: Final = 320
JPEG_QUALITY: Final = 82
THUMB_JPEG_QUALITY: Final = 75

ACCEPTED_FORMATS: Final = ("JPEG", "PNG", "WEBP", "HEIF")
"""Pillow format ids that `sniff` returns and `process_photo` opens (HEIF includes HEIC)."""

RejectionCode = Literal["too_large", "empty", "not_an_image", "unsupported_format", "too_many_pixels", "corrupt"]

# (Indonesian message for the user, English message for staff.) Fixed texts: no file data ever.
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "too_large": (
        "Ukuran foto terlalu besar. Batas maksimal 10 MB.",
        "The photo is too large. The limit is 10 MB.",
    ),
    "empty": (
        "Berkas foto kosong. Silakan ambil foto ulang.",
        "The photo file is empty. Please take the photo again.",
    ),
    "not_an_image": (
        "Berkas ini bukan foto. Silakan ambil foto ulang.",
        "This file is not a photo. Please take the photo again.",
    ),
    "unsupported_format": (
        "Format foto tidak didukung. Gunakan JPEG, PNG, WEBP, atau HEIC.",
        "Unsupported photo format. Use JPEG, PNG, WEBP or HEIC.",
    ),
    "too_many_pixels": (
        "Resolusi foto terlalu besar. Batas maksimal 40 megapiksel.",
        "The photo resolution is too high. The limit is 40 megapixels.",
    ),
    "corrupt": (
        "Foto rusak atau tidak lengkap. Silakan ambil foto ulang.",
        "The photo is damaged or incomplete. Please take the photo again.",
    ),
}

# Errors Pillow and pillow-heif raise for truncated or malformed data (UnidentifiedImageError is an OSError).
_DECODE_ERRORS: Final = (OSError, SyntaxError, ValueError, EOFError, struct.error)

_HEVC_BRANDS: Final = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"})
_GENERIC_HEIF_BRANDS: Final = frozenset({b"mif1", b"msf1"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})
_MAX_FTYP_BOX: Final = 4096

# Image formats we recognise but refuse (magic prefix). Anything else unrecognised is "not_an_image".
_REFUSED_MAGIC: Final = (
    b"GIF87a",
    b"GIF89a",
    b"BM",  # BMP
    b"II*\x00",  # TIFF, little-endian
    b"MM\x00*",  # TIFF, big-endian
    b"\x00\x00\x01\x00",  # ICO
    b"8BPS",  # Photoshop
    b"\x00\x00\x00\x0cjP  \r\n\x87\n",  # JPEG 2000
    b"\xff\x4f\xff\x51",  # JPEG 2000 codestream
    b"\xff\x0a",  # JPEG XL codestream
    b"\x00\x00\x00\x0cJXL \r\n\x87\n",  # JPEG XL container
    b"qoif",
)


class PhotoRejectedError(Exception):
    """An upload that is not an acceptable photo.

    `code` is one of the `RejectionCode` values; `message` (Indonesian, for the enumerator) and
    `message_en` are fixed texts that never contain data from the file. `cause` is at most the class
    name of the underlying decoder error (e.g. "OSError"), safe to log. `str(error)` is the code.
    """

    def __init__(self, code: RejectionCode, *, cause: str | None = None) -> None:
        super().__init__(code)
        self.code: RejectionCode = code
        self.message, self.message_en = MESSAGES[code]
        self.cause = cause


@dataclass(frozen=True, slots=True)
class ProcessedPhoto:
    """A re-encoded photo: baseline facts plus two metadata-free JPEGs (bytes kept out of `repr`)."""

    image: bytes = field(repr=False)
    thumbnail: bytes = field(repr=False)
    width: int
    height: int
    source_format: str


def sha256_hex(data: bytes) -> str:
    """Return the lowercase hex SHA-256 of `data` (used to key uploads and detect retries)."""
    return hashlib.sha256(data).hexdigest()


def sniff(data: bytes) -> str:
    """Identify the format of an upload from its magic bytes.

    Only the content counts: a client's file name or declared content type is never consulted.
    Returns one of `ACCEPTED_FORMATS` ("JPEG", "PNG", "WEBP", "HEIF").

    Raises `PhotoRejectedError` with code "empty" (no bytes), "too_large" (over `MAX_UPLOAD_BYTES`,
    checked first and without parsing), "unsupported_format" (a known image format we refuse: GIF,
    BMP, TIFF, AVIF, SVG, ...) or "not_an_image" (anything else).
    """
    if not data:
        raise PhotoRejectedError("empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoRejectedError("too_large")
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    brands = _ftyp_brands(data)
    if brands & _HEVC_BRANDS:
        return "HEIF"
    if brands & _AVIF_BRANDS:
        raise PhotoRejectedError("unsupported_format")
    if brands & _GENERIC_HEIF_BRANDS:
        return "HEIF"
    if data.startswith(_REFUSED_MAGIC) or _looks_like_svg(data):
        raise PhotoRejectedError("unsupported_format")
    raise PhotoRejectedError("not_an_image")


def check_header(data: bytes) -> tuple[str, int, int]:
    """The cheap check of an upload, for the web process: no pixel is decoded.

    Size limit and `sniff`, then Pillow (restricted to the sniffed format) reads the header only:
    the dimensions must be positive and at most `MAX_PIXELS`. Returns (format, width, height).
    Takes no lock and changes no process-wide state, so web threads may call it at once. A file
    that passes can still fail to decode (e.g. truncated after its header): `process_photo`, in
    the task, finds that.

    Raises `PhotoRejectedError`: the codes of `sniff`, "too_many_pixels" or "corrupt" (a header
    Pillow cannot read).
    """
    source_format = sniff(data)
    try:
        with Image.open(io.BytesIO(data), formats=[source_format]) as probe:
            width, height = probe.size
            _check_pixels((width, height))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit (2 x Image.MAX_IMAGE_PIXELS) is checked inside `open`, before ours.
        failure = PhotoRejectedError("too_many_pixels")
    except _DECODE_ERRORS as error:
        failure = PhotoRejectedError("corrupt", cause=type(error).__name__)
    else:
        return source_format, width, height
    # Raised outside the handler so the decoder's message (which may quote file bytes) is not chained.
    raise failure


def process_photo(data: bytes) -> ProcessedPhoto:
    """Check and re-encode an uploaded photo.

    Steps: size limit and `sniff` (before any parsing); open with Pillow restricted to the sniffed
    format; reject more than `MAX_PIXELS` from the header, before decoding; `verify()`, then reopen
    and decode (JPEGs at a reduced DCT scale when much larger than needed); apply the EXIF
    orientation; flatten to RGB (alpha composited on white, 16-bit scaled to 8-bit, CMYK/palette
    converted); downscale to at most `LONG_SIDE` px on the long side (never upscaled, LANCZOS) and
    make a `THUMB_LONG_SIDE` thumbnail; save both as progressive, optimised JPEGs with no EXIF, GPS,
    XMP, ICC profile or comment. The same input always gives the same bytes.

    Pure and thread-compatible except for `warnings.catch_warnings`, which is process-global: call it
    from Celery prefork workers (or one thread at a time).

    Raises `PhotoRejectedError`: the codes of `sniff`, "too_many_pixels" (over `MAX_PIXELS` or a
    Pillow decompression-bomb warning/error) or "corrupt" (truncated or malformed data). Other
    exceptions (e.g. `MemoryError`) are bugs or infrastructure failures and propagate.
    """
    source_format = sniff(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            return _process(data, source_format)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        failure = PhotoRejectedError("too_many_pixels")
    except _DECODE_ERRORS as error:
        failure = PhotoRejectedError("corrupt", cause=type(error).__name__)
    # Raised outside the handler so the decoder's message (which may quote file bytes) is not chained.
    raise failure


def _process(data: bytes, source_format: str) -> ProcessedPhoto:
    with Image.open(io.BytesIO(data), formats=[source_format]) as probe:
        _check_pixels(probe.size)
        probe.verify()  # leaves `probe` unusable, hence the second open
    with Image.open(io.BytesIO(data), formats=[source_format]) as opened:
        _check_pixels(opened.size)
        if source_format == "JPEG":
            # Decode at 1/2, 1/4 or 1/8 scale when that still leaves LONG_SIDE on the short side.
            # The EXIF orientation is applied after decoding; draft keeps the aspect ratio.
            opened.draft("RGB", (LONG_SIDE, LONG_SIDE))
        opened.load()
        # In place: one decoded copy at a time. Everything happens before the `with` closes the image.
        ImageOps.exif_transpose(opened, in_place=True)
        image = _downscale(_flatten(opened), LONG_SIDE).convert("RGB")
        thumbnail = _downscale(image, THUMB_LONG_SIDE)
        return ProcessedPhoto(
            image=_encode_jpeg(image, JPEG_QUALITY),
            thumbnail=_encode_jpeg(thumbnail, THUMB_JPEG_QUALITY),
            width=image.width,
            height=image.height,
            source_format=source_format,
        )


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ValueError("empty image")  # reported as "corrupt"
    # Pillow's own limit too, if someone set it lower: `check_header` catches no warning (that
    # would be process-wide state), so it compares the header with the limit itself.
    pillow_limit = Image.MAX_IMAGE_PIXELS
    if width * height > MAX_PIXELS or (pillow_limit is not None and width * height > pillow_limit):
        raise PhotoRejectedError("too_many_pixels")


def _flatten(image: Image.Image) -> Image.Image:
    """An "L" or "RGB" copy (or `image` itself) without alpha; greyscale stays "L" until after downscaling."""
    if image.mode in ("I;16", "I"):
        # 16-bit greyscale (PNG): scale 0..65535 to 0..255 instead of clipping at 255.
        return image.point(lambda value: value * (1 / 256)).convert("L")
    if image.mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in image.info:
        # paste() takes RGBA and LA into RGB as they are and uses their alpha as the mask: no extra copy.
        source = image if image.mode in ("RGBA", "LA") else image.convert("RGBA")
        flat = Image.new("RGB", source.size, (255, 255, 255))
        flat.paste(source, mask=source)
        return flat
    if image.mode in ("L", "RGB"):
        return image
    if image.mode == "1":
        return image.convert("L")  # resize() would fall back to nearest-neighbour for "1"
    return image.convert("RGB")  # P, CMYK, YCbCr, LAB, ...


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    width, height = size
    longest = max(width, height)
    if longest <= long_side:
        return size
    scale = long_side / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


def _downscale(image: Image.Image, long_side: int) -> Image.Image:
    target = _fit(image.size, long_side)
    if target == image.size:
        return image
    return image.resize(target, Image.Resampling.LANCZOS)


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    # Pillow copies some `info` entries (e.g. "comment") into the file unless told otherwise; the
    # pixels are all we keep. No exif=/icc_profile=/xmp= arguments: the output has no metadata.
    image.info.clear()
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _ftyp_brands(data: bytes) -> frozenset[bytes]:
    """The major and compatible brands of an ISO-BMFF `ftyp` box at offset 0 (empty if none)."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return frozenset()
    box_size = min(int.from_bytes(data[:4], "big"), len(data), _MAX_FTYP_BOX)
    brands = {data[8:12]}
    brands.update(data[offset : offset + 4] for offset in range(16, box_size - 3, 4))
    return frozenset(brands)


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in head
