"""A queryset compiled to SQL once per process, then run with new values for its placeholders.

The learner's pages ask the same questions of every learner ("my open assignments and their
state"). Building that queryset (a CASE over five EXISTS subqueries) and compiling it cost the
ORM about three milliseconds per request, while PostgreSQL answers it on an index in a tenth
of that. Here the queryset is still the one source of the SQL: it is built once with sentinel
values where the per-request values go, compiled, and the SQL is kept; each run swaps the
sentinels in the parameters for the real values and applies the same database converters the
ORM would.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet

# Ids no row has: unmistakable among a query's parameters.
_SENTINEL_BASE = -9_000_000_000_000_000_000


def fields_of(model: type[Model]) -> tuple[str, ...]:
    """The columns `CompiledQuery.instances` expects first: the model's concrete fields."""
    return tuple(f.attname for f in model._meta.concrete_fields)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: dict[str, tuple[int, ...]]
    expressions: tuple  # what each selected column is, for the converters
    names: tuple  # each selected column's name (annotations come after the fields)


@functools.cache
def _prepared_classes() -> tuple[type, type]:
    from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor
    from django.db.backends.utils import CursorWrapper

    class PreparedCursor(ServerBindingCursor):
        """Binds values on the server and prepares the statement on first use: PostgreSQL
        then plans a compiled query once per connection instead of on every request (a fifth
        of a millisecond for the assignments' state, more than it takes to run)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    class LoggedPreparedCursor(CursorDebugWrapper):
        """Django's query log (tests, debug) reads the SQL psycopg last sent, which a prepared
        statement does not keep: log the statement with its values instead."""

        def execute(self, sql, params=None):
            with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedCursor, LoggedPreparedCursor


def _cursor(connection):
    """A Django cursor (execute wrappers, query log) for a compiled query: on PostgreSQL one
    that prepares its statements, unless DB_PREPARED_STATEMENTS is off."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        return connection.cursor()
    prepared, logged = _prepared_classes()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        cursor = prepared(connection.connection)
    return (
        logged(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)
    )


class CompiledQuery:
    """`build(key, **placeholders)` returns a `values_list` queryset; `rows(key, **values)`
    runs its SQL with `values` in place of the placeholders. `key` is whatever else changes
    the SQL (a date, say); a few keys are kept."""

    def __init__(
        self,
        model: type[Model],
        build: Callable[..., QuerySet],
        *,
        names: tuple[str, ...],
        keep: int = 4,
    ):
        self._model = model
        self._build = build
        self._names = names
        self._keep = keep
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, key: Hashable, alias: str) -> _Compiled:
        sentinels = {name: _SENTINEL_BASE + n for n, name in enumerate(self._names)}
        queryset = self._build(key, **sentinels).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        slots = {
            name: tuple(i for i, param in enumerate(params) if param == sentinel)
            for name, sentinel in sentinels.items()
        }
        missing = [name for name, found in slots.items() if not found]
        if missing:  # a placeholder the ORM inlined or dropped: never run with a sentinel
            raise ValueError(f"placeholders not among the query's parameters: {missing}")
        return _Compiled(
            sql,
            tuple(params),
            slots,
            tuple(col for col, _sql, _alias in compiler.select),
            tuple(alias for _col, _sql, alias in compiler.select),
        )

    def instances(self, key: Hashable, **values: Any) -> list[Model]:
        """The rows as model instances, for a build that selects `fields_of(model)`; the
        annotations it selects after them are set as attributes of the same names."""
        alias, compiled = self._for(key)
        fields = fields_of(self._model)
        count = len(fields)
        extra = compiled.names[count:]
        result = []
        for row in self._run(alias, compiled, values):
            instance = self._model.from_db(alias, fields, row[:count])
            for name, value in zip(extra, row[count:], strict=True):
                setattr(instance, name, value)
            result.append(instance)
        return result

    def rows(self, key: Hashable, **values: Any) -> list[tuple]:
        alias, compiled = self._for(key)
        return self._run(alias, compiled, values)

    def _for(self, key: Hashable) -> tuple[str, _Compiled]:
        # Routed per run: the same query may read from a replica in another request.
        alias = router.db_for_read(self._model) or DEFAULT_DB_ALIAS
        compiled = self._compiled.get((key, alias))
        if compiled is None:
            compiled = self._compile(key, alias)
            with self._lock:
                if len(self._compiled) >= self._keep:
                    self._compiled.clear()
                self._compiled[(key, alias)] = compiled
        return alias, compiled

    def _run(self, alias: str, compiled: _Compiled, values: dict[str, Any]) -> list[tuple]:
        params = list(compiled.params)
        for name, value in values.items():
            for slot in compiled.slots[name]:
                params[slot] = value
        connection = connections[alias]
        with _cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        converters = []
        for position, expression in enumerate(compiled.expressions):
            functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
                connection
            )
            if functions:
                converters.append((position, functions, expression))
        if not converters:
            return rows
        converted = []
        for row in rows:
            row = list(row)
            for position, functions, expression in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted
