"""A starting config for a new partner, written from the first records of its feed.

Fields whose values look like e-mail addresses or phone numbers are listed as
private from the start: publishing them must be a decision, not an accident.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from carrefour.config import Config
from carrefour.errors import ConfigError
from loader.feeds import FeedSpec, FetchSettings, Problem, read_feed
from loader.privacy import contains_personal_data

SAMPLE_RECORDS = 20
NAME_HINTS = ("name", "nom", "title", "titre", "denomination", "label", "libelle")


def _flatten(fields: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in fields.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and not all(isinstance(k, str) and len(k) == 2 for k in value):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def sample_fields(feed: dict[str, Any], config: Config, cache_dir: Path) -> dict[str, list[Any]]:
    """Field path -> a few example values, from the first records of the feed."""
    examples: dict[str, list[Any]] = {}
    items = read_feed(FeedSpec.from_table(feed), FetchSettings.from_config(config), cache_dir)
    for item in itertools.islice(items, SAMPLE_RECORDS):
        if isinstance(item, Problem):
            continue
        for path, value in _flatten(item.fields).items():
            if value not in (None, "") and len(examples.setdefault(path, [])) < 3:
                examples[path].append(value)
            examples.setdefault(path, [])
    return examples


def write_template(
    directory: Path, partner_id: str, feed_format: str, source: str, name: str | None, config: Config
) -> Path:
    """Write ``directory/partner_id.toml``; refuse to overwrite an existing partner.

    :raises ConfigError: the partner exists, or the feed cannot be read.
    """
    path = directory / f"{partner_id}.toml"
    if path.exists():
        raise ConfigError(f"{path} already exists")
    feed = {"format": feed_format, "source": source}
    cache_dir = config.store_path / "harvest" / partner_id / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    examples = sample_fields(feed, config, cache_dir)
    private = sorted(p for p, values in examples.items() if any(contains_personal_data(str(v)) for v in values))
    fields = list(examples)
    name_field = next((f for f in fields if any(h in f.lower() for h in NAME_HINTS)), fields[0] if fields else "name")
    key_field = next((f for f in fields if f.lower() in ("id", "_id", "identifiant", "uuid")), None)
    key = f'"{{{key_field}}}"' if key_field else f'{{ content = ["{name_field}"] }}'
    lines = [
        f"# Partner {partner_id}: edit, then `carrefour partners check` and `carrefour harvest {partner_id}`.",
        f'id = "{partner_id}"',
        f"name = {json.dumps(name or partner_id, ensure_ascii=False)}",
        'homepage = "https://example.org/"  # the partner platform\'s home page',
        'licence = "etalab-2.0"  # an SPDX id (CC-BY-4.0, ODbL-1.0, etalab-2.0…) or the licence\'s URI',
        'language = "fr"',
        "",
        "[feed]",
        f'format = "{feed_format}"',
        f"source = {json.dumps(source)}",
        "",
        "[privacy]",
        f"private = {json.dumps(private, ensure_ascii=False)}  # never published",
        "",
        "[[entities]]",
        'id = "initiative"',
        'type = "Initiative"',
        f"key = {key}",
        f'name = {{ from = "{name_field}", transform = ["trim"] }}',
        "fields = [",
        '  # { property = "schema:description", from = "…", transform = ["strip_html", "trim"] },',
        '  # { property = "schema:url", from = "…", transform = ["url"] },',
        "]",
        "",
        "# Fields found in the first records, with examples:",
    ]
    for field, values in examples.items():
        shown = (
            ", ".join(json.dumps(v, ensure_ascii=False)[:60] for v in values) if field not in private else "(private)"
        )
        lines.append(f"#   {field}: {shown}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
