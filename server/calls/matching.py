"""Matching without accounts: skills, a territory and a radius → the calls (or offers) that fit, ranked and explained.

Ranked by the number of skills shared, then by how far (a call serving the territory, or
one done remotely, is at no distance), then by the closing day, soonest first.  Each match
says which skills it shares, how far it is and why it is there, so a visitor can judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from carrefour.centres import centre
from server.calls.board import FAR_FUTURE, Board, ancestors

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Wish:
    skills: tuple[str, ...] = ()
    territory: str = ""  # a territory key: commune/69123, departement/69, region/84, fr
    radius: float | None = None  # km around the territory's centre; None: the territory only


@dataclass(frozen=True)
class Match:
    number: int  # in the board
    skills: tuple[str, ...]  # shared with the wish
    why: str  # serves (the territory or one containing it), inside, remote, near, anywhere
    distance: float | None  # km from the territory's centre; None where it does not apply
    closes: date | None


def distances(board: Board, territory: str) -> np.ndarray:
    """Great-circle km from the territory's centre to each item's point (NaN: no point, or no such territory)."""
    level, _, code = territory.partition("/")
    place = centre(level, code) if code else None
    if place is None:
        return np.full(board.size, np.nan)
    lat1, lon1 = np.radians(place.latitude), np.radians(place.longitude)
    lat2, lon2 = np.radians(board.lat), np.radians(board.lon)
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def rank(board: Board, candidates: np.ndarray, wish: Wish, limit: int) -> tuple[int, list[Match]]:
    """(how many fit, the best ``limit`` of them) among ``candidates`` (a mask over the board)."""
    shared = np.zeros(board.size, dtype=np.int32)
    for skill in wish.skills:
        shared[board.postings["skill"].get(skill, np.zeros(0, np.int32))] += 1
    fits = candidates & (shared > 0) if wish.skills else candidates.copy()
    far = np.zeros(board.size)
    serves = inside = remote = np.zeros(board.size, dtype=bool)
    if wish.territory:
        serves = np.zeros(board.size, dtype=bool)
        for containing in ancestors(wish.territory):
            serves |= board.mask("serves", containing)
        inside = board.mask("inside", wish.territory)
        remote = board.mask("mode", "remote")
        far = distances(board, wish.territory)
        near = (far <= wish.radius) if wish.radius is not None else np.zeros(board.size, dtype=bool)
        fits &= serves | inside | remote | near
        far = np.where(serves | remote, 0.0, np.nan_to_num(far, nan=1e9))
    chosen = np.flatnonzero(fits)
    order = chosen[np.lexsort((board.closes[chosen], far[chosen], -shared[chosen]))][:limit]
    wished = set(wish.skills)
    matches = []
    for number in order.tolist():
        why = ("serves" if serves[number] else "remote" if remote[number] else "inside" if inside[number]
               else "near" if wish.territory else "anywhere")  # fmt: skip
        distance = float(far[number]) if why in ("inside", "near") and far[number] < 1e9 else None
        closes = None if board.closes[number] == FAR_FUTURE else date.fromordinal(int(board.closes[number]))
        skills = tuple(sorted(wished & board.skill_sets[number]))
        matches.append(Match(number, skills, why, distance, closes))
    return len(chosen), matches
