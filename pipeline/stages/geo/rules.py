"""``config/geo.yaml`` read and checked once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.config import CONFIG_DIR, ConfigError, read_yaml
from pipeline.stages.geo.gazetteer import name_key

GEO_FILE = "geo.yaml"


@dataclass(frozen=True)
class GeoRules:
    agency_bonus: float = 2.0
    language_bonus: float = 1.0
    min_score: float = 6.0
    dated_min_score: float = 9.0
    dateline_countries: bool = True
    strip_prefixes: tuple[str, ...] = ()
    extra_names: dict[str, int] = field(default_factory=dict)  # name_key -> GeoNames id
    agencies: dict[str, str] = field(default_factory=dict)  # name_key(agency) -> ISO code
    unspaced: frozenset[str] = frozenset()
    nouns_capitalised: frozenset[str] = frozenset()
    particles: dict[str, int] = field(default_factory=dict)
    suffixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    aliases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # lang -> code -> names
    ignore: dict[str, frozenset[str]] = field(default_factory=dict)  # lang -> name keys
    outlet_name_keys: tuple[str, ...] = ("site_name",)
    host_prefixes: tuple[str, ...] = ("www",)

    def agency_country(self, agency: str | None) -> str | None:
        return (self.agencies.get(name_key(agency)) or None) if agency else None


def _strs(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def parse_rules(raw: dict[str, Any], source: str = GEO_FILE) -> GeoRules:
    for key in raw:
        if key not in ("dateline", "agencies", "countries", "outlet"):
            raise ConfigError(f"{source}: unknown key {key!r}")
    dl = raw.get("dateline") or {}
    agencies: dict[str, str] = {}
    for code, names in (raw.get("agencies") or {}).items():
        if code == "international":
            for nm in _strs(names, f"{source}: agencies.{code}"):
                agencies[name_key(nm)] = ""
            continue
        if not (isinstance(code, str) and len(code) == 2 and code.isupper()):
            raise ConfigError(f"{source}: agencies: {code!r} is not an ISO 3166-1 alpha-2 code")
        for nm in _strs(names, f"{source}: agencies.{code}"):
            agencies[name_key(nm)] = code
    cs = raw.get("countries") or {}
    out = raw.get("outlet") or {}
    try:
        return GeoRules(
            agency_bonus=float(dl.get("agency_bonus", 2.0)),
            language_bonus=float(dl.get("language_bonus", 1.0)),
            min_score=float(dl.get("min_score", 6.0)),
            dated_min_score=float(dl.get("dated_min_score", 9.0)),
            dateline_countries=bool(dl.get("countries", True)),
            strip_prefixes=_strs(dl.get("strip_prefixes"), f"{source}: dateline.strip_prefixes"),
            extra_names={name_key(nm): int(gid) for gid, names in (dl.get("extra_names") or {}).items()
                         for nm in _strs(names, f"{source}: dateline.extra_names.{gid}")},
            agencies=agencies,
            unspaced=frozenset(_strs(cs.get("unspaced"), f"{source}: countries.unspaced")),
            nouns_capitalised=frozenset(_strs(cs.get("nouns_capitalised"), f"{source}: countries.nouns_capitalised")),
            particles={str(k): int(v) for k, v in (cs.get("particles") or {}).items()},
            suffixes={k: _strs(v, f"{source}: countries.suffixes.{k}") for k, v in (cs.get("suffixes") or {}).items()},
            prefixes={k: _strs(v, f"{source}: countries.prefixes.{k}") for k, v in (cs.get("prefixes") or {}).items()},
            aliases={lang: {code: _strs(v, f"{source}: countries.aliases.{lang}.{code}") for code, v in m.items()}
                     for lang, m in (cs.get("aliases") or {}).items()},
            ignore={k: frozenset(name_key(x) for x in _strs(v, f"{source}: countries.ignore.{k}"))
                    for k, v in (cs.get("ignore") or {}).items()},
            outlet_name_keys=_strs(out.get("name_keys"), f"{source}: outlet.name_keys") or ("site_name",),
            host_prefixes=_strs(out.get("host_prefixes"), f"{source}: outlet.host_prefixes"),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{source}: {exc}") from exc


@lru_cache(maxsize=4)
def load_geo_rules(path: Path | None = None) -> GeoRules:
    path = path or CONFIG_DIR / GEO_FILE
    return parse_rules(read_yaml(path), str(path))
