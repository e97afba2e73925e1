"""Drive ``wrk`` with a mix of requests and read its figures, including the status of every response.

wrk counts only socket errors and "non-2xx or 3xx" responses; the Lua script counts
every status code itself, so that a 5xx is told from a 4xx, and a 206 or 304 from a
200.  (wrk calls ``response`` without saying which connection answered, so statuses
cannot be told apart by request.)  Each thread's counters are gathered in ``done``
and printed as one JSON line.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from bench.wrk import lua_string, run_script

SCRIPT = r"""
local requests = {%(requests)s}
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  i = (id * 7919) %% #requests
  prepared = {}
  for n, r in ipairs(requests) do prepared[n] = wrk.format(r[1], r[2], r[3], r[4]) end
end

function request()
  i = (i %% #requests) + 1
  return prepared[i]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do total[key] = (total[key] or 0) + count end
  end
  local parts = {}
  for key, count in pairs(total) do table.insert(parts, string.format("\"%%d\": %%d", key, count)) end
  local e = summary.errors
  io.write(string.format(
    "\nWRK {\"requests\": %%d, \"seconds\": %%f, \"bytes\": %%d, \"connect\": %%d, \"read\": %%d, " ..
    "\"write\": %%d, \"timeout\": %%d, \"status_errors\": %%d, \"p50\": %%d, \"p95\": %%d, \"p99\": %%d, " ..
    "\"max\": %%d, \"mean\": %%f, \"statuses\": {%%s}}\n",
    summary.requests, summary.duration / 1e6, summary.bytes, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ", ")))
end
"""


@dataclass(frozen=True)
class Request:
    kind: str  # what it is: "ttl", "html", "page", "search", "sparql", "dump"…
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    body: str | None = None
    weight: int = 1


@dataclass
class WrkResult:
    requests: int
    seconds: float
    bytes: int
    connect: int
    read: int
    write: int
    timeout: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[int, int] = field(default_factory=dict)  # status -> responses

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def socket_errors(self) -> int:
        return self.connect + self.read + self.write + self.timeout

    def count(self, low: int, high: int) -> int:
        """Responses whose status is in [low, high)."""
        return sum(n for status, n in self.statuses.items() if low <= status < high)

    @property
    def server_errors(self) -> int:
        return self.count(500, 600)

    @property
    def failed(self) -> int:
        """Responses outside 2xx/3xx plus socket errors: what the load must keep at zero (the mix asks for no 4xx)."""
        return self.count(400, 600) + self.socket_errors

    def summary(self) -> str:
        return (
            f"{self.rate:,.0f} req/s, p50 {self.p50_ms:.1f} ms, p95 {self.p95_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms, {self.requests} requests, {self.server_errors} 5xx, "
            f"{self.socket_errors} socket errors"
        )


def script(mix: list[Request], seed: int = 1) -> str:
    """The Lua script: the weighted mix expanded and shuffled once, then sent round-robin."""
    expanded = [r for r in mix for _ in range(r.weight)]
    random.Random(seed).shuffle(expanded)
    rows = []
    for r in expanded:
        headers = "{" + ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in r.headers) + "}"
        body = lua_string(r.body) if r.body is not None else "nil"
        rows.append(f"{{{lua_string(r.method)}, {lua_string(r.path)}, {headers}, {body}}}")
    return SCRIPT % {"requests": ",\n".join(rows)}


def run(
    url: str, mix: list[Request], seconds: float, connections: int = 64, threads: int = 2, timeout_s: int = 30
) -> WrkResult:
    """Run wrk for ``seconds`` against ``url`` (traffic to 127.0.0.1 only) and parse what the script printed."""
    if not url.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise ValueError(f"the suite only loads servers on this machine, not {url}")
    data, _ = run_script(url, script(mix), seconds, connections, threads, timeout_s)
    statuses = {int(status): count for status, count in data["statuses"].items()}
    return WrkResult(
        requests=data["requests"],
        seconds=data["seconds"],
        bytes=data["bytes"],
        connect=data["connect"],
        read=data["read"],
        write=data["write"],
        timeout=data["timeout"],
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
        statuses=statuses,
    )
