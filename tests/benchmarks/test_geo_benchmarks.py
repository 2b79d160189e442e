"""The places benchmarks' instruments (benchmarks/geo*.py): ground truth and annotation cover what
they score, splits are disjoint. The figures themselves are what the benchmarks print."""

from __future__ import annotations

import json
import os

import pytest

from benchmarks import geo, geo_countries
from benchmarks.geo_truth import NOT_PLACES, PLACES
from benchmarks.multilingual_gen import FORMS, LANGUAGES, sentences_dir

try:
    sentences_dir()
    HAVE_DATA = True
except FileNotFoundError:
    HAVE_DATA = False
# Outside CI a checkout without ../shared skips these; CI has the data, so there a missing folder fails.
needs_data = pytest.mark.skipif(not HAVE_DATA and not os.environ.get("CI"), reason="shared benchmark data not found")


def test_every_probe_place_has_a_true_position():
    for lang in LANGUAGES:
        for split in (0, 1):
            for place in FORMS[lang]["places"][split]:
                lat, lon, cc = PLACES[place]
                assert -90 <= lat <= 90 and -180 <= lon <= 180 and len(cc) == 2, place
    assert set(NOT_PLACES) == set(LANGUAGES)


def test_distance_is_great_circle_kilometres():
    assert geo.km(51.51, -0.13, 48.86, 2.35) == pytest.approx(343, abs=5)  # London - Paris
    assert geo.km(0, 0, 0, 0) == 0


@needs_data
def test_country_annotation_covers_every_document_in_two_disjoint_halves():
    docs = geo_countries.documents()
    annotation = json.loads(geo_countries.ANNOTATION.read_text(encoding="utf-8"))["countries"]
    ids = [d[0] for d in docs]
    assert len(ids) == len(set(ids)) >= 100
    assert set(ids) == set(annotation)
    assert len({d[1] for d in docs}) >= 8
    for codes in annotation.values():
        assert all(len(c) == 2 and c.isupper() for c in codes)
    dev = {d[0] for d in docs if d[3] % 2 == 0}
    kept = {d[0] for d in docs if d[3] % 2 == 1}
    assert dev and kept and not dev & kept
