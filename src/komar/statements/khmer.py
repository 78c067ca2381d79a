"""Khmer line breaking: Khmer writes no spaces between words, so a browser or a PDF renderer
without a Khmer dictionary can only wrap a sentence at its end (or anywhere, splitting letters).
`insert_breaks` puts U+200B ZERO WIDTH SPACE at ICU's word boundaries inside runs of Khmer script,
never inside a grapheme cluster (a consonant with its subscripts and vowel signs).

It is idempotent, and removing the U+200B it added gives back the input: boundaries are found on
the text without any U+200B, and one is added only where none is already.
"""

from __future__ import annotations

import functools
import threading

import icu

ZWSP = "\u200b"
_local = threading.local()


def is_khmer(ch: str) -> bool:
    code = ord(ch)
    return 0x1780 <= code <= 0x17FF or 0x19E0 <= code <= 0x19FF


def is_dependent(ch: str) -> bool:
    """Vowel signs, diacritics and the coeng (U+17B6–U+17D3, U+17DD): they belong to the letter
    before them, so no break goes before them."""
    code = ord(ch)
    return 0x17B6 <= code <= 0x17D3 or code == 0x17DD


COENG = "\u17d2"


def _iterators() -> tuple[icu.BreakIterator, icu.BreakIterator]:
    """ICU break iterators are not thread-safe: one pair per thread."""
    pair = getattr(_local, "pair", None)
    if pair is None:
        locale = icu.Locale("km")
        pair = (
            icu.BreakIterator.createWordInstance(locale),
            icu.BreakIterator.createCharacterInstance(locale),
        )
        _local.pair = pair
    return pair


def _boundaries(iterator: icu.BreakIterator, text: str) -> set[int]:
    """Boundary offsets in Python string indices (ICU counts UTF-16 code units; Khmer is in the
    Basic Multilingual Plane, but other characters in the text may not be)."""
    iterator.setText(icu.UnicodeString(text))
    units = list(iterator)
    if all(ord(c) <= 0xFFFF for c in text):
        return set(units)
    index_of: dict[int, int] = {}
    unit = 0
    for i, ch in enumerate(text):
        index_of[unit] = i
        unit += 2 if ord(ch) > 0xFFFF else 1
    index_of[unit] = len(text)
    return {index_of[u] for u in units if u in index_of}


@functools.lru_cache(maxsize=4096)
def _breaks_in(plain: str) -> tuple[int, ...]:
    """Offsets in `plain` (no U+200B) where a zero-width space may go."""
    if not any(is_khmer(c) for c in plain):
        return ()
    words, chars = _iterators()
    word_bounds = _boundaries(words, plain)
    char_bounds = _boundaries(chars, plain)
    found = []
    for i in sorted(word_bounds):
        if i <= 0 or i >= len(plain) or i not in char_bounds:
            continue
        before, after = plain[i - 1], plain[i]
        if not (is_khmer(before) and is_khmer(after)):
            continue  # only inside a run of Khmer script
        if is_dependent(after) or before == COENG:
            continue  # never split a letter from its signs or subscript
        found.append(i)
    return tuple(found)


def insert_breaks(text: str) -> str:
    """`text` with U+200B at the word boundaries of its Khmer runs (see the module docstring)."""
    if not text or not any(is_khmer(c) for c in text):
        return text
    plain = text.replace(ZWSP, "")
    wanted = set(_breaks_in(plain))
    out: list[str] = []
    p = 0  # offset in `plain`
    previous_zwsp = False
    for ch in text:
        if ch == ZWSP:
            out.append(ch)
            previous_zwsp = True
            continue
        if p in wanted and not previous_zwsp and out:
            out.append(ZWSP)
        out.append(ch)
        previous_zwsp = False
        p += 1
    return "".join(out)


def strip_breaks(text: str) -> str:
    return text.replace(ZWSP, "")
