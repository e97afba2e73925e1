"""Artifact folders copied as hard links: a version's artifacts never change once written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def link_or_copy(source: str, target: str) -> None:
    """A hard link when both folders are on one file system, a copy otherwise."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def link_tree(source: Path, target: Path, *leave_out: str) -> None:
    """``source``'s files linked into ``target`` (created if needed), but the names in ``leave_out``."""
    shutil.copytree(source, target, copy_function=link_or_copy, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(*leave_out))  # fmt: skip
