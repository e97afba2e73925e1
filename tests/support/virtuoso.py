"""A throw-away Virtuoso server on 127.0.0.1: fresh database in a folder, free ports.

Debian's ``virtuoso-opensource`` (7.2.5) is installed by ``./dev.sh test``.  It will
not start if its ports are taken, so ports are picked free.  Its result cap is left at
the Debian default (ResultSetMaxRows 10,000, cutting answers without an error), the
one the hub must cope with.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.auth import HTTPDigestAuth

from bench.processes import stop_process

BINARY = "virtuoso-t"
SQL_CLIENT = "isql-vt"  # Debian's name for Virtuoso's isql

# What Virtuoso's anonymous SPARQL user needs to run SERVICE (7.2.5 has no SPARQL_SELECT_FED role; SPARQL_SPONGE
# would also let it fetch any URL): the public endpoint of the hub sends SERVICE clauses through to the store.
FEDERATION_GRANTS = (
    'GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL"',
    'GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL"',
)


def available() -> bool:
    return shutil.which(BINARY) is not None


NOT_INSTALLED = "virtuoso-t is not installed (`./dev.sh test` installs virtuoso-opensource): Virtuoso not tested"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 40
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
AllowOSCalls = 0
DirsAllowed = ., {db}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
MaxQueryMem = 1G
ThreadsPerQuery = 1
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/vsp
MaxClientConnections = 40
ServerThreads = 40
Charset = UTF-8
EnabledGzipContent = 1
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {max_seconds}
MaxQueryCostEstimationTime = 400
"""


class PortTaken(RuntimeError):
    """Virtuoso exits at start when its HTTP port is taken ("Failed HTTP listen")."""


@dataclass
class Virtuoso:
    folder: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes]
    started_in: float  # seconds from launch to the first answer of its SPARQL endpoint

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/"

    @property
    def query_url(self) -> str:
        return self.base + "sparql"

    @property
    def update_url(self) -> str:
        return self.base + "sparql-auth"  # writes need the authenticated endpoint (dba / dba in a fresh database)

    @property
    def graph_store_url(self) -> str:
        return self.base + "sparql-graph-crud-auth"

    def settings(self) -> dict[str, str]:
        """Carrefour settings pointing at this server."""
        return {
            "STORE_URL": self.query_url,
            "STORE_UPDATE_URL": self.update_url,
            "STORE_GRAPH_STORE_URL": self.graph_store_url,
            "STORE_USER": "dba",
            "STORE_PASSWORD": "dba",
            "STORE_AUTH": "digest",
        }

    def update(self, text: str) -> None:
        """Run an update as the database administrator (test set-up and clean-up)."""
        response = requests.post(self.update_url, data={"update": text}, auth=HTTPDigestAuth("dba", "dba"), timeout=120)
        if response.status_code != 200:
            raise RuntimeError(f"virtuoso refused {text[:100]!r}: {response.text[:300]}")

    def sql(self, statement: str) -> None:
        """Run one SQL statement as the database administrator, through isql."""
        command = [SQL_CLIENT, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"]
        done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"virtuoso refused {statement!r}: {done.stdout[-300:]}{done.stderr[-300:]}")

    def allow_federation(self) -> None:
        """Let anonymous SPARQL queries use SERVICE (a deployment step: docs/deployment.md)."""
        for grant in FEDERATION_GRANTS:
            self.sql(grant)

    def graphs(self) -> list[str]:
        """Every graph the server holds, its own system graphs included."""
        response = requests.post(
            self.query_url,
            data={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},  # DISTINCT is slow in Virtuoso
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        if response.status_code != 200:
            raise RuntimeError(f"virtuoso could not list its graphs: {response.text[:300]}")
        return [row["g"]["value"] for row in response.json()["results"]["bindings"]]

    def drop_graphs_under(self, prefix: str) -> None:
        for graph in self.graphs():
            if graph.startswith(prefix):
                self.update(f"DROP SILENT GRAPH <{graph}>")

    def stop(self) -> None:
        stop_process(self.process)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


def start(
    folder: Path, memory_mb: int = 256, max_rows: int = 10000, max_seconds: int = 10, http_port: int | None = None
) -> Virtuoso:
    """Start Virtuoso on ``folder`` (a fresh database, or the one a stopped server left there).

    ``max_seconds`` is its own time limit for a query or an update (MaxQueryExecutionTime).

    SERVICE is allowed to anonymous queries, as docs/deployment.md advises.

    Ports are picked free unless ``http_port`` is given; should another process take a
    picked port before Virtuoso binds it, new ports are picked.

    :raises PortTaken: ``http_port`` is taken.
    """
    for _ in range(3):
        try:
            server = _launch(folder, memory_mb, max_rows, max_seconds, http_port or _free_port(), _free_port())
        except PortTaken:
            if http_port is not None:
                raise
            continue
        server.allow_federation()
        return server
    raise RuntimeError("virtuoso found no free port in three attempts")


def _launch(folder: Path, memory_mb: int, max_rows: int, max_seconds: int, http_port: int, sql_port: int) -> Virtuoso:
    db = folder / "db"
    (db / "vsp").mkdir(parents=True, exist_ok=True)
    buffers = max(10000, memory_mb * 1024 // 8 * 2 // 3)
    settings = {
        "db": db,
        "http_port": http_port,
        "sql_port": sql_port,
        "max_rows": max_rows,
        "max_seconds": max_seconds,
    }
    (folder / "virtuoso.ini").write_text(
        INI.format(**settings, buffers=buffers, dirty=buffers * 3 // 4), encoding="utf-8"
    )
    launched = time.monotonic()
    with open(folder / "stdout.log", "ab") as log:  # the child keeps its own descriptor
        process = subprocess.Popen(
            [BINARY, "+foreground", "+configfile", str(folder / "virtuoso.ini")], cwd=folder, stdout=log, stderr=log
        )
    query_url = f"http://127.0.0.1:{http_port}/sparql"
    deadline = launched + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (db / "virtuoso.log").read_text(errors="replace")[-2000:]
            if f"Failed HTTP listen at 127.0.0.1:{http_port}" in tail:
                raise PortTaken(f"virtuoso cannot listen on 127.0.0.1:{http_port}: the port is taken")
            raise RuntimeError(f"virtuoso exited: {tail}")
        try:
            if requests.get(query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return Virtuoso(folder, http_port, sql_port, process, time.monotonic() - launched)
        except requests.RequestException:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait()
    raise RuntimeError("virtuoso did not answer within 90 s")
