"""Bundled resources: fonts, policy profiles, icons, styles; located relative to this package."""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent
FONTS: Path = ROOT / "fonts"
POLICIES: Path = ROOT / "policies"

ARABIC_FONT_REGULAR: Path = FONTS / "Amiri-Regular.ttf"
ARABIC_FONT_BOLD: Path = FONTS / "Amiri-Bold.ttf"
