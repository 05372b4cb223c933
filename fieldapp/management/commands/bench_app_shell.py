from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.test import Client

from fieldapp import views as pwa


def _body_size(response: Any) -> int:
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


class Command(BaseCommand):
    help = (
        "Prints the size of the enumerator app's shell as a phone downloads it on first sign-in: every "
        "URL the service worker precaches, as sent with the given Accept-Encoding (the static files must "
        "have been collected with the compressing storage, as `make bench-app-shell` does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--encoding", action="append", default=None, help="Accept-Encoding values to try")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client(HTTP_HOST="localhost")
        encodings = options["encoding"] or ["identity", "gzip"]
        totals = dict.fromkeys(encodings, 0)
        self.stdout.write(f"app version {pwa.app_version()}")
        self.stdout.write(f"{'url':48} " + " ".join(f"{e:>10}" for e in encodings))
        for url in [*pwa.precache_urls(), "/app/sw.js"]:
            sizes = []
            for encoding in encodings:
                response = client.get(url, HTTP_ACCEPT_ENCODING=encoding)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
                size = _body_size(response)
                totals[encoding] += size
                sizes.append(f"{size:>10,}")
            self.stdout.write(f"{url:48} " + " ".join(sizes))
        self.stdout.write(f"{'total (bytes)':48} " + " ".join(f"{totals[e]:>10,}" for e in encodings))
