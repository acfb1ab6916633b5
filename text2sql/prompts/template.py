"""The editable TOML templates a representation's wording lives in (`text2sql/prompts/templates/`,
format: `prompts/README.md`); their source is hashed into the prompt configuration."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from text2sql.core.errors import T2SError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPRESENTATIONS = ("basic", "text", "openai", "code", "alpaca")


def templates_dir() -> Path:
    return Path(str(resources.files("text2sql.prompts") / "templates"))


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    source: str  # raw file text: hashed into the prompt configuration
    fields: dict

    def __getitem__(self, key: str):
        return self.fields.get(key, "")


@lru_cache(maxsize=64)
def load_template(name_or_path: str) -> Template:
    """A bundled representation by name (`code`, ...) or a user's own `.toml` file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = templates_dir() / f"{name_or_path}.toml"
        if not path.exists():
            raise T2SError(
                f"unknown representation {name_or_path!r}: use one of {', '.join(REPRESENTATIONS)} "
                "or the path of a .toml template"
            )
    try:
        source = path.read_text(encoding="utf-8")
        fields = tomllib.loads(source)
    except OSError as e:
        raise T2SError(f"cannot read template {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise T2SError(f"template {path} is not valid TOML: {e}") from None
    if "layout" not in fields or "question" not in fields:
        raise T2SError(f"template {path} needs at least `layout` and `question`")
    return Template(name=path.stem, path=path, source=source, fields=fields)
