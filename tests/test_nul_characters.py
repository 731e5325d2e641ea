"""NUL characters: the editor's forms refuse them and PostgreSQL cannot store them in text, so
a JSON upload or import refuses them too, naming the path (the document schema does it)."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from canvas.models import CanvasVersion
from tests.conftest import load_fixture

URL = "/ventures/sepsis-dx/upload/"


def test_an_upload_with_a_nul_character_is_refused_at_its_path(alice_client, venture):
    data = load_fixture("sepsis-dx.json")
    data["partners"][1]["what_would_be_lost"] = "18-24 months\x00 to qualify"
    raw = json.dumps(data).encode()  # JSON writes it as \u0000
    versions = CanvasVersion.objects.count()
    response = alice_client.post(
        URL, {"document": SimpleUploadedFile("nul.json", raw, content_type="application/json")}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<code class="json-path">partners.1.what_would_be_lost</code>' in page
    assert "NUL" in page
    assert CanvasVersion.objects.count() == versions
