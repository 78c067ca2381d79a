"""Words that suggest a child may be at risk (data/safeguarding_terms.toml)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from komar.core.reference import read_toml

TERMS_FILE = Path(__file__).parent / "data" / "safeguarding_terms.toml"


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    data = read_toml(TERMS_FILE)
    found = [(t, re.compile(r"\b" + re.escape(t), re.IGNORECASE)) for t in data["en"]]
    found += [(t, re.compile(re.escape(t))) for t in data["km"]]
    return found


def matching_terms(*texts: str) -> list[str]:
    """The listed words found in any of the texts, in the file's order."""
    joined = "\n".join(texts)
    return [term for term, pattern in _patterns() if pattern.search(joined)]
