"""Screenshots of Komar's pages in headless Debian Chromium, Khmer and English, phone and desktop.

    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out var/screenshots]
        [--login EMAIL PASSWORD] PATH [PATH ...]

Run against a server started by `make demo`. Files: <out>/<lang>-<width>-<path>.png
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="var/screenshots")
    parser.add_argument("--login", nargs=2, metavar=("EMAIL", "PASSWORD"))
    parser.add_argument("--langs", default="km,en")
    parser.add_argument("--widths", default="phone,desktop")
    parser.add_argument("--full", action="store_true", help="full-page screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for lang in args.langs.split(","):
            for width_name in args.widths.split(","):
                w, h = WIDTHS[width_name]
                context = browser.new_context(viewport={"width": w, "height": h}, locale=lang)
                context.add_cookies([{"name": "komar_language", "value": lang, "url": args.base}])
                page = context.new_page()
                if args.login:
                    page.goto(args.base + "/account/login/")
                    page.fill("input[name=login]", args.login[0])
                    page.fill("input[name=password]", args.login[1])
                    page.click("form.stacked button[type=submit]")
                    page.wait_for_load_state("networkidle")
                for path in args.paths:
                    page.goto(args.base + path)
                    page.wait_for_load_state("networkidle")
                    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                    target = out / f"{lang}-{width_name}-{slug}.png"
                    page.screenshot(path=str(target), full_page=args.full)
                    print(target)
                context.close()
        browser.close()


if __name__ == "__main__":
    main()
