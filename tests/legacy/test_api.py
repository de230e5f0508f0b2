import pytest

from legacy.choices import Audience, ItemKind
from legacy.models import Recommendation

pytestmark = pytest.mark.django_db


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def test_anyone_can_read_the_sources(client):
    response = client.get("/api/v1/sources/")
    assert response.status_code == 200
    assert {row["slug"] for row in response.json()["results"]} == {"nhscc-2022", "nhscc-2019", "kf-2016"}


def test_each_source_says_how_precisely_it_is_dated(client):
    rows = {row["slug"]: row for row in client.get("/api/v1/sources/").json()["results"]}
    assert {slug: (row["published_on"], row["date_precision"]) for slug, row in rows.items()} == {
        "nhscc-2022": ("2022-03-03", "day"),
        "kf-2016": ("2016-07-01", "month"),
        "nhscc-2019": ("2019-01-01", "year"),
    }


def test_a_theme_says_whether_its_title_is_the_sources_or_our_summary(client):
    rows = client.get("/api/v1/themes/", {"publication": "kf-2016"}).json()["results"]
    assert [(row["title"], row["title_is_paraphrase"]) for row in rows] == [
        ("Lessons for commissioners", False),
        ("Supporting CCGs to build on their progress", True),
        ("Embedding clinical involvement as commissioning changes", True),
    ]


def test_themes_filter_by_publication(client):
    response = client.get("/api/v1/themes/", {"publication": "nhscc-2022"})
    assert [row["slug"] for row in response.json()["results"]] == [
        "nhscc-clinical-leadership",
        "nhscc-quality-improvement",
        "nhscc-place-based-integration",
    ]


def test_a_recommendation_is_looked_up_by_code_with_its_context_and_cross_references(client):
    data = client.get("/api/v1/recommendations/NHSCC-2/").json()
    assert data["code"] == "NHSCC-2"
    assert data["text"].startswith("Invest in comprehensive engagement of primary care clinicians")
    assert {"code": "KF-L1"}.items() <= next(r for r in data["cross_references"] if r["code"] == "KF-L1").items()
    assert any(note["kind"] == "retain" for note in data["context"])
    assert any(note["kind"] == "supporting_text" and note["publication"] == "nhscc-2022" for note in data["context"])


def test_an_unknown_code_is_a_404_with_a_json_message(client):
    response = client.get("/api/v1/recommendations/NHSCC-99/")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"publication": "nhscc-2022"}, [f"NHSCC-{n}" for n in range(1, 12)]),
        ({"theme": "nhscc-quality-improvement"}, ["NHSCC-4", "NHSCC-5", "NHSCC-6", "NHSCC-7"]),
        ({"audience": "commissioners"}, [f"KF-L{n}" for n in range(1, 8)]),
        ({"trackable": "false"}, [f"KF-N{n}" for n in range(1, 14)]),
        ({"kind": "lesson"}, [f"KF-L{n}" for n in range(1, 8)]),
        ({"q": "medicines optimisation", "publication": "nhscc-2022"}, ["NHSCC-5"]),
        ({"q": "locum backfill"}, ["KF-L2"]),
    ],
)
def test_each_filter_narrows_the_recommendations(client, params, expected):
    response = client.get("/api/v1/recommendations/", {**params, "page_size": 100})
    assert codes(response) == expected


def test_a_bad_filter_value_is_a_400_naming_the_field(client):
    response = client.get("/api/v1/recommendations/", {"audience": "everyone"})
    assert response.status_code == 400
    assert "audience" in response.json()


def test_a_page_size_is_honoured_up_to_the_cap_and_the_rest_is_on_the_next_page(client):
    response = client.get("/api/v1/recommendations/", {"page_size": 5})
    data = response.json()
    assert (data["count"], len(data["results"])) == (31, 5)
    assert "page=2" in data["next"]


def test_a_page_size_above_the_cap_of_500_gets_500_rows_and_a_next_page(client):
    # The catalogue has 31 items: add enough throwaway ones (rolled back with the test) to pass the cap.
    kf_lessons = Recommendation.objects.get(code="KF-L1")
    Recommendation.objects.bulk_create(
        Recommendation(
            code=f"TEST-{n}",
            publication_id=kf_lessons.publication_id,
            theme_id=kf_lessons.theme_id,
            kind=ItemKind.LESSON,
            order=100 + n,
            title=f"Padding item {n}",
            text="Padding.",
            section="Test",
            audience=Audience.COMMISSIONERS,
            trackable=False,
        )
        for n in range(520)
    )

    data = client.get("/api/v1/recommendations/", {"page_size": 1000}).json()

    assert (data["count"], len(data["results"])) == (551, 500)
    assert "page=2" in data["next"]
    assert len(client.get(data["next"]).json()["results"]) == 51
