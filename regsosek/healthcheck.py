"""The container healthcheck: `python -m regsosek.healthcheck` asks the local web server for /healthz.

It sends a Host header that ALLOWED_HOSTS accepts (the first of DJANGO_ALLOWED_HOSTS); a request to
127.0.0.1 would otherwise be refused with 400 in production. Exit status 0 when /healthz answers 200.
Django is not imported: this runs every 30 s.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def allowed_host(setting: str | None) -> str:
    """A host name that DJANGO_ALLOWED_HOSTS (comma-separated, as regsosek/settings.py reads it) accepts."""
    hosts = [h.strip() for h in (setting or "").split(",") if h.strip()]
    if not hosts or hosts[0] == "*":
        return "localhost"
    # ".example.go.id" allows the domain itself and its subdomains.
    return hosts[0].lstrip(".")


def main() -> int:
    # The port of the image's CMD (Dockerfile).
    host = allowed_host(os.environ.get("DJANGO_ALLOWED_HOSTS"))
    request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - a fixed loopback http URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"healthcheck: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
