"""The upload's header check against a full decode of the same 40-megapixel photo (docs/photos.md,
docs/performance.md). Run by `make bench-photo-check`; prints figures, changes nothing.

For each format (WebP, the worst case, and JPEG) it builds one photo of 7300 x 5475 pixels (just
under `MAX_PIXELS`), then times, each in a fresh child process (so that peak memory is its own) and
after a warm-up call on a tiny photo:
- header: `imaging.check_header`, what the web process runs for an upload;
- decode: `imaging.process_photo`, the full decode, re-encode and thumbnail the Celery task runs
  (what the web process used to run for every upload, under a process-wide lock).
Peak memory is the growth of the child's peak RSS over the call (Linux: the peak, VmHWM, is reset
to the current RSS just before it), after the photo's bytes are read: Pillow's pixel buffers are C
allocations that tracemalloc does not see.

Usage: python scripts/bench_photo_check.py [--rounds N] [--formats WEBP,JPEG]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (7300, 5475)  # 39,967,500 px: just under the 40 MP limit


def _build(fmt: str) -> bytes:
    """A smooth 40 MP photo (gradients, so the file stays far under the 10 MiB upload limit)."""
    from PIL import Image

    small = (SIZE[0] // 16, SIZE[1] // 16)
    red = Image.linear_gradient("L").resize(small)
    green = Image.radial_gradient("L").resize(small)
    blue = Image.linear_gradient("L").rotate(90).resize(small)
    image = Image.merge("RGB", (red, green, blue)).resize(SIZE, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, "WEBP", quality=80, method=0)
    else:
        image.save(out, fmt, quality=85)
    return out.getvalue()


def _measure(kind: str, path: str) -> None:
    """In the child: one call of `kind` on the file; prints seconds and peak RSS growth in KiB."""
    from PIL import Image

    from photos import imaging

    data = Path(path).read_bytes()
    call = imaging.check_header if kind == "header" else imaging.process_photo
    # Warm up with a tiny photo of the same format: Pillow loads its format plugins on first use,
    # which a web or task process has long done.
    warm = io.BytesIO()
    Image.new("RGB", (64, 48)).save(warm, imaging.sniff(data))
    call(warm.getvalue())
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak (VmHWM) to the current RSS
    before = _status_kib("VmRSS")
    started = time.perf_counter()
    call(data)
    elapsed = time.perf_counter() - started
    print(elapsed, _status_kib("VmHWM") - before)


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _run_child(kind: str, path: str) -> tuple[float, int]:
    run = subprocess.run(
        [sys.executable, __file__, "--child", kind, path], capture_output=True, text=True, check=True, cwd=ROOT
    )
    seconds, kib = run.stdout.split()
    return float(seconds), int(kib)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--formats", default="WEBP,JPEG")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _measure(*args.child)
        return
    import PIL

    print(
        f"machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, "
        f"Pillow {PIL.__version__}"
    )
    print(f"photo: {SIZE[0]} x {SIZE[1]} = {SIZE[0] * SIZE[1]:,} px; {args.rounds} rounds, a fresh process each")
    print(f"{'format':<6} {'bytes':>10} {'check':<7} {'median ms':>10} {'max ms':>8} {'peak RSS growth MB':>19}")
    with tempfile.TemporaryDirectory() as scratch:
        for fmt in args.formats.upper().split(","):
            data = _build(fmt)
            path = Path(scratch) / f"photo.{fmt.lower()}"
            path.write_bytes(data)
            for kind in ("header", "decode"):
                runs = [_run_child(kind, str(path)) for _ in range(args.rounds)]
                seconds = [s for s, _ in runs]
                peak_mb = max(k for _, k in runs) / 1024
                print(
                    f"{fmt:<6} {len(data):>10,} {kind:<7} {statistics.median(seconds) * 1000:>10.2f} "
                    f"{max(seconds) * 1000:>8.2f} {peak_mb:>19.1f}"
                )


if __name__ == "__main__":
    main()
