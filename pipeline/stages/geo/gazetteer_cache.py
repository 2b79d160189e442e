"""The gazetteer's tables as memory-mapped arrays, so a process starts without parsing GeoNames' JSON.

Parsing ``cities15000.json`` and keying 280,000 names costs about 2 s; even unmarshalling the resulting
dicts costs 0.3-0.8 s, in every process that resolves one dateline. Here the tables are written once
(:mod:`pipeline.stages.model_cache`, keyed by the hash of GeoNames' files and of the gazetteer module)
as plain arrays and read in place:

* ``NameIndex``: the name keys, sorted by their UTF-8 bytes (which is code-point order) in one blob with
  offsets; a lookup is a binary search (about 20 steps) and yields the GeoNames ids of that key.
* ``CityTable``: a read-only mapping ``geonameid -> City`` over sorted id, coordinate, population and
  name arrays; a ``City`` is made when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pipeline.stages.model_cache import read_arrays, write_arrays


def _blob(strings: list[str]) -> tuple[Any, Any]:
    import numpy as np

    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in encoded])
    return np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets


def write_tables(names: Mapping[str, Any], cities_in: Iterable[Any], out: Path) -> None:
    """``names``: name key -> GeoNames id(s); ``cities_in``: the gazetteer's ``City`` records."""
    import numpy as np

    keys = sorted(names, key=lambda k: k.encode("utf-8"))
    key_blob, key_off = _blob(keys)
    ids: list[int] = []
    id_off = [0]
    for k in keys:
        v = names[k]
        ids.extend((v,) if isinstance(v, int) else v)
        id_off.append(len(ids))
    cities = sorted(cities_in, key=lambda c: c.geonameid)
    name_blob, name_off = _blob([c.name for c in cities])
    write_arrays(out, {
        "key_blob": key_blob, "key_off": key_off, "ids": np.array(ids, dtype=np.int64),
        "id_off": np.array(id_off, dtype=np.int64),
        "gid": np.array([c.geonameid for c in cities], dtype=np.int64), "name_blob": name_blob,
        "name_off": name_off, "lat": np.array([c.latitude for c in cities], dtype=np.float64),
        "lon": np.array([c.longitude for c in cities], dtype=np.float64),
        "country": np.array([c.country for c in cities]),
        "population": np.array([c.population for c in cities], dtype=np.int64),
        "alternate_names": np.array([c.alternate_names for c in cities], dtype=np.int64)})


class NameIndex:
    """``get(name_key) -> tuple of GeoNames ids`` (or ``default``) over the sorted key blob."""

    def __init__(self, arrays: dict[str, Any]) -> None:
        self._blob = arrays["key_blob"].tobytes()
        self._off = arrays["key_off"].tolist()
        self._ids = arrays["ids"]
        self._id_off = arrays["id_off"]

    def __len__(self) -> int:
        return len(self._off) - 1

    def get(self, key: str, default: Any = None) -> Any:
        target = key.encode("utf-8")
        blob, off = self._blob, self._off
        lo, hi = 0, len(off) - 1
        while lo < hi:  # first index whose key is >= target
            mid = (lo + hi) // 2
            if blob[off[mid]: off[mid + 1]] < target:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(off) - 1 and blob[off[lo]: off[lo + 1]] == target:
            return tuple(self._ids[self._id_off[lo]: self._id_off[lo + 1]].tolist())
        return default


class CityTable(Mapping[int, Any]):
    """``geonameid -> City``, read-only, over the sorted city arrays; ``make`` builds a City from
    (geonameid, name, latitude, longitude, country, population, alternate_names)."""

    def __init__(self, arrays: dict[str, Any], make: Callable[..., Any]) -> None:
        self._make = make
        self._a = arrays
        self._gid = arrays["gid"]
        self._names = arrays["name_blob"].tobytes()
        self._name_off = arrays["name_off"]

    def _index(self, gid: object) -> int:
        import numpy as np

        if not isinstance(gid, (int, np.integer)) or isinstance(gid, bool):
            return -1
        i = int(np.searchsorted(self._gid, gid))
        return i if i < len(self._gid) and int(self._gid[i]) == gid else -1

    def __contains__(self, gid: object) -> bool:
        return self._index(gid) >= 0

    def __getitem__(self, gid: int) -> Any:
        i = self._index(gid)
        if i < 0:
            raise KeyError(gid)
        a = self._a
        name = self._names[int(self._name_off[i]): int(self._name_off[i + 1])].decode("utf-8")
        return self._make(int(gid), name, float(a["lat"][i]), float(a["lon"][i]), str(a["country"][i]),
                    int(a["population"][i]), int(a["alternate_names"][i]))

    def __iter__(self) -> Iterator[int]:
        return iter(self._gid.tolist())

    def __len__(self) -> int:
        return len(self._gid)


def read_tables(path: Path, make_city: Callable[..., Any]) -> tuple[CityTable, NameIndex]:
    arrays = read_arrays(path)
    return CityTable(arrays, make_city), NameIndex(arrays)
