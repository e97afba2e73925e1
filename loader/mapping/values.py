"""Reading values out of a record: dotted paths, wildcards, templates, emptiness, language maps."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

# Values partners use to say "nothing here".
EMPTY_MARKERS = frozenset({"", "#N/D", "#N/A", "N/A", "n/a", "NULL", "null", "None", "nan", "NaN", "-", "—"})

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() in EMPTY_MARKERS
    if isinstance(value, list | tuple | dict):
        return len(value) == 0
    return False


def get_path(fields: dict[str, Any], path: str) -> Any:
    """``get_path(r, "properties.name")``; a literal key with dots wins over nesting.

    Keys may contain dots themselves (predicate IRIs of linked-data records:
    ``http://schema.org/address.http://schema.org/postalCode``): at each level the
    longest key that matches the rest of the path is taken.
    """
    if path in fields:
        return fields[path]
    value: Any = fields
    parts = path.split(".")
    index = 0
    while index < len(parts):
        if isinstance(value, dict):
            for end in range(len(parts), index, -1):
                key = ".".join(parts[index:end])
                if key in value:
                    value, index = value[key], end
                    break
            else:
                return None
        elif isinstance(value, list) and parts[index].isdigit() and int(parts[index]) < len(value):
            value, index = value[int(parts[index])], index + 1
        else:
            return None
    return value


def first_value(fields: dict[str, Any], paths: list[str]) -> Any:
    """The first non-empty value among ``paths``.

    A path with ``*`` (``Tag *``) stands for every field whose name it matches: their
    non-empty values, as one list, in the feed's order (a spreadsheet's ``Tag 1`` …
    ``Tag 51`` columns, where a tag's position means nothing).
    """
    for path in paths:
        value = every_match(fields, path) if "*" in path else get_path(fields, path)
        if not is_empty(value):
            return value
    return None


def every_match(fields: dict[str, Any], pattern: str) -> list[Any]:
    return [value for name, value in fields.items() if fnmatchcase(name, pattern) and not is_empty(value)]


def render(template: str, fields: dict[str, Any]) -> str | None:
    """Fill ``{field}`` placeholders; None when any placeholder is empty, but for optional ones (``{field?}``)."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name = match.group(1)
        value = get_path(fields, name.removesuffix("?"))
        if is_empty(value):
            missing = missing or not name.endswith("?")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    text = _PLACEHOLDER.sub(replace, template)
    return None if missing else text


def template_fields(template: str) -> list[str]:
    return [name.removesuffix("?") for name in _PLACEHOLDER.findall(template)]
