"""Where the project's own data files live (vocabulary, shapes, curated data, partners)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
SHAPES_DIR = PROJECT_ROOT / "shapes"
DATA_DIR = PROJECT_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
CURATED_DIR = DATA_DIR / "curated"
PARTNERS_DIR = PROJECT_ROOT / "partners"
SHARED_PARTNER_FEEDS = PROJECT_ROOT.parent / "shared" / "data" / "partners"
