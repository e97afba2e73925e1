"""A throw-away Virtuoso server on 127.0.0.1: fresh database in a folder, free ports.

Debian's ``virtuoso-opensource`` (7.2.5) is installed by ``./dev.sh test``.  It will
not start if its ports are taken, so ports are picked free; its default result cap
(ResultSetMaxRows 10,000, silently truncating) is raised far above the hub's own cap.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import requests

BINARY = "virtuoso-t"


def available() -> bool:
    return shutil.which(BINARY) is not None


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
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}/vsp
MaxClientConnections = 40
ServerThreads = 40
Charset = UTF-8
EnabledGzipContent = 1
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


@dataclass
class Virtuoso:
    folder: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes]

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

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()


def start(folder: Path, memory_mb: int = 1024) -> Virtuoso:
    """Start Virtuoso with a fresh database in ``folder``; wait until its SPARQL endpoint answers."""
    db = folder / "db"
    (db / "vsp").mkdir(parents=True, exist_ok=True)
    http_port, sql_port = _free_port(), _free_port()
    buffers = max(10000, memory_mb * 1024 // 8 * 2 // 3)
    (folder / "virtuoso.ini").write_text(
        INI.format(db=db, http_port=http_port, sql_port=sql_port, buffers=buffers, dirty=buffers * 3 // 4),
        encoding="utf-8",
    )
    with open(folder / "stdout.log", "ab") as log:  # the server keeps its own copy of the descriptor
        process = subprocess.Popen(
            [BINARY, "+foreground", "+configfile", str(folder / "virtuoso.ini")], cwd=folder, stdout=log, stderr=log
        )
    server = Virtuoso(folder, http_port, sql_port, process)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso exited: {(db / 'virtuoso.log').read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(server.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.3)
    server.kill()
    raise RuntimeError("virtuoso did not answer within 90 s")
