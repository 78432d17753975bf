"""The shop's brand colour on its public pages: a CSS custom property, with text colours that
stay readable on it (WCAG contrast) whatever colour the owner chose."""

from __future__ import annotations

from barberbot.models import Shop

INK = "#1d2330"
WHITE = "#ffffff"


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def brand_css(shop: Shop) -> str:
    """`:root { --accent: …; --accent-ink: … }` for the shop's colour; '' without one.

    The colour was checked to be `#` and six hex digits when saved, so it is safe in CSS."""
    colour = shop.brand_colour
    if not colour:
        return ""
    ink = WHITE if contrast(colour, WHITE) >= contrast(colour, INK) else INK
    # as text on the white card (the thank-you heading) only if it reads there
    text = colour if contrast(colour, WHITE) >= 3 else INK
    return f":root {{ --accent: {colour}; --accent-ink: {ink}; --accent-text: {text}; }}"
