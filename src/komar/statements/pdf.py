"""A statement as a PDF (WeasyPrint), in Khmer or English.

The print template carries the vendored Noto Sans Khmer as @font-face with file: URLs, so Khmer is
shaped (HarfBuzz through Pango) with the font the site uses, and its text has zero-width spaces at
word boundaries (khmer.py) so lines wrap between words. Nothing is fetched from the network: the
URL fetcher refuses anything but files under the static directories."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from komar.statements.models import Statement
from komar.statements.selectors import signatories

FONT_FILES = {
    ("khmer", 400): "vendor/noto-sans-khmer/noto-sans-khmer-khmer-400-normal.woff2",
    ("khmer", 700): "vendor/noto-sans-khmer/noto-sans-khmer-khmer-700-normal.woff2",
    ("latin", 400): "vendor/noto-sans-khmer/noto-sans-khmer-latin-400-normal.woff2",
    ("latin", 700): "vendor/noto-sans-khmer/noto-sans-khmer-latin-700-normal.woff2",
}


def static_roots() -> list[Path]:
    roots = [Path(d).resolve() for d in getattr(settings, "STATICFILES_DIRS", [])]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


def font_urls() -> dict[str, str]:
    """`khmer_400`, … → file: URL of each vendored font file (found by the static finders)."""
    urls = {}
    for (script, weight), name in FONT_FILES.items():
        found = finders.find(name)
        if not found:
            raise FileNotFoundError(name)
        urls[f"{script}_{weight}"] = Path(str(found)).resolve().as_uri()
    return urls


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    roots = static_roots()

    class StaticOnlyFetcher(URLFetcher):
        """Files under the static directories, and nothing else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("file:"):
                raise ValueError(f"Refused (not a local static file): {url[:100]}")
            from urllib.parse import unquote, urlparse

            path = Path(unquote(urlparse(url).path)).resolve()
            if not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"Refused (outside the static directories): {url[:100]}")
            return super().fetch(url, headers)

    return StaticOnlyFetcher(allowed_protocols={"file"})


def render_html(statement: Statement, lang: str) -> str:
    with translation.override(lang):
        return render_to_string(
            "statements/print.html",
            {
                "statement": statement,
                "groups": signatories(statement),
                "fonts": font_urls(),
                "lang": lang,
                "items": list(statement.commitment_items.all()),
            },
        )


def render_pdf(statement: Statement, lang: str) -> bytes:
    from weasyprint import HTML

    html = render_html(statement, lang)
    return bytes(
        HTML(
            string=html, base_url=static_roots()[0].as_uri() + "/", url_fetcher=_fetcher()
        ).write_pdf()
    )
