"""Write docs/formats.md from the record declarations in text2sql/core/records.py (a test keeps them equal).

python scripts/gen_formats_doc.py
"""

from __future__ import annotations

from pathlib import Path

from text2sql.core.records import formats_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "formats.md"

if __name__ == "__main__":
    DOC.write_text(formats_markdown(), encoding="utf-8")
    print(f"wrote {DOC}")
