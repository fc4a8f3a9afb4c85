"""Pages that moved answer 301 at their old address, so bookmarks and sent mails keep working."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/curation/introductions/", "/workspace/introductions/"),
        ("/curation/introductions/?state=submitted", "/workspace/introductions/?state=submitted"),
        ("/curation/introductions/42/", "/workspace/introductions/42/"),
        ("/curation/demand/", "/workspace/demand/"),
        ("/curation/demand/?below=0.3", "/workspace/demand/?below=0.3"),
    ],
)
def test_it_redirects_permanently_from_the_old_address(client: Client, old: str, new: str) -> None:
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
