"""The offline reverse geocoder, on real shipped data, with the network cut off."""

import socket

import pytest

from comments import geocoding


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the reverse geocoder must not use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


@pytest.mark.parametrize(
    ("lat", "lon", "city", "country"),
    [
        (48.8566, 2.3522, "Paris", "France"),
        (-1.2864, 36.8172, "Nairobi", "Kenya"),
        (35.6895, 139.6917, "Tokyo", "Japan"),
        (-34.6037, -58.3816, "Buenos Aires", "Argentina"),
    ],
)
def test_capitals_are_named(lat, lon, city, country):
    place = geocoding.reverse(lat, lon)
    assert place.city == city
    assert place.country == country
    assert place.name == f"{city}, {country}"


def test_a_point_at_sea_has_no_place():
    assert geocoding.reverse(0.0, -30.0) is None


def test_out_of_range_coordinates_are_refused():
    with pytest.raises(ValueError):
        geocoding.reverse(91, 0)


def test_distance_is_great_circle():
    assert round(geocoding.distance_km(0, 0, 0, 1)) == 111
