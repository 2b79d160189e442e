"""Checks of single values from config files, the environment, connections and run parameters:
the one yes/no parser and the one index/alias name validator."""

from __future__ import annotations

import re

from pipeline.errors import BadParameter, ConfigError

# Index and alias names the pipeline accepts (the DAG params use the pattern as their JSON schema):
# lowercase ASCII letters, digits, ``_ . -``, starting with a letter or digit, at most 200
# characters, so the names made from an alias (``<alias>-v<version>-<stamp>``, ``<alias>-deadletter``,
# ``<alias>-dedup``) stay within Elasticsearch's 255 bytes.
ALIAS_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,199}$"
_ALIAS = re.compile(ALIAS_PATTERN)


def validate_index_name(name: str) -> str:
    """``name`` when it matches ``ALIAS_PATTERN``; otherwise ``BadParameter`` (a ValueError) saying why."""
    if isinstance(name, str) and _ALIAS.fullmatch(name):
        return name
    raise BadParameter(f"invalid index or alias name {name!r}: 1-200 characters of a-z, 0-9, '_', '.', '-', "
                       "starting with a letter or digit")


_TRUE, _FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


def parse_bool(value: object, name: str, default: bool | None = None) -> bool:
    """The one yes/no parser (environment variables, config values, connection extras): 1/0,
    true/false, yes/no, on/off in any case, or a real bool. ``None`` or an empty string gives
    ``default``; anything else is a ``ConfigError`` naming ``name``."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if not text and default is not None:
        return default
    raise ConfigError(f"{name}={value!r} is not a yes/no value (use one of 1/0, true/false, yes/no, on/off)")
