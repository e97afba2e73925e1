"""Settings come from one table, in one order: defaults < file < environment < overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from carrefour.config import SETTINGS, load_config
from carrefour.errors import ConfigError

README = Path(__file__).resolve().parents[2] / "README.md"


def test_load_order(tmp_path: Path) -> None:
    config_file = tmp_path / "carrefour.toml"
    config_file.write_text('base_url = "https://file.example/"\nsparql_timeout = 3\n', encoding="utf-8")
    env = {"CARREFOUR_SPARQL_TIMEOUT": "7.5", "CARREFOUR_SPARQL_SERVICE_ALLOW": "a.example, b.example"}
    config = load_config(config_file, {"PAGE_SIZE": 20}, environ=env)
    assert config.base_url == "https://file.example/"
    assert config["SPARQL_TIMEOUT"] == 7.5
    assert config["SPARQL_SERVICE_ALLOW"] == ["a.example", "b.example"]
    assert config["PAGE_SIZE"] == 20


def test_base_url_gets_its_trailing_slash() -> None:
    assert load_config(overrides={"BASE_URL": "http://hub.example"}, environ={}).base_url == "http://hub.example/"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("nonsense = 1\n", "unknown setting"),
        ('store_password = "x"\n', "secret"),
        ("sparql_timeout = \n", "cannot read"),
        ('base_url = "ftp://x"\n', "http"),
    ],
)
def test_bad_files_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    config_file = tmp_path / "bad.toml"
    config_file.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(config_file, environ={})


def test_badly_typed_environment_value() -> None:
    with pytest.raises(ConfigError, match="SPARQL_TIMEOUT"):
        load_config(environ={"CARREFOUR_SPARQL_TIMEOUT": "soon"})


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert missing == []


def test_the_settings_say_where_each_given_value_came_from(tmp_path: Path) -> None:
    """What was left to its default is not in ``given``: a default BASE_URL gives way to the store's."""
    config_file = tmp_path / "carrefour.toml"
    config_file.write_text("page_size = 20\n", encoding="utf-8")
    env = {"CARREFOUR_SPARQL_TIMEOUT": "3"}
    config = load_config(config_file, {"STORE": "elsewhere"}, environ=env)
    assert config.given == {
        "PAGE_SIZE": str(config_file),
        "SPARQL_TIMEOUT": "the environment (CARREFOUR_SPARQL_TIMEOUT)",
        "STORE": "the command line",
    }
    assert "BASE_URL" not in load_config(environ={}).given
