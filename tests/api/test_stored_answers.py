"""A write answers the row as stored, and numbers that cannot be stored and read
back are refused."""

from claims.models import Measure


def test_a_write_answers_what_a_read_answers_afterwards(editor):
    created = editor.post(
        "/api/measures/",
        {"name": "Rounds", "unit": "rounds", "lower_limit": 383426213099821.25},
        format="json",
    )
    assert created.status_code == 201, created.json()
    read = editor.get(created.json()["url"])
    assert created.json() == read.json()
    changed = editor.patch(
        created.json()["url"], {"lower_limit": 123456789012345.67}, format="json"
    )
    assert changed.json() == editor.get(created.json()["url"]).json()


def test_a_lower_limit_beyond_ten_to_the_fifteenth_is_refused(editor):
    response = editor.post(
        "/api/measures/",
        {"name": "Rounds", "unit": "rounds", "lower_limit": "10000000000000001"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["lower_limit"]
    assert not Measure.objects.exists()
