"""Where a machine finds the artifacts of a remote store's published versions.

A write session builds a version's artifacts (search index, statistics, facet counts,
dumps) in its mirror, then shares them in ``ARTIFACTS_DIR`` (``{STORE}/artifacts`` by
default), one folder per version, before the version is swapped in: with that folder
shared (NFS, or copied), every web machine serves the version whole from its first
request.  A machine that finds neither its mirror nor the shared folder holding the
version rebuilds what the store alone can give — statistics, facets, search index,
``carrefour.artifacts.REBUILDABLE`` — in the background, once per machine (a file lock
across its web workers), and serves without them meanwhile.  Dumps are not rebuilt:
they read the whole store, and come from where the version was published.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

from carrefour.errors import CarrefourError
from carrefour.hardlinks import link_tree
from carrefour.store.base import Snapshot
from carrefour.store.delta import Delta
from carrefour.store.embedded import EmbeddedStore
from carrefour.vocab import Hub

log = logging.getLogger(__name__)

COMPLETE = "COMPLETE"  # written last: a folder without it is being copied or built
RETRY_SECONDS = 60.0  # after a failed rebuild, before the next attempt
_SAFE_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class RebuildView:
    """A published snapshot seen as the write session the artifact builders expect: read it, write ``artifacts``."""

    def __init__(self, snapshot: Snapshot, artifacts: Path) -> None:
        self._snapshot = snapshot
        self.info = snapshot.info
        self.artifacts = artifacts
        self.previous: Snapshot | None = None  # a rebuild sees one version: the builders compute, never adjust
        self.delta: Delta | None = None

    def __getattr__(self, name: str) -> object:
        return getattr(self._snapshot, name)


class VersionArtifacts:
    """The artifacts of the remote store's versions on this machine: found, shared, or rebuilt."""

    def __init__(self, folder: Path, mirror: EmbeddedStore, keep: int = 3) -> None:
        self.folder = folder
        self.mirror = mirror
        self.keep = max(2, keep)
        self._lock = threading.Lock()
        self._rebuilding: set[str] = set()
        self._failed: dict[str, float] = {}  # version -> when its last rebuild failed

    def _shared(self, version: str) -> Path | None:
        return self.folder / version if _SAFE_VERSION.match(version) else None

    def find(self, version: str) -> Path | None:
        """The folder holding ``version``'s artifacts on this machine, or None."""
        mirrored = self.mirror.published_info()
        if mirrored is not None and mirrored.version == version and mirrored.artifacts is not None:
            return mirrored.artifacts
        shared = self._shared(version)
        return shared if shared is not None and (shared / COMPLETE).is_file() else None

    def share(self, source: Path, version: str) -> None:
        """Copy a version's artifacts into the shared folder (hard links on one file system), then prune old ones."""
        target = self._shared(version)
        if target is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{version}.{os.getpid()}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        link_tree(source, partial)
        self._complete(partial, target)
        self._prune(target)

    def _complete(self, partial: Path, target: Path) -> None:
        (partial / COMPLETE).write_text(target.name, encoding="utf-8")
        try:
            os.rename(partial, target)
        except OSError:  # another machine put it there first
            shutil.rmtree(partial, ignore_errors=True)

    def _prune(self, current: Path) -> None:
        """Keep the newest ``keep`` versions (readers may still use the previous one)."""
        versions = sorted(
            (p for p in self.folder.iterdir() if p.is_dir() and (p / COMPLETE).is_file()),
            key=lambda p: p.stat().st_mtime,
        )
        for path in versions[: -self.keep]:
            if path != current:
                shutil.rmtree(path, ignore_errors=True)

    def rebuild(self, snapshot: Snapshot, hub: Hub, still_current: Callable[[], bool]) -> None:
        """Start rebuilding ``snapshot``'s artifacts in the background, unless this process already is."""
        version = snapshot.info.version
        if self._shared(version) is None:
            return
        with self._lock:
            failed = self._failed.get(version)
            if version in self._rebuilding or failed is not None and time.monotonic() - failed < RETRY_SECONDS:
                return
            self._rebuilding.add(version)
        thread = threading.Thread(
            target=self._rebuild, args=(snapshot, hub, still_current), name=f"artifacts-{version}", daemon=True
        )
        thread.start()

    def _rebuild(self, snapshot: Snapshot, hub: Hub, still_current: Callable[[], bool]) -> None:
        from carrefour.artifacts.build import REBUILDABLE

        version = snapshot.info.version
        target = self.folder / version
        partial = self.folder / f".{version}.{os.getpid()}.partial"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.folder / ".rebuild.lock", "a+") as lock:  # one build per machine, whatever the workers
                fcntl.flock(lock, fcntl.LOCK_EX)
                if (target / COMPLETE).is_file() or not still_current():
                    return
                log.info("rebuilding the search index and statistics of version %s from the store", version)
                shutil.rmtree(partial, ignore_errors=True)
                partial.mkdir()
                view = RebuildView(snapshot, partial)
                for builder in REBUILDABLE:
                    builder(view, hub)  # type: ignore[arg-type]
                if still_current():  # no publication began meanwhile: what was read is one version
                    self._complete(partial, target)
                    self._prune(target)
        except (CarrefourError, OSError) as exc:
            log.warning("could not rebuild the artifacts of version %s: %s", version, exc)
            with self._lock:
                self._failed[version] = time.monotonic()
        finally:
            shutil.rmtree(partial, ignore_errors=True)
            with self._lock:
                self._rebuilding.discard(version)
