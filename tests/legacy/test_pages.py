import html

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_every_item_grouped_by_publication_and_theme(client):
    response = client.get(reverse("legacy:catalogue"))
    assert response.status_code == 200
    assert response.context["result_count"] == 31
    body = response.content.decode()
    for heading in (
        "Clinical commissioning: GPs in charge?",
        "Driving quality improvement",
        "Lessons for commissioners",
    ):
        assert heading in body


def test_the_catalogue_filters_by_publication_and_searches_the_text(client):
    response = client.get(reverse("legacy:catalogue"), {"publication": "nhscc-2022", "q": "medicines"})
    assert [item.code for _, themes in response.context["groups"] for _, items in themes for item in items] == [
        "NHSCC-5"
    ]


def test_an_unknown_filter_value_shows_an_error_next_to_the_field(client):
    response = client.get(reverse("legacy:catalogue"), {"publication": "no-such-report"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_an_item_page_shows_source_text_section_theme_context_and_cross_references(client):
    response = client.get(reverse("legacy:recommendation", args=["KF-L1"]))
    body = response.content.decode()
    assert "engage with all GPs in a local area by embedding clear and open lines of communication" in body
    assert "Lessons for commissioners" in body
    assert "Strategies for improvement" in body and "Considerations for the future" in body
    assert "Demonstrating the two-way benefits of GP involvement" in body
    assert 'href="/catalogue/NHSCC-2/"' in body


def test_an_unknown_item_is_not_found(client):
    assert client.get(reverse("legacy:recommendation", args=["NHSCC-99"])).status_code == 404


def test_the_2019_report_page_shows_the_three_things_to_retain(client):
    body = client.get(reverse("legacy:publication", args=["nhscc-2019"])).content.decode()
    assert "keeping clinical engagement at the core" in body


def test_the_register_lists_systems_by_region_with_predecessors_and_successors(client):
    response = client.get(reverse("tracker:systems"))
    assert response.context["result_count"] == 48
    assert [region.name for region, _ in response.context["regions"]][0] == "East of England"
    body = response.content.decode()
    assert "Succeeded by" in body and "Took over" in body


def test_the_register_filters_by_region_and_date(client):
    response = client.get(reverse("tracker:systems"), {"region": "Y56", "active_on": "2026-04-01"})
    systems = [s.ods_code for _, systems in response.context["regions"] for s in systems]
    assert sorted(systems) == ["QKK", "QMF", "QWE", "Z9B2Z"]


def test_a_dissolved_systems_page_links_to_its_successors(client):
    body = client.get(reverse("tracker:system", args=["QNQ"])).content.decode()
    assert "dissolved on 31 March 2026" in body
    for successor in ("S9B9J", "S0E4D", "QRL"):
        assert f"/systems/{successor}/" in body


def test_the_home_page_says_106_ccgs_were_abolished_and_211_were_created(client):
    body = client.get(reverse("home")).content.decode()
    assert "took over from England's last 106 clinical commissioning groups" in body
    assert "211 were created in 2013" in body
    assert "England's 211 clinical commissioning groups" not in body


@pytest.mark.parametrize(
    ("slug", "shown", "never"),
    [
        ("kf-2016", "The King's Fund and Nuffield Trust, July 2016", "1 July 2016"),
        ("nhscc-2019", "NHS Clinical Commissioners, 2019", "January 2019"),
        ("nhscc-2022", "NHS Clinical Commissioners, 3 March 2022", None),
    ],
)
def test_a_publication_page_dates_it_as_precisely_as_its_source_and_no_more(client, slug, shown, never):
    body = html.unescape(client.get(reverse("legacy:publication", args=[slug])).content.decode())
    assert shown in body
    if never:
        assert never not in body


def test_every_catalogue_page_shows_the_king_s_fund_report_as_july_2016_not_a_day(client):
    pages = [reverse("home"), reverse("legacy:catalogue"), reverse("legacy:recommendation", args=["KF-L1"])]
    for url in pages:
        body = html.unescape(client.get(url).content.decode())
        assert "July 2016" in body, url
        assert "1 July 2016" not in body and "January 2019" not in body, url


def test_a_system_page_dates_each_publication_as_precisely_as_its_source(client, alice):
    client.force_login(alice)
    body = html.unescape(client.get(reverse("tracker:system", args=["QWO"])).content.decode())
    assert "The King's Fund and Nuffield Trust, July 2016" in body
    assert "NHS Clinical Commissioners, 3 March 2022" in body


def test_a_theme_title_of_ours_is_labelled_our_summary_wherever_it_is_shown(client):
    pages = [
        reverse("legacy:catalogue"),
        reverse("legacy:publication", args=["kf-2016"]),
        reverse("legacy:recommendation", args=["KF-N1"]),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "Supporting CCGs to build on their progress (our summary)" in body, url
    # The source's own headings are shown as they are.
    body = client.get(reverse("legacy:catalogue")).content.decode()
    assert "Lessons for commissioners (our summary)" not in body and "Lessons for commissioners" in body


def test_an_nhscc_recommendation_page_shows_the_report_s_own_supporting_text_and_case_study(client):
    body = html.unescape(client.get(reverse("legacy:recommendation", args=["NHSCC-4"])).content.decode())
    assert "Supporting context" in body
    assert "Supporting text · NHS Clinical Commissioners (3 March 2022) · Driving quality improvement" in body
    assert "Blackpool CCG – peer review of unwarranted variation in referrals and procedures" in body
    # Supporting text comes before case studies.
    assert body.index("The peer review process was led by") < body.index("Blackpool CCG asked local GP practices")


def test_the_2019_report_page_says_when_a_thing_to_retain_is_linked_to_no_item(client):
    body = client.get(reverse("legacy:publication", args=["nhscc-2019"])).content.decode()
    assert "Not linked to any item of the catalogue." in body
    assert 'href="/catalogue/NHSCC-7/"' not in body
