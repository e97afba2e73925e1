"""Recurrence rules of events (iCalendar RRULE, RFC 5545) kept as schema.org ``eventSchedule``.

A repair café meets "every 1st and 3rd Tuesday, 13:00-17:00": its feed says
``FREQ=MONTHLY;BYDAY=1TU,3TU`` with a start and an end time.  Each rule becomes a
``schema:Schedule`` node (``…#schedule-1``; more for a rule that names weekdays in
different weeks) with the parts schema.org can say:
``repeatFrequency`` (``P1M``), ``byDay`` (``schema:Tuesday``), ``byMonthWeek`` (1, 3),
``byMonthDay``, ``byMonth``, ``repeatCount``, ``endDate``, ``startTime``, ``endTime``,
``exceptDate`` and ``scheduleTimezone``.  A rule with a part schema.org cannot say
(``BYHOUR``, ``BYWEEKNO``…) or that is malformed is left out, and the report says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from carrefour.vocab import RDF, SCHEMA, XSD

FREQUENCIES = {"DAILY": "D", "WEEKLY": "W", "MONTHLY": "M", "YEARLY": "Y"}
DAYS = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday",
        "SU": "Sunday"}  # fmt: skip
# Parts that say nothing schema.org needs (WKST only matters for weekly rules with an interval over a week).
IGNORED = frozenset({"WKST"})
_DAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_TIME = re.compile(r"(\d{1,2})[:h.](\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Session:
    """One recurring session of a record: its rule and, from sibling lists, its hours and exceptions."""

    rule: str
    start_time: str | None = None
    end_time: str | None = None
    except_dates: tuple[str, ...] = ()
    timezone: str | None = None


class RuleError(ValueError):
    """A rule the hub cannot write as a schedule; the message says which part."""


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in rule.strip().removeprefix("RRULE:").split(";"):
        name, equals, value = item.partition("=")
        if not equals or not value:
            raise RuleError(f"{item!r} is not NAME=VALUE")
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def _integers(value: str, name: str, low: int, high: int) -> list[int]:
    try:
        numbers = [int(v) for v in value.split(",")]
    except ValueError:
        raise RuleError(f"{name}={value} is not a list of numbers") from None
    if not all(low <= abs(n) <= high for n in numbers):
        raise RuleError(f"{name}={value} is out of range")
    return numbers


def _time(text: str | None) -> ox.Literal | None:
    match = _TIME.fullmatch(text.strip()) if text else None
    if match is None or int(match.group(1)) > 23:
        return None
    return ox.Literal(f"{int(match.group(1)):02d}:{match.group(2)}:00", datatype=ox.NamedNode(XSD + "time"))


def _until(value: str) -> ox.Literal:
    match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})(T\d{6}Z?)?", value)
    if match is None:
        raise RuleError(f"UNTIL={value} is not a date")
    return ox.Literal("-".join(match.groups()[:3]), datatype=ox.NamedNode(XSD + "date"))


def schedules(session: Session) -> list[list[tuple[str, ox.NamedNode | ox.Literal]]]:
    """The ``schema:Schedule`` nodes of one session, each as (schema.org property, value) pairs.

    Usually one; a rule naming weekdays in different weeks of the month (``1WE,2WE,-1SA``)
    gives one per set of weeks, since ``byMonthWeek`` applies to every ``byDay`` of its node.

    :raises RuleError: a part of the rule is malformed or has no schema.org counterpart.
    """
    parts = _parts(session.rule)
    frequency = parts.pop("FREQ", None)
    if frequency not in FREQUENCIES:
        raise RuleError(f"FREQ={frequency} is not one of {', '.join(FREQUENCIES)}" if frequency else "no FREQ")
    (interval,) = _integers(parts.pop("INTERVAL", "1"), "INTERVAL", 1, 1000)
    common: list[tuple[str, ox.NamedNode | ox.Literal]] = [
        ("repeatFrequency", ox.Literal(f"P{interval}{FREQUENCIES[frequency]}", datatype=ox.NamedNode(XSD + "duration")))
    ]
    positions = frozenset(_integers(parts.pop("BYSETPOS"), "BYSETPOS", 1, 5)) if "BYSETPOS" in parts else frozenset()
    days: dict[str, set[int]] = {}  # each weekday -> the weeks of the month it is met in
    for day in parts.pop("BYDAY").split(",") if "BYDAY" in parts else []:
        match = _DAY.fullmatch(day)
        if match is None:
            raise RuleError(f"BYDAY {day!r} is not a weekday")
        ordinal = _integers(match.group(1), "BYDAY", 1, 5) if match.group(1) else []
        days.setdefault(DAYS[match.group(2)], set()).update(ordinal, positions)
    weeks: dict[frozenset[int], list[str]] = {}  # the weeks of the month -> the weekdays met in them
    for day, ordinals in days.items():
        weeks.setdefault(frozenset(ordinals), []).append(day)
    for name, prop, high in (("BYMONTHDAY", "byMonthDay", 31), ("BYMONTH", "byMonth", 12)):
        if name in parts:
            common += [(prop, ox.Literal(n)) for n in _integers(parts.pop(name), name, 1, high)]
    if "COUNT" in parts:
        common.append(("repeatCount", ox.Literal(_integers(parts.pop("COUNT"), "COUNT", 1, 10_000)[0])))
    if "UNTIL" in parts:
        common.append(("endDate", _until(parts.pop("UNTIL"))))
    unknown = sorted(set(parts) - IGNORED)
    if unknown:
        raise RuleError(f"{', '.join(unknown)} cannot be said with schema.org's Schedule")
    for prop, text in (("startTime", session.start_time), ("endTime", session.end_time)):
        literal = _time(text)
        if literal is not None:
            common.append((prop, literal))
    common += [
        ("exceptDate", ox.Literal(date.strip(), datatype=ox.NamedNode(XSD + "date")))
        for date in session.except_dates
        if _DATE.fullmatch(date.strip())
    ]
    if session.timezone:
        common.append(("scheduleTimezone", ox.Literal(session.timezone)))
    nodes = []
    for ordinals, named in weeks.items() or [(frozenset(), [])]:
        node = [("byDay", ox.NamedNode(SCHEMA + day)) for day in named]
        node += [("byMonthWeek", ox.Literal(week)) for week in sorted(ordinals)]
        nodes.append(node + common)
    return nodes


def schedule_triples(node: ox.NamedNode, description: list[tuple[str, ox.NamedNode | ox.Literal]]) -> list[ox.Triple]:
    """One schedule node's triples, typed ``schema:Schedule``."""
    triples = [ox.Triple(node, ox.NamedNode(RDF + "type"), ox.NamedNode(SCHEMA + "Schedule"))]
    return triples + [ox.Triple(node, ox.NamedNode(SCHEMA + prop), value) for prop, value in description]
