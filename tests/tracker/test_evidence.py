import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tracker.models import Evidence, ProgressChange
from tracker.uploads import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ADD_URL = reverse("tracker:evidence_add", args=["QWO", "NHSCC-4"])


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def post_file(client, name, content, **extra):
    data = {"title": "Board paper", "kind": "board_paper", "refers_to": "2026-05-14", **extra}
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(ADD_URL, data)


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("paper.pdf", PDF, "application/pdf"),
        ("plan.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("metrics.csv", b"ods_code,value\nQWO,12\n", "text/csv"),
        ("chart.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
    ],
)
def test_an_editor_uploads_accepted_file_types(signed_in, name, content, content_type):
    response = post_file(signed_in, name, content)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.file_name, evidence.content_type, evidence.file_size) == (name, content_type, len(content))
    assert ProgressChange.objects.get().kind == "evidence_added"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("paper.pdf", b"MZ\x90\x00 this is really an executable", "not a PDF file"),
        ("plan.docx", b"just text", "not a DOCX file"),
        ("tool.exe", b"MZ\x90\x00", "Upload a PDF, Word, Excel, PowerPoint, CSV, PNG, JPEG or GIF file"),
        ("data.csv", b"\x00\x01\x02binary", "not a CSV file"),
        ("empty.pdf", b"", "The submitted file is empty"),
        ("huge.pdf", b"%PDF-" + b"0" * MAX_UPLOAD_BYTES, "the limit is 10.0"),
    ],
)
def test_a_wrong_or_oversized_file_is_refused_next_to_the_field_and_nothing_is_saved(signed_in, name, content, message):
    response = post_file(signed_in, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Evidence.objects.exists() and not ProgressChange.objects.exists()


def test_a_link_is_evidence_too_and_shows_with_the_date_it_refers_to(signed_in):
    signed_in.post(
        ADD_URL,
        {"title": "Peer network terms", "kind": "link", "refers_to": "2026-04-02", "url": "https://example.nhs.uk/t"},
    )
    body = signed_in.get(reverse("tracker:record", args=["QWO", "NHSCC-4"])).content.decode()
    assert 'href="https://example.nhs.uk/t"' in body and "2 April 2026" in body


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "Give a link or upload a file"),
        ({"url": "https://example.nhs.uk/x", "file": SimpleUploadedFile("p.pdf", PDF)}, "not both"),
        ({"url": "https://example.nhs.uk/x", "refers_to": "2999-01-01"}, "cannot be in the future"),
        (
            {"url": "https://example.nhs.uk/x", "title": "t" * 201},
            "Title must be 200 characters or fewer; you entered 201",
        ),
    ],
)
def test_bad_evidence_gets_a_clear_error(signed_in, extra, message):
    data = {"title": "Minutes", "kind": "board_paper", "refers_to": "2026-05-14", **extra}
    response = signed_in.post(ADD_URL, data)
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


def test_withdrawn_evidence_stays_on_record_with_its_reason(signed_in):
    post_file(signed_in, "paper.pdf", PDF)
    evidence = Evidence.objects.get()
    url = reverse("tracker:evidence_withdraw", args=[evidence.pk])
    assert "Enter why you are withdrawing this evidence" in signed_in.post(url, {"reason": ""}).content.decode()

    signed_in.post(url, {"reason": "Superseded by the June paper"})
    body = signed_in.get(reverse("tracker:record", args=["QWO", "NHSCC-4"])).content.decode()
    assert "Withdrawn" in body and "Superseded by the June paper" in body
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert [c.kind for c in ProgressChange.objects.order_by("pk")] == ["evidence_added", "evidence_withdrawn"]


def test_evidence_date_is_what_it_refers_to_not_when_it_was_added(signed_in):
    board_meeting = timezone.localdate() - datetime.timedelta(days=40)
    post_file(signed_in, "paper.pdf", PDF, refers_to=board_meeting.isoformat())
    evidence = Evidence.objects.get()
    assert evidence.refers_to == board_meeting
    assert abs(timezone.now() - evidence.added_at) < datetime.timedelta(minutes=1)
    body = signed_in.get(reverse("tracker:record", args=["QWO", "NHSCC-4"])).content.decode()
    assert f"{board_meeting:%-d %B %Y}" in body and f"Added by Alice Tester, {timezone.localdate():%-d %B %Y}" in body
