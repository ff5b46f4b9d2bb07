"""The snapshot's PDF, read back with a PDF parser: what leadership sees on each page."""

import io
import re

import pytest
from django.db import connection
from pypdf import PdfReader

from insights import report_pdf, snapshot
from insights.figures import ORGANISATION, Period
from tests.conftest import SCREENSHOTS
from tests.test_insights import data  # noqa: F401 - the fixed data set

Q3 = Period.quarter(2026, 3)


def pages_of(content):
    """Each page's text, with runs of white space made one space."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


@pytest.fixture
def pdf(client, data, staff, settings):  # noqa: F811
    settings.ORGANISATION_NAME = "Northwind Traders"
    client.force_login(staff)
    response = client.get("/insights/snapshot.pdf?quarter=2026-Q3")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # Kept beside the screenshots (ignored by git) to be looked at page by page.
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"insights-snapshot-{connection.vendor}.pdf").write_bytes(response.content)
    return response.content


def test_the_title_page_names_the_quarter_its_dates_and_the_organisation(pdf):
    title = pages_of(pdf)[0]
    assert "PERFORMANCE SNAPSHOT" in title
    assert "2026 Q3" in title and "1 July 2026 – 30 September 2026" in title
    assert "Northwind Traders" in title


def test_the_title_page_shows_the_headline_figures_against_their_targets(pdf):
    title = pages_of(pdf)[0]
    # Q3's real escalations: time to ownership 10, 20 and 60 min against a 30 min target.
    assert "Time to ownership (median) 20 min target 30 min · within target 67% of escalations met it" in title
    assert "Time to resolution (median) 3 h 20 min target 4 h 00 min · within target" in title
    assert "Escalations 4 previous quarter 1" in title


def test_the_figures_page_sets_each_figure_beside_its_target_and_the_quarter_before(pdf):
    figures = pages_of(pdf)[1]
    assert "Figures against the playbook's targets · 2026 Q3" in figures
    assert "Time to ownership (median) 20 min within target 30 min 67% 1 h 30 min" in figures
    assert "Time to first customer update (median) 30 min within target 30 min 67% 1 h 30 min" in figures
    assert "Customer satisfaction (mean, 1–5) 3.0 1.0" in figures
    # Per pattern, each median over its own target.
    assert "Payment outage 3 20 min target 30 min 30 min target 30 min 3 h 20 min target 4 h 00 min" in figures


def test_the_pdf_draws_the_charts_with_their_axes(pdf):
    text = " ".join(pages_of(pdf))
    assert "Time to ownership against target, per pattern" in text
    assert "target 30 min" in text and "minutes" in text  # the target's label and the axis's unit
    # Each trend's unit, then its ticks; Q2's 15 h resolution sets that axis's top.
    assert "Time to ownership (median) minutes 0 20 40 60 80 100" in text
    assert "Time to resolution (median) hours 0 3 6 9 12 15" in text
    assert "15 h 2026 Q2 3.3 h 2026 Q3" in text
    assert "The six rubric dimensions" in text and "mean consolidated score (1–5)" in text


def test_the_pdf_carries_its_quarter_and_organisation_in_its_metadata(pdf):
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info.title == "Performance snapshot · 2026 Q3 · Northwind Traders"
    assert info.author == "Northwind Traders"


def test_an_organisation_name_with_markup_characters_is_printed_as_written(data, staff):  # noqa: F811
    report = snapshot.internal(Q3, viewer=staff)
    content = report_pdf.build(report, organisation="Smith & Jones <EMEA>")
    assert "Smith & Jones <EMEA>" in pages_of(content)[0]


def test_a_quarter_without_escalations_still_makes_a_readable_pdf(db):
    report = snapshot.internal(Period.quarter(2025, 1), viewer=ORGANISATION)
    pages = pages_of(report_pdf.build(report, organisation="Northwind Traders"))
    assert "2025 Q1" in pages[0] and "Escalations 0" in pages[0]
    text = " ".join(pages)
    assert "No findings from published reviews." in text and "No recognitions this quarter." in text


def test_without_the_setting_the_title_page_says_your_organisation(client, data, staff):  # noqa: F811
    client.force_login(staff)
    content = client.get("/insights/snapshot.pdf?quarter=2026-Q3").content
    assert "Your organisation" in pages_of(content)[0]


def test_a_quarter_with_many_patterns_charts_the_slowest_and_tables_them_all(staff):
    from tests.factories import UserFactory
    from tests.test_insights import incident

    author = UserFactory(username="author")
    for number in range(30):
        escalation = incident(author, None, tto=number + 1)
        escalation.pattern_name = f"Pattern {number + 1:02d}"
        escalation.save()
    text = " ".join(pages_of(report_pdf.build(snapshot.internal(Q3, viewer=staff), organisation="Northwind")))
    assert "Pattern 01 1 1 min" in text and "Pattern 30 1 30 min" in text  # the table has every pattern
    assert "The 12 patterns slowest to an owner; the table above has them all." in text
    charted = text[text.index("Time to ownership against target, per pattern") :]
    assert "Pattern 30" in charted and "Pattern 19" in charted and "Pattern 18" not in charted


def test_names_in_any_script_are_printed_without_an_error(data, staff):  # noqa: F811
    from reviews.models import Finding, Incident

    first = Incident.objects.filter(team=data["a"]).first()
    Finding.objects.create(review=first.review, text="Übergabe ohne Kontext — 引き継ぎ", created_by=data["author"])
    content = report_pdf.build(snapshot.internal(Q3, viewer=staff), organisation="Société Générale · 東京")
    assert "Société Générale" in pages_of(content)[0]
    assert "Übergabe ohne Kontext" in " ".join(pages_of(content))
