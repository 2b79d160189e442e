"""The gazetteer's memory-mapped tables answer exactly as the dicts parsed from GeoNames' JSON."""

from __future__ import annotations

import random

from pipeline.stages.geo.gazetteer import _data_dir, _read_gazetteer, load_gazetteer


def test_cached_tables_match_the_parsed_json():
    parsed = _read_gazetteer(_data_dir())
    cached = load_gazetteer()
    assert len(cached.cities) == len(parsed.cities) and set(cached.cities) == set(parsed.cities)
    rng = random.Random(0)
    for gid in rng.sample(sorted(parsed.cities), 2000):
        assert cached.cities[gid] == parsed.cities[gid]
    keys = sorted(parsed._names)
    for key in rng.sample(keys, 5000) + [keys[0], keys[-1]]:
        assert cached._names.get(key) == parsed._names[key], key
    for missing in ("", "zzzz no such place", "\U0010ffff"):
        assert cached._names.get(missing, ()) == ()
    assert 0 not in cached.cities and "524901" not in cached.cities and True not in cached.cities
    assert [c.geonameid for c in cached.cities_named("Москва")] == [c.geonameid for c in parsed.cities_named("Москва")]
    assert cached.countries == parsed.countries
