"""Writing many rows fast: COPY on PostgreSQL (plain indexes rebuilt after), executemany
on SQLite, with explicit primary keys so rows can refer to each other before they exist."""

from collections.abc import Callable, Iterable

from django.db import connection


def table_name(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


class TableWriter:
    """Rows of one model, as tuples in `columns` order, with defaults for the rest of its
    concrete columns (Django keeps defaults in Python, not in the table)."""

    def __init__(self, model, columns: list[str]):
        self.model = model
        fields = {f.column: f for f in model._meta.concrete_fields}
        names = {f.name: f for f in model._meta.concrete_fields}
        self.given = [names[name].column if name in names else name for name in columns]
        self.rest = [
            column
            for column, field in fields.items()
            if column not in self.given and not field.null and not field.primary_key
        ]
        self.rest_values = tuple(
            fields[c].get_db_prep_save(fields[c].get_default(), connection) for c in self.rest
        )
        self.columns = self.given + self.rest
        self.fields = [fields.get(c) for c in self.columns]

    def first_id(self) -> int:
        """Explicit primary keys: rows refer to each other before they are written."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table_name(self.model)}")
            return cursor.fetchone()[0] + 1

    def write(self, rows: Iterable[tuple], advance: Callable[[int], None]) -> None:
        table = table_name(self.model)
        names = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                n = 0
                indexes = self._drop_plain_indexes(cursor)
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for n, row in enumerate(rows, 1):
                        copy.write_row(row + self.rest_values)
                        if n % 10_000 == 0:
                            advance(10_000)
                advance(n % 10_000)
                for definition in indexes:
                    cursor.execute(definition)
                if "id" in self.columns:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{self.model._meta.db_table}', "
                        f"'id'), (SELECT MAX(id) FROM {table}))"
                    )
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
                batch = []
                for row in rows:
                    batch.append(self._prepared(row + self.rest_values))
                    if len(batch) == 5_000:
                        cursor.executemany(sql, batch)
                        advance(len(batch))
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    advance(len(batch))

    def _drop_plain_indexes(self, cursor) -> list[str]:
        """PostgreSQL: drop the table's indexes that back no constraint, to build each
        once after the COPY (a sort) rather than row by row (several times slower);
        returns their definitions. In the seed's transaction, so nobody sees the table
        without them."""
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname "
            "NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [self.model._meta.db_table, self.model._meta.db_table],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return [definition for _, definition in found]

    def _prepared(self, row):
        """SQLite: values as Django would send them (datetimes as text)."""
        return tuple(
            f.get_db_prep_save(v, connection) if f is not None and v is not None else v
            for f, v in zip(self.fields, row, strict=True)
        )
