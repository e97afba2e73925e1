"""The operator's limits for talking to partners, from the hub's settings."""

from __future__ import annotations

from dataclasses import dataclass

from carrefour.config import Config


@dataclass(frozen=True)
class FetchSettings:
    """How the hub behaves towards partner servers: who it says it is, how fast, how much."""

    user_agent: str
    delay: float = 1.0  # seconds between two requests to the same host
    timeout: float = 30.0  # seconds for one request, from connection to the last byte
    max_bytes: int = 256 * 1024 * 1024  # largest feed (or page) accepted, after decompression
    max_pages: int = 5000  # most web pages crawled for one partner in one harvest
    max_sitemap_bytes: int = 50 * 1024 * 1024  # largest sitemap accepted, after decompression

    @classmethod
    def from_config(cls, config: Config) -> FetchSettings:
        return cls(
            user_agent=config.user_agent(),
            delay=float(config["HARVEST_DELAY"]),
            timeout=float(config["HARVEST_TIMEOUT"]),
            max_bytes=int(config["HARVEST_MAX_BYTES"]),
            max_pages=int(config["HARVEST_MAX_PAGES"]),
            max_sitemap_bytes=int(config["HARVEST_MAX_SITEMAP_BYTES"]),
        )
