"""Uploads on the storage the environment chooses: local disk, Azure Blob (tested against Azurite) or S3.

Azurite is the official Azure Storage emulator (npm package `azurite`). `.ci/run` installs it and sets
AZURITE_BIN and REQUIRE_AZURITE=1; elsewhere the Azure test skips, saying why, when it is not installed.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from config.settings import uploads_storage
from tracker.models import ApiToken, Evidence

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Azurite's fixed development account (documented by Microsoft; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="


def azurite_binary():
    found = os.environ.get("AZURITE_BIN") or shutil.which("azurite-blob")
    if found and os.access(found, os.X_OK):
        return found
    why = "Azurite is not installed (npm install azurite, then set AZURITE_BIN to node_modules/.bin/azurite-blob)"
    if os.environ.get("REQUIRE_AZURITE") == "1":
        pytest.fail(f"REQUIRE_AZURITE=1 but {why}")
    pytest.skip(why)


@pytest.fixture
def azurite(tmp_path):
    binary = azurite_binary()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", str(tmp_path / "azurite"),
         "--silent", "--skipApiVersionCheck", "--loose"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60  # node starts slowly on a busy two-core machine
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"Azurite did not start: {server.stderr.read().decode()}")
                if time.monotonic() > deadline:
                    pytest.fail("Azurite did not answer on its port within 60 seconds")
                time.sleep(0.1)
        yield (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
        )
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()  # it would not stop when asked: the test is over either way
            server.wait(10)


@pytest.fixture
def azure_uploads(azurite, settings, monkeypatch, tmp_path):
    """The app configured for Azure exactly as production is: from the environment."""
    from azure.storage.blob import BlobServiceClient

    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AZURE_CONNECTION_STRING", azurite)
    monkeypatch.setenv("AZURE_CONTAINER", "evidence-test")
    settings.STORAGES = {**settings.STORAGES, "default": uploads_storage()}
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty
    container = BlobServiceClient.from_connection_string(azurite).create_container("evidence-test")
    yield container


def test_evidence_uploaded_on_the_page_is_a_blob_in_azure_and_downloads_through_the_app(
    client, alice, azure_uploads, settings
):
    client.force_login(alice)
    paper = SimpleUploadedFile("board paper.pdf", PDF)
    data = {"title": "Board paper", "kind": "board_paper", "refers_to": "2026-05-14", "file": paper}
    response = client.post("/systems/QWO/records/NHSCC-4/evidence/", data)
    assert response.status_code == 302

    evidence = Evidence.objects.get()
    blob = azure_uploads.get_blob_client(evidence.file.name)
    assert blob.exists() and blob.download_blob().readall() == PDF
    assert not list(settings.MEDIA_ROOT.glob("**/*"))  # nothing on this machine's disk

    download = client.get(reverse("tracker:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment") and "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF


def test_evidence_uploaded_through_the_api_is_a_blob_in_azure(alice, bob, azure_uploads):
    def client_for(user):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {ApiToken.issue(user, 'tests')[1]}")
        return api

    data = {
        "system": "QWO",
        "recommendation": "NHSCC-4",
        "title": "Board paper",
        "kind": "board_paper",
        "refers_to": "2026-05-01",
        "file": SimpleUploadedFile("paper.pdf", PDF),
    }
    created = client_for(alice).post("/api/v1/evidence/", data, format="multipart")
    assert created.status_code == 201, created.content
    assert azure_uploads.get_blob_client(Evidence.objects.get().file.name).exists()
    download = client_for(bob).get(created.json()["download_url"])
    assert b"".join(download.streaming_content) == PDF


def test_the_storage_is_chosen_by_the_environment(monkeypatch):
    for name in ("STORAGE_BACKEND", "AZURE_CONNECTION_STRING", "AWS_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    assert uploads_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    monkeypatch.setenv("STORAGE_BACKEND", "azure")
    monkeypatch.setenv("AZURE_ACCOUNT_NAME", "nhstracker")
    monkeypatch.setenv("AZURE_ACCOUNT_KEY", "a2V5")
    azure = uploads_storage()
    assert azure["BACKEND"] == "storages.backends.azure_storage.AzureStorage"
    assert azure["OPTIONS"]["account_name"] == "nhstracker" and azure["OPTIONS"]["azure_container"] == "evidence"

    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "tracker-evidence")
    monkeypatch.setenv("AWS_S3_REGION_NAME", "eu-west-2")
    s3 = uploads_storage()
    assert s3["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (s3["OPTIONS"]["bucket_name"], s3["OPTIONS"]["region_name"], s3["OPTIONS"]["default_acl"]) == (
        "tracker-evidence",
        "eu-west-2",
        "private",
    )

    monkeypatch.setenv("STORAGE_BACKEND", "dropbox")
    with pytest.raises(ImproperlyConfigured, match="use local, azure or s3"):
        uploads_storage()
