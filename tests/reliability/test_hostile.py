"""Hand-written hostile requests: XSS in partner text, injection, writes by every route, traversal, big bodies."""

from __future__ import annotations

from pathlib import Path

import requests

from bench.reliability.audit import LINK_ONLY, REVIEWED, splice_sites, unreviewed
from bench.reliability.hostile import (
    PageAudit,
    _Auditor,
    audit_page,
    hostile_pages,
    probe_bodies,
    probe_injection,
    probe_traversal,
    probe_writes,
    reflected_pages,
)
from bench.reliability.hub import SuiteHub
from bench.reliability.server import Served


def audit_html(text: str) -> PageAudit:
    audit = PageAudit("test")
    auditor = _Auditor(audit)
    auditor.feed(text)
    auditor.close()
    return audit


def test_the_html_audit_finds_what_a_probe_would_inject() -> None:
    assert audit_html("<p>&lt;script&gt;alert('xss-1')&lt;/script&gt;</p>").unescaped == []
    assert audit_html("<p>&lt;script&gt;alert('xss-1')&lt;/script&gt;</p>").shown == 1
    for unsafe in (
        "<p><script>alert('xss-1')</script></p>",
        "<img src=x onerror=\"alert('xss-2')\">",
        "<a href=' javascript:alert(1)'>x</a>",
        "<svg onload=alert('xss-3')>",
        '<script type="application/ld+json">{"name": "</script><script>alert(1)</script>"}</script>',
    ):
        assert audit_html(unsafe).unescaped, unsafe


def test_partner_text_and_visitor_input_are_escaped_in_every_page(suite_hub: SuiteHub, served: Served) -> None:
    with requests.Session() as session:
        pages = [audit_page(session, served.url + path) for path in hostile_pages(suite_hub, 40)]
        reflected = [audit_page(session, served.url + path) for path in reflected_pages()]
    assert sum(1 for a in pages if a.shown) >= 10, "the probes must be shown (escaped), not dropped"
    assert [(a.url, a.unescaped) for a in pages + reflected if a.unescaped] == []


def test_every_query_built_by_splicing_was_reviewed() -> None:
    assert unreviewed() == []
    assert set(REVIEWED) == set(splice_sites())  # no review outlives its site
    assert ("server/catalogue/text.py", "text_hits") in splice_sites(include_sql=True)  # SQL is found, then left out
    assert not any(
        module.startswith("server/")
        for module, name in splice_sites()
        if name not in ("<module>", "examples") and (module, name) not in LINK_ONLY
    )


def test_the_audit_finds_a_new_splice(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir(parents=True)
    for package in ("carrefour", "loader"):
        (tmp_path / package).mkdir()
    (tmp_path / "server" / "bad.py").write_text(
        'def find(q):\n    return f"SELECT ?s WHERE {{ ?s ?p \\"{q}\\" }}"\n', encoding="utf-8"
    )
    assert unreviewed(tmp_path) == [("server/bad.py", "find")]


def test_injection_through_request_parameters_is_inert(served: Served) -> None:
    probe = probe_injection(served)
    assert probe.tried > 50 and not probe.failures, probe.failures


def test_updates_load_and_service_are_refused_by_every_route(suite_hub: SuiteHub, served: Served) -> None:
    probe = probe_writes(served, suite_hub)
    assert probe.tried > 300 and not probe.failures, probe.failures


def test_no_path_leaves_the_dumps_or_the_static_files(served: Served) -> None:
    probe = probe_traversal(served)
    assert probe.tried > 60 and not probe.failures, probe.failures


def test_bodies_over_the_limits_are_refused_and_the_server_lives(served: Served) -> None:
    probe = probe_bodies(served, max_request=1048576, max_query=65536)
    assert probe.tried == 5 and not probe.failures, probe.failures
