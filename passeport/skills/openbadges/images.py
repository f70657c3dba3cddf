"""The picture of a badge, drawn from its name and colour (SVG, and PNG with Pillow)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont


def _initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if len(w) > 2] or name.split()
    return "".join(w[0] for w in words[:3]).upper() or "B"


def badge_svg(name: str, colour: str) -> str:
    label = escape(name[:40])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" '
        f'role="img" aria-label="{label}">'
        f'<title>{label}</title>'
        f'<circle cx="128" cy="128" r="120" fill="{escape(colour)}"/>'
        '<circle cx="128" cy="128" r="104" fill="none" stroke="#ffffff" stroke-width="6"/>'
        '<text x="128" y="150" font-family="Marianne, Arial, sans-serif" font-size="64" '
        f'font-weight="700" fill="#ffffff" text-anchor="middle">{escape(_initials(name))}</text>'
        "</svg>"
    )


def badge_png(name: str, colour: str) -> bytes:
    img = Image.new("RGBA", (256, 256), (255, 255, 255, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((8, 8, 248, 248), fill=colour)
    draw.ellipse((24, 24, 232, 232), outline="#ffffff", width=6)
    try:
        font = ImageFont.load_default(size=64)
    except TypeError:  # older Pillow
        font = ImageFont.load_default()
    draw.text((128, 128), _initials(name), fill="#ffffff", font=font, anchor="mm")
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()
