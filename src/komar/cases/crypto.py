"""Encryption at rest for children's identifying fields, and the keyed blind index.

The fields are django-fernet-encrypted-fields' own, with one change: their keys come from
`KOMAR_FIELD_KEYS` (Fernet keys from the environment; the first encrypts, all decrypt), never
from SECRET_KEY. A value that none of the keys can decrypt raises instead of being returned as
ciphertext, so a wrong key can never be saved back over a child's data.

The blind index is an HMAC-SHA256 (key `KOMAR_BLIND_INDEX_KEY`) of a normalised name and birth
year: equal for the same child typed two ways, useless without the key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import unicodedata
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from encrypted_fields import fields as ef


def current_keys() -> list[bytes]:
    keys = [k.encode() for k in settings.KOMAR_FIELD_KEYS]
    if not keys:
        raise ImproperlyConfigured("KOMAR_FIELD_KEYS holds no key.")
    return keys


@functools.lru_cache(maxsize=4)
def _fernet_for(keys: tuple[bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(current_keys()))


class UndecryptableError(ImproperlyConfigured):
    """Stored ciphertext that no configured key opens (a wrong or missing KOMAR_FIELD_KEYS)."""


class KomarKeysMixin(ef.EncryptedFieldMixin):
    @property
    def keys(self) -> list[bytes]:
        return current_keys()

    @property
    def f(self) -> MultiFernet:
        return fernet()

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        try:
            plain = self.f.decrypt(value.encode("utf-8")).decode("utf-8")
        except InvalidToken as exc:
            raise UndecryptableError(
                f"{self.model.__name__}.{self.name}: no key in KOMAR_FIELD_KEYS decrypts it."
            ) from exc
        return super(ef.EncryptedFieldMixin, self).to_python(plain)  # the plain field's parser


class EncryptedCharField(KomarKeysMixin, models.CharField):
    pass


class EncryptedTextField(KomarKeysMixin, models.TextField):
    pass


class EncryptedDateField(KomarKeysMixin, models.DateField):
    pass


# Blind index ------------------------------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
# Khmer spellings that look the same: subscript DA and subscript TA (coeng + ដ / ត), and the
# two shapes of the independent vowel QE; typed either way, they are one name.
_KHMER_SAME = [("\u17d2\u178a", "\u17d2\u178f"), ("\u17a3", "\u17a2"), ("\u17a4", "\u17a2\u17b6")]
_KHMER_SIGNS = re.compile("[\u17b4\u17b5\u17d4-\u17da\u17dc]")  # inherent-vowel marks, punctuation


def normalise_khmer(name: str) -> str:
    """A Khmer name reduced to what identifies it: NFC, no zero-width characters, spaces or
    punctuation, look-alike subscripts unified, word order ignored."""
    # Invisible characters go first: dropping one can bring marks together that NFC reorders.
    text = unicodedata.normalize("NFC", name.translate(_INVISIBLE))
    for variant, canonical in _KHMER_SAME:
        text = text.replace(variant, canonical)
    text = _KHMER_SIGNS.sub(" ", text)
    words = [w for w in re.split(r"[\s\-.,'’]+", text) if w]
    return " ".join(sorted(words))


def normalise_latin(name: str) -> str:
    """A romanised name: case, accents, punctuation and word order ignored; doubled letters and
    the common Khmer romanisation variants (h after a consonant, ou/o) folded together."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = []
    for word in re.split(r"[^a-z]+", text):
        if not word:
            continue
        # Every h after a consonant ("chh" and "ch" alike), then doubled letters, both before and
        # after the vowel spellings, so that a normalised name normalises to itself.
        word = re.sub(r"(?<=[bcdfgjklmnpqrstvwxz])h+", "", word)
        word = re.sub(r"(.)\1+", r"\1", word)
        word = word.replace("ou", "o").replace("ey", "ei")
        word = re.sub(r"(.)\1+", r"\1", word)
        words.append(word)
    return " ".join(sorted(words))


def blind_index(kind: str, name: str, birth_year: int | None) -> str:
    normalised = normalise_khmer(name) if kind == "km" else normalise_latin(name)
    if not normalised:
        return ""
    message = f"{kind}|{normalised}|{birth_year or ''}".encode()
    key = settings.KOMAR_BLIND_INDEX_KEY.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def identity_digests(name_km: str, name_latin: str, birth_year: int | None) -> set[str]:
    digests = {blind_index("km", name_km, birth_year), blind_index("latin", name_latin, birth_year)}
    digests.discard("")
    return digests
