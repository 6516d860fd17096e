"""Issue 8 §5 "hostile input": a strict Content-Security-Policy on every response, and no
template relies on anything it refuses (inline scripts, styles or event handlers)."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
TEMPLATES = sorted(Path(settings.BASE_DIR, "cme").rglob("templates/**/*.html"))
INLINE = {
    "a style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "a <style> element": re.compile(r"<style\b", re.IGNORECASE),
    "an inline <script>": re.compile(r"<script\b(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_every_response_carries_the_policy(client, login):
    assert client.get(reverse("login"))["Content-Security-Policy"] == POLICY
    assert client.get(reverse("public_projects"))["Content-Security-Policy"] == POLICY
    assert client.get("/api/v1/openapi.json")["Content-Security-Policy"] == POLICY
    assert login("changsha").get(reverse("stats:dashboard"))["Content-Security-Policy"] == POLICY


def test_no_template_has_inline_script_style_or_handlers():
    assert len(TEMPLATES) > 100
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {what}"
        for path in TEMPLATES
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_htmx_is_told_not_to_inject_its_indicator_style(client):
    body = client.get(reverse("login")).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles": false}'>""" in body
    assert "cme/cme.css" in body
    assert "cme/cme.js" in body


def test_the_dashboard_passes_its_data_as_json_not_script(login):
    body = login("changsha").get(reverse("stats:dashboard")).content.decode()
    assert '<script id="charts-data" type="application/json">' in body
    assert "stats/dashboard.js" in body
