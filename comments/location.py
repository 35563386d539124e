"""Cleaning a shared location: validation, coarsening and an offline place name.

Input is ``{name?, latitude?, longitude?, precise?}`` (API) or the page form's fields.
Coordinates come both or neither, in range; the name is at most 120 characters. Unless
``precise`` is set, coordinates are rounded to ``COMMENTS_LOCATION_PRECISION`` decimals
(2 ≈ 1.1 km) before anything stores or shows them, and a missing name is filled by the
offline reverse geocoder from the rounded point.
"""

import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from comments import geocoding

NAME_MAX = 120


@dataclass(frozen=True)
class Location:
    name: str
    latitude: Decimal | None
    longitude: Decimal | None
    precise: bool

    def as_fields(self) -> dict:
        return {
            "location_name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "location_precise": self.precise,
        }


NO_LOCATION = Location(name="", latitude=None, longitude=None, precise=False)


def _error(message: str) -> ValidationError:
    return ValidationError({"location": [message]})


def _number(value, label: str, limit: int) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise _error(_("%(field)s must be a number.") % {"field": label})
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _error(_("%(field)s must be a number.") % {"field": label}) from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise _error(
            _("%(field)s must be between -%(limit)s and %(limit)s.")
            % {"field": label, "limit": limit}
        )
    return number


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def clean_location(data) -> Location:
    """Validate and coarsen; returns ``NO_LOCATION`` for empty input."""
    if data is None:
        return NO_LOCATION
    if not isinstance(data, dict):
        raise _error(_("Send the location as an object with name, latitude and longitude."))
    name = data.get("name") or ""
    if not isinstance(name, str):
        raise _error(_("The place name must be text."))
    name = " ".join(name.split())
    # Control characters are no part of a place name, and PostgreSQL cannot store NUL.
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise _error(_("The place name must be plain text."))
    if len(name) > NAME_MAX:
        raise _error(_("The place name can be at most %(max)s characters.") % {"max": NAME_MAX})
    latitude = _number(data.get("latitude"), _("Latitude"), 90)
    longitude = _number(data.get("longitude"), _("Longitude"), 180)
    if (latitude is None) != (longitude is None):
        raise _error(_("Send both latitude and longitude, or neither."))
    precise = data.get("precise") in (True, "true", "on", "1", 1)
    if latitude is None:
        return (
            Location(name=name, latitude=None, longitude=None, precise=False)
            if name
            else (NO_LOCATION)
        )
    places = 6 if precise else settings.COMMENTS_LOCATION_PRECISION
    latitude, longitude = _round(latitude, places), _round(longitude, places)
    if not name:
        place = geocoding.reverse(float(latitude), float(longitude))
        name = place.name[:NAME_MAX] if place else ""
    return Location(name=name, latitude=latitude, longitude=longitude, precise=precise)
