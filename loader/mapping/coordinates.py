"""Coordinates as partners give them, made WGS 84 latitude and longitude.

Feeds give a point in several ways: WGS 84 degrees (sometimes in ``[lat, lon]``
order, sometimes twice, one pair better than the other), or projected metres such
as Lambert-93 (EPSG:2154), the French official projection of GIS exports.  A partner
declares each pair it has, in order of preference, with the reference system of the
projected ones; the first pair that gives a point on Earth is kept.  Projections are
computed by PROJ (pyproj), whose grids ship with the wheel: no network is used.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # PROJ is loaded for a partner declaring a projected pair (0.1 s of every harvest's start, else)
    from pyproj import Transformer

WGS84 = "EPSG:4326"


def check_crs(name: str) -> str | None:
    """Why ``name`` is not a coordinate reference system PROJ knows (None: it is one)."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        CRS.from_user_input(name)
    except CRSError as exc:
        return str(exc).splitlines()[0]
    return None


@cache
def _transformer(crs: str) -> Transformer:
    from pyproj import Transformer

    # always_xy: easting then northing in, longitude then latitude out, whatever the CRS's axis order
    return Transformer.from_crs(crs, WGS84, always_xy=True)


def to_wgs84(first: Decimal, second: Decimal, crs: str | None) -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) in degrees, or None when the pair is no point on Earth.

    :param first: the latitude, or the easting (x) of a projected pair.
    :param second: the longitude, or the northing (y) of a projected pair.
    :param crs: the projected pair's reference system (``EPSG:2154``); None for WGS 84 degrees.
    """
    if crs is None:
        latitude, longitude = first, second
    else:
        lon, lat = _transformer(crs).transform(float(first), float(second), errcheck=False)
        if lon != lon or lat != lat or abs(lon) == float("inf"):  # NaN or infinity: outside the projection
            return None
        # a decimetre is enough for a place: seven decimals of a degree
        latitude, longitude = Decimal(f"{lat:.7f}"), Decimal(f"{lon:.7f}")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or latitude == longitude == 0:
        return None
    return latitude, longitude
