import pytest

pytestmark = pytest.mark.django_db


def test_regions_are_listed_with_their_codes(client):
    data = client.get("/api/v1/regions/").json()
    assert data["count"] == 7
    assert {"code": "Y56", "name": "London"} in data["results"]


def test_a_system_is_looked_up_by_ods_code_with_its_successors(client):
    data = client.get("/api/v1/systems/QNQ/").json()
    assert data["short_name"] == "Frimley"
    assert data["dissolved_on"] == "2026-03-31"
    assert {(s["successor"], s["partial"]) for s in data["successors"]} == {
        ("S9B9J", True),
        ("S0E4D", True),
        ("QRL", True),
    }


def test_an_unknown_ods_code_is_a_404(client):
    assert client.get("/api/v1/systems/ZZZ/").status_code == 404


@pytest.mark.parametrize(
    ("params", "count"),
    [({"active_on": "2022-07-01"}, 42), ({"active_on": "2026-04-01"}, 36), ({"region": "Y56"}, 6), ({}, 48)],
)
def test_systems_filter_by_region_and_date(client, params, count):
    assert client.get("/api/v1/systems/", {**params, "page_size": 100}).json()["count"] == count


def test_a_malformed_date_is_a_400(client):
    response = client.get("/api/v1/systems/", {"active_on": "1st April"})
    assert response.status_code == 400
    assert "active_on" in response.json()
