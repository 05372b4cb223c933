"""Tests for photos.imaging: every image is generated here with Pillow (no fixtures, no people).

No database: run with `pytest -p no:django --noconftest tests/geotag`.
"""

from __future__ import annotations

import inspect
import io
import random
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile

from photos import imaging
from photos.imaging import (
    LONG_SIDE,
    MAX_PIXELS,
    MAX_UPLOAD_BYTES,
    MESSAGES,
    THUMB_LONG_SIDE,
    PhotoRejectedError,
    ProcessedPhoto,
    process_photo,
    sha256_hex,
    sniff,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MARKER = "RegsosekTestCam"  # planted in EXIF Make, XMP and the JPEG comment; must not survive
RED = (255, 0, 0)
BLUE = (0, 0, 255)


# ---------------------------------------------------------------- builders


def _split_image(size: tuple[int, int], left: tuple[int, int, int] = RED, right: tuple[int, int, int] = BLUE):
    """Left half one colour, right half another: shows which way an image was rotated."""
    image = Image.new("RGB", size, right)
    image.paste(left, (0, 0, size[0] // 2, size[1]))
    return image


def _save(image: Image.Image, fmt: str, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **params)
    return out.getvalue()


def _camera_exif(orientation: int = 6) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = MARKER
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "S",
            ExifTags.GPS.GPSLatitude: (6.0, 12.0, 30.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (106.0, 48.0, 0.0),
        }
    )
    return exif


def _camera_jpeg(size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A phone-like JPEG: EXIF with GPS and Orientation=6, XMP, an ICC profile and a comment."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description tiff:Make="{MARKER}"/></x:xmpmeta>'.encode()
    return _save(
        _split_image(size),
        "JPEG",
        quality=90,
        exif=_camera_exif().tobytes(),
        icc_profile=icc,
        xmp=xmp,
        comment=MARKER,
    )


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _bilevel_png(width: int, height: int) -> bytes:
    """A genuine, valid 1-bit PNG of all-black pixels: kilobytes on disk, width*height bytes once decoded."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj()
    parts = [compressor.compress(row * 256) for _ in range(height // 256)]
    parts += [compressor.compress(row * (height % 256)), compressor.flush()]
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", b"".join(parts))
        + _png_chunk(b"IEND", b"")
    )


def _png_with_patched_header(width: int, height: int) -> bytes:
    """A 1x1 PNG whose IHDR (CRC fixed) claims width x height."""
    data = bytearray(_save(Image.new("L", (1, 1)), "PNG"))
    assert data[12:16] == b"IHDR"  # length(4) type(4) body(13) crc(4) after the 8-byte signature
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def _jpeg_with_patched_header(width: int, height: int) -> bytes:
    """A small baseline JPEG whose SOF0 segment claims width x height."""
    data = bytearray(_save(Image.new("RGB", (16, 16), "green"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def _jpeg_markers(data: bytes) -> list[int]:
    """The marker bytes of the segments from SOI up to and including SOS."""
    assert data[:2] == b"\xff\xd8"
    markers, offset = [], 2
    while True:
        assert data[offset] == 0xFF
        marker = data[offset + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack(">H", data[offset + 2 : offset + 4])
        offset += 2 + length


def _open(data: bytes) -> ImageFile.ImageFile:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _assert_no_metadata(jpeg: bytes) -> None:
    markers = _jpeg_markers(jpeg)
    assert [m for m in markers if 0xE1 <= m <= 0xEF] == []  # no APP1 (EXIF/XMP), APP2 (ICC), APP13, APP14...
    assert 0xFE not in markers  # no comment
    assert 0xC2 in markers  # progressive
    image = _open(jpeg)
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    for key in ("exif", "icc_profile", "xmp", "comment", "photoshop"):
        assert key not in image.info
    for needle in (MARKER.encode(), b"Exif\x00\x00", b"ICC_PROFILE", b"http://ns.adobe.com/xap", b"xmpmeta"):
        assert needle not in jpeg


def _rejection(data: bytes) -> PhotoRejectedError:
    with pytest.raises(PhotoRejectedError) as caught:
        process_photo(data)
    return caught.value


def _close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


# ---------------------------------------------------------------- happy paths


def test_it_downscales_rotates_and_strips_all_metadata_from_a_camera_jpeg():
    data = _camera_jpeg((3000, 2000))
    source = Image.open(io.BytesIO(data))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo), "the input must really carry GPS"
    assert {"exif", "icc_profile", "xmp", "comment"} <= set(source.info), "and the other metadata"

    result = process_photo(data)

    assert result.source_format == "JPEG"
    assert (result.width, result.height) == (1067, 1600)  # Orientation=6: 3000x2000 is shown portrait
    image = _open(result.image)
    assert image.size == (1067, 1600)
    assert image.mode == "RGB"
    # Rotated 90 degrees clockwise: the red left half is now on top, the blue right half at the bottom.
    assert _close(image.getpixel((533, 100)), RED)
    assert _close(image.getpixel((533, 1500)), BLUE)
    _assert_no_metadata(result.image)

    thumbnail = _open(result.thumbnail)
    assert thumbnail.size == (213, 320)
    assert _close(thumbnail.getpixel((106, 20)), RED)
    _assert_no_metadata(result.thumbnail)


@pytest.mark.parametrize("orientation", [3, 8])
def test_it_applies_other_exif_orientations(orientation):
    exif = _camera_exif(orientation).tobytes()
    result = process_photo(_save(_split_image((600, 400)), "JPEG", exif=exif))
    image = _open(result.image)
    if orientation == 3:  # rotated 180: red ends up on the right
        assert image.size == (600, 400)
        assert _close(image.getpixel((550, 200)), RED)
    else:  # rotated 90 counter-clockwise: red ends up at the bottom
        assert image.size == (400, 600)
        assert _close(image.getpixel((200, 550)), RED)
    _assert_no_metadata(result.image)


def test_it_decodes_large_jpegs_at_reduced_scale_and_still_fills_the_long_side(monkeypatch):
    decoded = []
    real_load = ImageFile.ImageFile.load

    def spy_load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy_load)
    result = process_photo(_save(_split_image((6400, 4800)), "JPEG", quality=70))
    assert decoded[0] == (3200, 2400)  # DCT-scaled by 1/2: 12 MB of pixels instead of 92 MB
    assert (result.width, result.height) == (1600, 1200)
    image = _open(result.image)
    assert _close(image.getpixel((100, 600)), RED)
    assert _close(image.getpixel((1500, 600)), BLUE)


@pytest.mark.parametrize(
    "mode, pixel",
    [
        ("RGBA", (0, 200, 0, 255)),
        ("LA", (90, 255)),
        ("P", 1),  # palette index 1 is green, index 0 is the transparent colour
    ],
)
def test_it_does_not_upscale_and_flattens_transparency_on_white(mode, pixel):
    if mode == "P":
        image = Image.new("P", (800, 600), 0)
        image.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
        image.info["transparency"] = 0
    else:
        image = Image.new(mode, (800, 600), (0,) * len(pixel))  # fully transparent black
    image.paste(pixel, (400, 0, 800, 600))  # right half opaque
    data = _save(image, "PNG", transparency=0) if mode == "P" else _save(image, "PNG")

    result = process_photo(data)

    assert result.source_format == "PNG"
    assert (result.width, result.height) == (800, 600)
    out = _open(result.image)
    assert out.format == "JPEG"
    assert out.size == (800, 600)
    assert _close(out.getpixel((100, 300)), (255, 255, 255))  # transparent -> white, not black
    opaque = (0, 200, 0) if mode in ("RGBA", "P") else (90, 90, 90)
    assert _close(out.getpixel((700, 300)), opaque)
    assert _open(result.thumbnail).size == (THUMB_LONG_SIDE, 240)
    _assert_no_metadata(result.image)


@pytest.mark.parametrize("mode", ["L", "1", "P", "RGB"])
def test_it_resamples_smoothly(mode):
    # A one-pixel checkerboard halved: LANCZOS averages to mid grey; nearest-neighbour keeps black or white
    # (Pillow silently resizes "1" and "P" images with nearest-neighbour, so those are converted first).
    board = Image.frombytes("L", (3200, 1600), (b"\x00\xff" * 1600 + b"\xff\x00" * 1600) * 800).convert(mode)
    assert board.mode == mode
    result = process_photo(_save(board, "PNG"))
    assert (result.width, result.height) == (1600, 800)
    assert _close(_open(result.image).getpixel((800, 400)), (128, 128, 128), tolerance=20)
    assert _close(_open(result.thumbnail).getpixel((160, 80)), (128, 128, 128), tolerance=20)


def test_it_keeps_tiny_images_at_their_size_for_both_outputs():
    result = process_photo(_save(Image.new("RGB", (120, 50), "white"), "PNG"))
    assert (result.width, result.height) == (120, 50)
    assert _open(result.image).size == (120, 50)
    assert _open(result.thumbnail).size == (120, 50)


def test_it_converts_a_cmyk_jpeg():
    data = _save(Image.new("CMYK", (900, 700), (0, 255, 255, 0)), "JPEG")  # pure red in CMYK
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    result = process_photo(data)
    out = _open(result.image)
    assert out.mode == "RGB"
    assert out.size == (900, 700)
    assert _close(out.getpixel((450, 350)), RED)


def test_it_scales_a_16_bit_greyscale_png_instead_of_clipping():
    image = Image.new("I;16", (2000, 1000), 32768)  # mid grey at 16 bits
    data = _save(image, "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    result = process_photo(data)
    out = _open(result.image)
    assert out.size == (1600, 800)
    assert _close(out.getpixel((800, 400)), (128, 128, 128), tolerance=3)  # clipping would give 255


def test_it_converts_webp():
    result = process_photo(_save(_split_image((2000, 1000)), "WEBP", quality=90))
    assert result.source_format == "WEBP"
    assert (result.width, result.height) == (1600, 800)
    assert _close(_open(result.image).getpixel((100, 400)), RED)


def test_it_converts_a_multi_picture_jpeg_from_a_phone():
    first, second = _split_image((2400, 1800)), Image.new("RGB", (640, 480), "white")
    data = _save(first, "MPO", save_all=True, append_images=[second])
    assert sniff(data) == "JPEG"
    result = process_photo(data)
    assert (result.width, result.height) == (1600, 1200)
    assert _close(_open(result.image).getpixel((100, 600)), RED)


def _heic(image: Image.Image, **params) -> bytes:
    try:
        return _save(image, "HEIF", **params)
    except (KeyError, OSError, ValueError) as error:  # KeyError: no HEIF writer registered
        pytest.skip(f"the installed pillow-heif cannot encode HEIC here ({type(error).__name__})")


def test_it_converts_a_heic_and_drops_its_gps():
    data = _heic(_split_image((1800, 1200)), exif=_camera_exif(6).tobytes(), quality=80)
    assert data[4:12] == b"ftypheic"
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the input must really carry GPS"

    result = process_photo(data)

    assert result.source_format == "HEIF"
    # Orientation 6 once, not twice: libheif rotates on decode and pillow-heif resets the EXIF tag.
    assert (result.width, result.height) == (1067, 1600)
    image = _open(result.image)
    assert _close(image.getpixel((533, 100)), RED, tolerance=20)
    assert _close(image.getpixel((533, 1500)), BLUE, tolerance=20)
    _assert_no_metadata(result.image)
    assert _open(result.thumbnail).size == (213, 320)


def test_it_decides_by_content_not_by_file_name_or_declared_type(tmp_path):
    assert list(inspect.signature(process_photo).parameters) == ["data"]
    misnamed = tmp_path / "rumah.png"
    misnamed.write_bytes(_save(_split_image((800, 600)), "JPEG"))
    result = process_photo(misnamed.read_bytes())
    assert result.source_format == "JPEG"
    assert (result.width, result.height) == (800, 600)

    misnamed = tmp_path / "rumah.jpg"
    misnamed.write_bytes(_save(_split_image((800, 600)), "PNG"))
    assert process_photo(misnamed.read_bytes()).source_format == "PNG"


def test_same_input_gives_identical_bytes():
    for data in (_camera_jpeg((2000, 1500)), _save(Image.linear_gradient("L").resize((900, 700)), "PNG")):
        first, second = process_photo(data), process_photo(bytes(data))
        assert first.image == second.image
        assert first.thumbnail == second.thumbnail


def test_processed_photo_repr_shows_no_image_bytes():
    result = process_photo(_save(Image.new("RGB", (40, 30), "red"), "JPEG"))
    assert isinstance(result, ProcessedPhoto)
    assert repr(result) == "ProcessedPhoto(width=40, height=30, source_format='JPEG')"


# ---------------------------------------------------------------- rejections


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_a_truncated_photo_is_corrupt(fmt):
    size = (480, 360) if fmt == "HEIF" else (1200, 900)  # the HEVC encoder is slow on noise
    image = Image.effect_noise(size, 60).convert("RGB")  # noise: the data is not mostly trailer
    data = _heic(image) if fmt == "HEIF" else _save(image, fmt)
    error = _rejection(data[: len(data) // 2])
    assert error.code == "corrupt"
    assert error.cause is not None
    # Raised outside the decoder's handler: no chained Pillow message (which could quote file bytes).
    assert error.__cause__ is None
    assert error.__context__ is None


def test_a_png_failing_its_checksum_is_corrupt():
    # Pillow's decoder ignores IDAT checksums; verify() on the first open does not.
    data = bytearray(_save(_split_image((300, 200)), "PNG"))
    idat = data.index(b"IDAT")
    (length,) = struct.unpack(">I", data[idat - 4 : idat])
    data[idat + 4 + length] ^= 0xFF  # first byte of the IDAT CRC
    error = _rejection(bytes(data))
    assert error.code == "corrupt"
    assert error.cause == "SyntaxError"


def test_garbage_after_a_jpeg_header_is_corrupt():
    assert _rejection(b"\xff\xd8\xff\xe0" + b"\x00" * 64).code == "corrupt"


@pytest.mark.parametrize(
    "label, build",
    [
        ("49 MP, valid PNG, under Pillow's default limit", lambda: _bilevel_png(7000, 7000)),
        ("100 MP, valid PNG, Pillow's warning band", lambda: _bilevel_png(10_000, 10_000)),
        ("900 MP, patched PNG header", lambda: _png_with_patched_header(30_000, 30_000)),
        ("81 MP, patched JPEG header", lambda: _jpeg_with_patched_header(9000, 9000)),
    ],
)
def test_a_decompression_bomb_is_refused_from_its_header(label, build, monkeypatch):
    data = build()
    assert len(data) < 200_000, label
    decoded = []
    real_load = ImageFile.ImageFile.load

    def spy_load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy_load)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        error = _rejection(data)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert error.code == "too_many_pixels", label
    assert decoded == [], "pixels were decoded"
    assert elapsed < 1.0
    assert peak < 50 * 1024 * 1024


def test_a_decompression_bomb_does_not_grow_the_process():
    # tracemalloc does not see Pillow's C buffers, so measure a fresh process's peak RSS instead.
    # Decoding this 49 MP image would need 49 MB for mode "1" plus 147 MB once converted to RGB.
    script = textwrap.dedent(
        """
        import resource, sys
        from tests.photos.test_imaging import _bilevel_png
        from photos.imaging import PhotoRejectedError, process_photo
        data = _bilevel_png(7000, 7000)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            process_photo(data)
        except PhotoRejectedError as error:
            print(error.code, before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    code, before_kib, after_kib = run.stdout.split()
    assert code == "too_many_pixels"
    assert int(after_kib) - int(before_kib) < 20 * 1024  # KiB on Linux


def test_the_pixel_limit_is_inclusive():
    assert MAX_PIXELS == 40_000_000
    # Exactly at the limit is accepted: 8000 x 5000 = 40 MP. (libjpeg pads the missing scan data with grey.)
    result = process_photo(_jpeg_with_patched_header(8000, 5000))
    assert (result.width, result.height) == (1600, 1000)
    assert _rejection(_jpeg_with_patched_header(8001, 5000)).code == "too_many_pixels"


def test_a_pillow_decompression_bomb_warning_is_a_rejection(monkeypatch):
    # Pillow warns between MAX_IMAGE_PIXELS and twice that; the warning must not let the image through.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    assert _rejection(_save(Image.new("RGB", (1500, 1000)), "PNG")).code == "too_many_pixels"


def test_too_large_is_refused_before_any_parsing(monkeypatch):
    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed an oversize upload")

    monkeypatch.setattr(Image, "open", no_parsing)
    data = _save(Image.new("RGB", (8, 8)), "JPEG")
    data += b"\x00" * (MAX_UPLOAD_BYTES + 1 - len(data))
    assert len(data) == MAX_UPLOAD_BYTES + 1
    assert _rejection(data).code == "too_large"
    with pytest.raises(PhotoRejectedError, match="too_large"):
        sniff(data)


def test_an_upload_of_exactly_the_limit_is_accepted():
    data = _save(_split_image((640, 480)), "JPEG")
    data += b"\x00" * (MAX_UPLOAD_BYTES - len(data))  # trailing bytes after EOI, as some phones write
    assert len(data) == MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    assert process_photo(data).width == 640


def test_an_empty_upload_is_refused():
    assert _rejection(b"").code == "empty"


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("rumah.jpg", _save(Image.new("RGB", (8, 8)), "JPEG"))
    return out.getvalue()


@pytest.mark.parametrize(
    "label, build, code",
    [
        ("pdf", lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "not_an_image"),
        ("zip holding a jpeg", _zip, "not_an_image"),
        ("random bytes", lambda: random.Random(20250101).randbytes(4096), "not_an_image"),
        ("html", lambda: b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>", "not_an_image"),
        ("text", lambda: b"rumah keluarga miskin\n", "not_an_image"),
        ("mp4 video", lambda: b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64, "not_an_image"),
        ("svg", lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9"/></svg>', "unsupported_format"),
        (
            "svg with xml prolog",
            lambda: b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
            "unsupported_format",
        ),
        ("gif", lambda: _save(Image.new("P", (64, 64)), "GIF"), "unsupported_format"),
        ("bmp", lambda: _save(Image.new("RGB", (64, 64)), "BMP"), "unsupported_format"),
        ("tiff", lambda: _save(Image.new("RGB", (64, 64)), "TIFF"), "unsupported_format"),
        (
            "avif",
            lambda: b"\x00\x00\x00\x20ftypavif\x00\x00\x00\x00avifmif1miafMA1B" + b"\x00" * 64,
            "unsupported_format",
        ),
    ],
)
def test_it_refuses_what_is_not_an_accepted_photo(label, build, code):
    data = build()
    assert _rejection(data).code == code, label
    with pytest.raises(PhotoRejectedError, match=code):
        sniff(data)


@pytest.mark.parametrize(
    "header, expected",
    [
        (b"\xff\xd8\xff\xe1", "JPEG"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "WEBP"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIF"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "HEIF"),
        (b"\x00\x00\x00\x14ftyphevc\x00\x00\x00\x00hevc", "HEIF"),
    ],
)
def test_sniff_names_the_format_from_magic_bytes(header, expected):
    assert sniff(header + b"\x00" * 32) == expected


# ---------------------------------------------------------------- messages and helpers


def test_every_code_has_indonesian_and_english_messages():
    assert set(MESSAGES) == {"too_large", "empty", "not_an_image", "unsupported_format", "too_many_pixels", "corrupt"}
    indonesian_words = {"foto", "berkas", "ukuran", "silakan", "tidak", "terlalu", "rusak", "bukan"}
    for code, (message, message_en) in MESSAGES.items():
        error = PhotoRejectedError(code)
        assert (error.code, error.message, error.message_en, str(error)) == (code, message, message_en, code)
        assert message and message_en and message != message_en
        assert indonesian_words & set(message.lower().replace(".", " ").replace(",", " ").split()), code


def test_messages_quote_nothing_from_the_file():
    secret = b"NIK3174012345678901 GPS -6.2083,106.8456"
    uploads = [
        b"",
        secret * 100,
        b"\xff\xd8\xff\xfe\x00\x2b" + secret + b"\x00",  # a JPEG comment, then nothing
        b"GIF89a" + secret,
        b"\x00" * (MAX_UPLOAD_BYTES + 1),
    ]
    seen = set()
    for data in uploads:
        error = _rejection(data)
        seen.add(error.code)
        text = " ".join([str(error), repr(error), error.message, error.message_en, str(error.cause)])
        for fragment in (secret.decode(), "3174", "-6.2083", "106.8456"):
            assert fragment not in text
        assert error.__context__ is None
    assert seen == {"empty", "not_an_image", "corrupt", "unsupported_format", "too_large"}


def test_the_documentation_lists_every_code_and_message():
    doc = (PROJECT_ROOT / "docs" / "photos.md").read_text(encoding="utf-8")
    for code, (message, message_en) in MESSAGES.items():
        assert f"`{code}`" in doc
        assert message in doc
        assert message_en in doc


def test_sha256_hex():
    assert sha256_hex(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_hex(b"") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_limits_are_the_documented_ones():
    assert (MAX_UPLOAD_BYTES, MAX_PIXELS, LONG_SIDE, THUMB_LONG_SIDE) == (10 * 1024 * 1024, 40_000_000, 1600, 320)
    assert (imaging.JPEG_QUALITY, imaging.THUMB_JPEG_QUALITY) == (82, 75)
    assert imaging.ACCEPTED_FORMATS == ("JPEG", "PNG", "WEBP", "HEIF")


# ---------------------------------------------------------------- the upload's header check


def _header_check_decoding(data: bytes, monkeypatch) -> tuple[object, list[tuple[int, int]]]:
    """`check_header(data)` (its result or its PhotoRejectedError) and the sizes it decoded."""
    decoded: list[tuple[int, int]] = []
    real_load = ImageFile.ImageFile.load

    def spy_load(self):
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy_load)
    try:
        return imaging.check_header(data), decoded
    except PhotoRejectedError as error:
        return error, decoded


@pytest.mark.parametrize(
    "label, build",
    [
        ("900 MP in a 70-byte PNG", lambda: _png_with_patched_header(30_000, 30_000)),
        ("4,290 MP in a 70-byte PNG, over Pillow's own bomb limit", lambda: _png_with_patched_header(65_500, 65_500)),
        ("81 MP in a small JPEG", lambda: _jpeg_with_patched_header(9000, 9000)),
        ("49 MP, a valid PNG", lambda: _bilevel_png(7000, 7000)),
    ],
)
def test_the_header_check_refuses_huge_dimensions_in_a_tiny_file_without_decoding(label, build, monkeypatch):
    data = build()
    assert len(data) < 200_000, label
    started = time.perf_counter()
    error, decoded = _header_check_decoding(data, monkeypatch)
    assert isinstance(error, PhotoRejectedError) and error.code == "too_many_pixels", label
    assert decoded == [], "pixels were decoded"
    assert time.perf_counter() - started < 0.5


def test_the_header_check_respects_a_lower_pillow_limit_without_catching_warnings(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    error, _decoded = _header_check_decoding(_save(Image.new("RGB", (1500, 1000)), "PNG"), monkeypatch)
    assert isinstance(error, PhotoRejectedError) and error.code == "too_many_pixels"


def test_a_truncated_photo_passes_the_header_check_and_fails_the_decode(monkeypatch):
    whole = _save(Image.effect_noise((1200, 900), 64).convert("RGB"), "JPEG", quality=90)
    truncated = whole[: len(whole) // 2]
    result, decoded = _header_check_decoding(truncated, monkeypatch)
    assert result == ("JPEG", 1200, 900) and decoded == []
    assert _rejection(truncated).code == "corrupt"


@pytest.mark.parametrize(
    "data, code",
    [
        (b"%PDF-1.4 bukan foto", "not_an_image"),
        (b"GIF89a" + b"\x00" * 100, "unsupported_format"),
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "corrupt"),  # a PNG signature with no readable header
    ],
    ids=["pdf", "gif", "empty", "png-without-header"],
)
def test_the_header_check_refuses_what_is_not_an_acceptable_image(data, code, monkeypatch):
    error, decoded = _header_check_decoding(data, monkeypatch)
    assert isinstance(error, PhotoRejectedError) and error.code == code and decoded == []
    assert error.__context__ is None  # the decoder's message (file bytes) is not chained


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_the_header_check_accepts_a_valid_photo_and_reads_its_size(fmt, monkeypatch):
    data = _save(_split_image((640, 480)), fmt)
    result, decoded = _header_check_decoding(data, monkeypatch)
    assert result == (fmt, 640, 480) and decoded == []
