"""Distances on the Earth: haversine, and the bounding box used to prefilter on the
indexed latitude and longitude before the exact distance is computed."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
KM_PER_DEGREE_LAT = math.pi * EARTH_RADIUS_KM / 180


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points.

    >>> round(haversine_km(48.39169, -4.48454, 47.99619, -4.10203), 1)  # Brest–Quimper
    52.3
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distances_from(lat: float, lon: float):
    """A function (lat, lon) -> haversine distance in km from a fixed origin, with the
    origin's terms computed once (the search calls it for thousands of candidates)."""
    lat0, lon0 = math.radians(lat), math.radians(lon)
    cos0 = math.cos(lat0)
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    diameter = 2 * EARTH_RADIUS_KM

    def distance(lat2: float, lon2: float) -> float:
        p2 = radians(lat2)
        a = sin((p2 - lat0) / 2) ** 2 + cos0 * cos(p2) * sin((radians(lon2) - lon0) / 2) ** 2
        return diameter * asin(min(1.0, sqrt(a)))

    return distance


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


def bounding_box(lat: float, lon: float, radius_km: float) -> BoundingBox:
    """A box that contains every point within `radius_km` of (lat, lon). Near the poles
    (or when the radius crosses a pole) the box spans every longitude."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    min_lat, max_lat = lat - dlat, lat + dlat
    if max_lat >= 90 or min_lat <= -90:
        return BoundingBox(max(min_lat, -90), min(max_lat, 90), -180, 180)
    # The widest longitude span is at the latitude of the box farthest from the equator.
    widest = max(abs(min_lat), abs(max_lat))
    dlon = radius_km / (KM_PER_DEGREE_LAT * math.cos(math.radians(widest)))
    if dlon >= 180:
        return BoundingBox(min_lat, max_lat, -180, 180)
    # (No service of the directory sits near the antimeridian: the box is not split.)
    return BoundingBox(min_lat, max_lat, lon - dlon, lon + dlon)
