"""Natural order for names that start with a number (楼栋: 1号楼, 2号楼, …, 18号楼): the leading number,
computed in the database so lists, selects and pages sort the same way without a query per row."""

from django.db import models
from django.db.models import Func


class LeadingNumber(Func):
    """The integer a text starts with, NULL when it starts with something else ('18号楼' → 18)."""

    output_field = models.BigIntegerField()
    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        # the project runs on SQLite or PostgreSQL; anything else gets the SQLite form
        return self.as_sqlite(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # CAST reads the leading digits but gives 0 for none: GLOB tells "0号楼" from "A座"
        return super().as_sql(
            compiler,
            connection,
            template="(CASE WHEN %(expressions)s GLOB '[0-9]*' THEN CAST(substr(%(expressions)s, 1, 18) AS INTEGER) END)",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(NULLIF(substring(%(expressions)s from '^[0-9]{1,18}'), '') AS bigint)",
            **extra_context,
        )


def natural(field: str):
    """Meta.ordering entries for `field` in natural order: by its leading number (names without one after
    those with one), then by the text itself."""
    return [LeadingNumber(field).asc(nulls_last=True), field]
