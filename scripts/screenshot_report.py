"""Screenshot a report page in headless Chromium, to check that it renders in a real browser.

python scripts/screenshot_report.py runs/quickstart/report.html report.png
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


def screenshot(html: Path, png: Path, size: str = "1200,2400", timeout: float = 120) -> Path:
    browser = find_chromium()
    if browser is None:
        raise RuntimeError("no chromium found (apt-get install chromium)")
    png = png.resolve()
    png.unlink(missing_ok=True)
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--screenshot={png}",
        f"--window-size={size}",
        html.resolve().as_uri(),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    if not png.exists() or png.stat().st_size == 0:
        raise RuntimeError(f"{browser} wrote no screenshot")
    return png


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("png", type=Path)
    ap.add_argument("--window-size", default="1200,2400")
    a = ap.parse_args()
    print(screenshot(a.html, a.png, a.window_size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
