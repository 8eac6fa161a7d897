"""Message catalogues for the CLI and the renderers, in English and Vietnamese."""

from __future__ import annotations

import os

from journeyscope.i18n.catalogue import MESSAGES

LANGUAGES = ("en", "vi")
DEFAULT_LANGUAGE = "en"
#: Set (as the test suite does) to make an unknown message key an error, not the key
STRICT_ENV = "JOURNEYSCOPE_STRICT_I18N"


def resolve_language(lang: str | None = None) -> str:
    """The language to speak: the argument, else ``JOURNEYSCOPE_LANG``, else English."""
    chosen = (lang or os.environ.get("JOURNEYSCOPE_LANG") or DEFAULT_LANGUAGE).lower()
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Translate ``key`` into ``lang`` and fill ``{placeholders}`` from ``values``."""
    entry = MESSAGES.get(key)
    if entry is None:
        if os.environ.get(STRICT_ENV):
            raise KeyError(f"no message {key!r} in the i18n catalogue")
        return key  # users see the key rather than a crash; tests run strict
    template = entry.get(lang) or entry["en"]
    return template.format(**values) if values else template


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "MESSAGES", "STRICT_ENV", "resolve_language", "t"]
