"""Connections to the office's PostgreSQL server that notice within seconds when it stops answering.

A pulled cable or a hung server resets nothing: without limits a save waits
for the kernel's retransmissions (two minutes and more) with the form greyed.
So every connection gets a connect timeout, TCP keepalives and a TCP user
timeout (a dead link), a server-side ``statement_timeout`` and
``idle_in_transaction_session_timeout`` (a live server that is stuck on a
lock), and a client-side answer deadline (a server whose kernel still
acknowledges but whose processes do not answer: only the client can notice
that). All follow one workstation setting, ``database_timeout_seconds``.

Statements that legitimately run long (a migration) go through
:meth:`lapor_desktop.storage.database.Database.unhurried`: their transaction
lifts the statement timeout and the answer deadline, and keeps the keepalives.
An import is a row per transaction, and ``pg_dump``/``pg_restore`` set their
own ``statement_timeout = 0``, so neither needs it. psycopg is imported only
when a PostgreSQL desk connects: a SQLite desk never loads it.
"""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event

UNHURRIED = "lapor_unhurried"
"""The execution option of a connection whose statements may run as long as they need."""
ANSWER_GRACE_SECONDS = 1.0
"""How much longer than the server's own statement limit the client waits for its answer."""
DEFAULT_TIMEOUT_SECONDS = 5
_NOT_ANSWERING_STATES = frozenset({"57P01", "57P02", "57P03"})
"""Server shutting down, crashed, or still starting: it cannot take the statement."""


@dataclass(frozen=True)
class PgTimeouts:
    """The limits of one workstation's connections, all from one number of seconds."""

    seconds: int = DEFAULT_TIMEOUT_SECONDS

    @property
    def statement_ms(self) -> int:
        return self.seconds * 1000

    @property
    def idle_in_transaction_ms(self) -> int:
        """Generous: the desk never idles inside a transaction, but a paused process might."""
        return max(60, 12 * self.seconds) * 1000

    @property
    def answer_seconds(self) -> float:
        return self.seconds + ANSWER_GRACE_SECONDS

    def libpq_parameters(self) -> dict[str, str]:
        """What libpq (and ``pg_dump``) is told; libpq counts a connect timeout below 2 as 2."""
        return {
            "connect_timeout": str(max(2, self.seconds)),
            "keepalives": "1",
            "keepalives_idle": str(self.seconds),
            "keepalives_interval": "1",
            "keepalives_count": "3",
            "tcp_user_timeout": str(self.seconds * 1000),
        }

    def server_options(self) -> str:
        return (
            f"-c statement_timeout={self.statement_ms}"
            f" -c idle_in_transaction_session_timeout={self.idle_in_transaction_ms}"
        )

    def connect_args(self, given: dict[str, Any] | None = None) -> dict[str, Any]:
        """Connection arguments; any the database URL names itself keep the URL's value."""
        given = given or {}
        chosen: dict[str, Any] = {
            k: v for k, v in self.libpq_parameters().items() if k not in given
        }
        options = self.server_options()
        if "options" in given:  # the URL's own options come last, so they win
            options = f"{options} {given['options']}"
        chosen["options"] = options
        return chosen


def install(engine: Engine, timeouts: PgTimeouts, url_query: dict[str, Any]) -> None:
    """Connect through the answering connection class and honour :data:`UNHURRIED`."""
    answering = answering_connection_class()
    args = timeouts.connect_args(dict(url_query))

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        connection = answering.connect(*cargs, **{**cparams, **args})
        connection.answer_seconds = timeouts.answer_seconds
        connection.usual_answer_seconds = timeouts.answer_seconds
        return connection

    @event.listens_for(engine, "checkin")
    def _checkin(dbapi_connection: Any, _record: Any) -> None:
        usual = getattr(dbapi_connection, "usual_answer_seconds", None)
        if usual is not None:
            dbapi_connection.answer_seconds = usual

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        if not connection.get_execution_options().get(UNHURRIED):
            return
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        connection.exec_driver_sql("SET LOCAL idle_in_transaction_session_timeout = 0")
        connection.connection.dbapi_connection.answer_seconds = None


@functools.cache
def answering_connection_class() -> type[Any]:
    """psycopg's connection, with an answer deadline on every wait for the server.

    psycopg before 3.2 cannot bound a wait; there the connection is psycopg's own,
    and only the connect, keepalive and server timeouts apply.
    """
    import inspect

    import psycopg
    from psycopg import errors

    if "timeout" not in inspect.signature(psycopg.Connection.wait).parameters:
        return psycopg.Connection

    class NotAnswering(psycopg.OperationalError):
        """The server took no answer past the deadline; the connection is closed."""

    class AnsweringConnection(psycopg.Connection[Any]):
        answer_seconds: float | None = None
        usual_answer_seconds: float | None = None

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            limit = self.answer_seconds if timeout is None else timeout
            try:
                return super().wait(gen, interval, limit)
            except errors._WaitTimeout:
                if timeout is not None:  # psycopg's own limit (a cancel, a notify): its meaning
                    raise
                self.pgconn.finish()  # the state is unknown: this connection is done
                raise NotAnswering(
                    f"the database server gave no answer within {limit:g} s"
                ) from None

    return AnsweringConnection


def not_answering(error: BaseException) -> bool:
    """Whether ``error`` says the server could not be reached or gave no answer in time."""
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(error, psycopg.OperationalError):
        return False
    sqlstate = error.sqlstate
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _NOT_ANSWERING_STATES
