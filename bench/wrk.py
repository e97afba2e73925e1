"""A bounded load from a second process: ``wrk`` (Debian package) driven by a Lua script.

``wrk`` keeps ``connections`` connections busy for ``seconds`` (a closed loop: a
connection sends its next request when the previous answer has arrived), so the
load is bounded by the number of connections.  The script chooses each request and
reports, at the end, the figures wrk keeps: requests, bytes, errors and the latency
distribution (median, 95th percentile), plus the answers a check found wrong.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

MIB = 1024 * 1024

# Lua run by wrk: PRELUDE defines what requests draw on, REQUEST is the body of a
# function returning one request, CHECK a boolean expression on (status, headers)
# that a right answer satisfies.
SCRIPT = """
%(prelude)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
counter = 0
wrong = 0
request = function()
  counter = counter + 1
  %(request)s
end
%(response)s
done = function(summary, latency, requests)
  local wrong_total = 0
  for _, thread in ipairs(threads) do wrong_total = wrong_total + thread:get("wrong") end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "bytes": %%d, "seconds": %%f, "errors": %%d, "wrong": %%d, "p50": %%d, "p95": %%d}\\n',
    summary.requests, summary.bytes, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout, wrong_total,
    latency:percentile(50), latency:percentile(95)))
end
"""
RESPONSE = """
response = function(status, headers, body)
  if not (%s) then
    wrong = wrong + 1
    if wrong <= 3 then
      local seen = {}
      for name, value in pairs(headers) do table.insert(seen, name .. ": " .. value) end
      local answer = status .. "; " .. table.concat(seen, "; ")
      io.stderr:write("wrong answer to request " .. counter .. ": " .. answer .. "\\n")
    end
  end
end
"""


@dataclass(frozen=True)
class Load:
    """What one wrk run measured."""

    requests: int
    bytes: int
    seconds: float
    errors: int  # failed connections and answers other than 2xx/3xx
    wrong: int  # answers the script's check refused
    median_ms: float
    p95_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def mib_per_second(self) -> float:
        return self.bytes / MIB / self.seconds


def lua_string(text: str) -> str:
    """``text`` as a Lua string literal."""
    return json.dumps(text)  # JSON escapes are valid in Lua strings for the ASCII we send


def lua_list(items: list[str]) -> str:
    return "{" + ", ".join(lua_string(item) for item in items) + "}"


@dataclass(frozen=True)
class Requests:
    """The Lua that makes the requests: top-level definitions and the body of wrk's ``request()``."""

    prelude: str
    request: str


def run_script(
    url: str, script: str, seconds: float, connections: int, threads: int = 1, timeout_s: int = 30
) -> tuple[dict[str, Any], str]:
    """Run wrk with a Lua ``script`` whose ``done()`` prints one ``WRK {json}`` line; that JSON, and wrk's stderr.

    :raises RuntimeError: wrk is missing or failed, or printed no summary.
    """
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is needed (Debian package wrk; ./dev.sh test installs it)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as handle:
        handle.write(script)
        handle.flush()
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                   f"--timeout={timeout_s}s", "-s", handle.name, url]  # fmt: skip
        finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout_s + 60)
    lines = [line for line in finished.stdout.splitlines() if line.startswith("WRK ")]
    if finished.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed on {url}: {finished.stderr.strip() or finished.stdout[-500:]}")
    return json.loads(lines[-1][4:]), finished.stderr.strip()


def run(
    url: str, requests: Requests, seconds: float, connections: int = 1, check: str | None = None, warm_up: bool = False
) -> Load:
    """Load ``url`` for ``seconds`` with ``connections`` connections.

    :param warm_up: only to fill caches: no answer needs to come back in time.
    :raises RuntimeError: wrk failed, or a request failed or came back wrong.
    """
    response = RESPONSE % check if check else ""
    script = SCRIPT % {"prelude": requests.prelude, "request": requests.request, "response": response}
    figures, stderr = run_script(url, script, seconds, connections)
    load = Load(
        requests=figures["requests"],
        bytes=figures["bytes"],
        seconds=figures["seconds"],
        errors=figures["errors"],
        wrong=figures["wrong"],
        median_ms=figures["p50"] / 1000,
        p95_ms=figures["p95"] / 1000,
    )
    if load.errors or load.wrong or not (load.requests or warm_up):
        raise RuntimeError(
            f"{url}: {load.errors} failed and {load.wrong} wrong answers in {load.requests} requests {stderr}"
        )
    return load


def get_paths(paths: list[str], accept: str) -> Requests:
    """GET each of ``paths`` in turn with ``Accept: accept``."""
    return Requests(
        f'paths = {lua_list(paths)}\nheaders = {{["Accept"] = {lua_string(accept)}}}',
        'return wrk.format("GET", paths[(counter % #paths) + 1], headers)',
    )


def post_forms(path: str, form_bodies: list[str], accept: str) -> Requests:
    """POST each of ``form_bodies`` (URL-encoded) in turn to ``path``."""
    return Requests(
        f'headers = {{["Accept"] = {lua_string(accept)}, ["Content-Type"] = "application/x-www-form-urlencoded"}}\n'
        f"path = {lua_string(path)}\nforms = {lua_list(form_bodies)}",
        'return wrk.format("POST", path, headers, forms[(counter % #forms) + 1])',
    )


def post_form(path: str, form_body: str, accept: str, vary_with: str | None = None) -> Requests:
    """POST ``form_body``; with ``vary_with`` (URL-encoded text), each body starts with it and a new number."""
    prelude = (
        f'headers = {{["Accept"] = {lua_string(accept)}, '
        f'["Content-Type"] = "application/x-www-form-urlencoded"}}\n'
        f"path = {lua_string(path)}\nform = {lua_string(form_body)}"
    )
    if vary_with is None:
        return Requests(prelude, 'return wrk.format("POST", path, headers, form)')
    prelude += f"\nvary = {lua_string(vary_with)}"
    return Requests(prelude, 'return wrk.format("POST", path, headers, vary .. counter .. form)')
