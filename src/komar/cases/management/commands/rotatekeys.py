"""`komar rotatekeys`: re-encrypt children's data under the first key of KOMAR_FIELD_KEYS, and
rebuild the duplicate-detection index under the current KOMAR_BLIND_INDEX_KEY.

Rotating the field key: put a new key first (`KOMAR_FIELD_KEYS=new,old`), run this command, then
drop the old key. Tokens are re-encrypted as they are (`MultiFernet.rotate`), never decrypted into
Python objects and saved back. One transaction: if any value opens with none of the keys, nothing
is changed and the error names the table, column and row.

`--new-key` prints a freshly generated Fernet key and exits.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from komar.audit import services as audit
from komar.cases.crypto import KomarKeysMixin, fernet
from komar.cases.models import Case, ChildIdentity, IdentityIndex

BATCH = 500


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every model of the cases app with encrypted fields, and those fields' columns."""
    found = []
    for model in apps.get_app_config("cases").get_models():
        columns = [f.column for f in model._meta.concrete_fields if isinstance(f, KomarKeysMixin)]
        if columns:
            found.append((model, columns))
    return found


def rotate_table(model: type[models.Model], columns: list[str], keys: MultiFernet) -> int:
    """Re-encrypt every non-empty value of `columns`, in batches. Returns the values rotated."""
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    select = (
        f"SELECT {quote(pk)}, {', '.join(quote(c) for c in columns)} FROM {quote(table)} "  # noqa: S608
        f"WHERE {quote(pk)} > %s ORDER BY {quote(pk)} LIMIT {BATCH}"
    )
    rotated = 0
    last: Any = 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
            if not rows:
                return rotated
            for row in rows:
                last = row[0]
                for column, value in zip(columns, row[1:], strict=True):
                    if value in (None, ""):
                        continue
                    try:
                        token = keys.rotate(str(value).encode()).decode()
                    except InvalidToken as exc:
                        raise CommandError(
                            f"{table}.{column}, row id {last}: no key in KOMAR_FIELD_KEYS "
                            "decrypts this value. Nothing was changed."
                        ) from exc
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                        f"WHERE {quote(pk)} = %s",
                        [token, last],
                    )
                    rotated += 1


def rebuild_blind_index() -> int:
    """The duplicate-detection index, recomputed from the decrypted identities."""
    from komar.cases.services import IDENTITY_FIELDS, digests_for

    IdentityIndex.objects.all().delete()
    entries = []
    identities = ChildIdentity.objects.filter(case__anonymised_at__isnull=True).only(
        "case_id", *IDENTITY_FIELDS
    )
    for identity in identities.iterator(chunk_size=BATCH):
        values = {f: getattr(identity, f) for f in IDENTITY_FIELDS}
        entries += [IdentityIndex(case_id=identity.case_id, digest=d) for d in digests_for(values)]
    IdentityIndex.objects.bulk_create(entries, batch_size=BATCH)
    return len(entries)


class Command(BaseCommand):
    help = (
        "Re-encrypt children's data under the first key of KOMAR_FIELD_KEYS and rebuild the "
        "duplicate-detection index. --new-key prints a new key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-key", action="store_true", help="print a newly generated key and exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(Fernet.generate_key().decode())
            return
        keys = fernet()
        counts: dict[str, int] = {}
        with transaction.atomic():
            for model, columns in encrypted_columns():
                counts[model._meta.db_table] = rotate_table(model, columns, keys)
            counts["index_entries"] = rebuild_blind_index()
            audit.record(
                actor=None,
                action="cases.keys_rotated",
                changes={"counts": counts, "cases": Case.objects.count()},
            )
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(self.style.SUCCESS("Keys rotated."))
