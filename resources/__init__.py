"""Bundled resources: fonts, policy profiles, icons, styles; located relative to this package."""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent
FONTS: Path = ROOT / "fonts"
POLICIES: Path = ROOT / "policies"

#: The print face: every PDF is drawn in Amiri (a book face, shaped by reportlab through arabic-reshaper).
ARABIC_FONT_REGULAR: Path = FONTS / "Amiri-Regular.ttf"
ARABIC_FONT_BOLD: Path = FONTS / "Amiri-Bold.ttf"
#: The screen face: IBM Plex Sans Arabic (OFL), a UI sans with Latin letters and both digit styles; its lines
#: are a quarter lower than Amiri's at the same reading size and Qt shapes it about 3x faster.
UI_FONT_REGULAR: Path = FONTS / "IBMPlexSansArabic-Regular.ttf"
UI_FONT_BOLD: Path = FONTS / "IBMPlexSansArabic-Bold.ttf"
