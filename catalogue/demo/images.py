"""Product pictures drawn with Pillow, for demo products that have no photograph.

Each category has its own colours and motif (tea leaves, a shiitake cap, a cut orange …); the
product's GTIN seeds the small variations, so every product gets its own picture and the same
product always gets the same one. The short name is lettered in a CJK font when the machine has
one; without one the picture is left clean rather than showing empty boxes.
"""

import colorsys
import functools
import glob
import io
import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 640
_SCALE = 2  # drawn at twice the size, then reduced: Pillow's shapes have no anti-aliasing

# (background, main colour, accent) per motif.
PALETTES = {
    "tea": ("#e4efd8", "#3d7a3a", "#9cc46a"),
    "black-tea": ("#f4e4d6", "#7c3f22", "#c2703f"),
    "shiitake": ("#f1e6d8", "#7b4a2a", "#d8b48a"),
    "black-fungus": ("#e9e3dc", "#2f2522", "#8a6f62"),
    "citrus": ("#fff2d9", "#f0891c", "#4f9a3a"),
    "olive-oil": ("#eff1d8", "#5f7320", "#d2b833"),
    "yellow-wine": ("#f7e8cf", "#8c4f1c", "#c8372d"),
    "noodles": ("#eee6f0", "#7d5a86", "#c9b3cf"),
    "dried-fish": ("#e3ecf3", "#3f6485", "#c7a56b"),
    "herbs": ("#ece8dc", "#6b5a34", "#a8894e"),
}

# Fonts with Chinese glyphs, most common first; a .ttc is read at the face index given.
_CJK_FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),  # index 2 = Simplified Chinese
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/System/Library/Fonts/PingFang.ttc", 0),
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
)
_CJK_FONT_GLOBS = ("/usr/share/fonts/**/*CJK*", "/usr/share/fonts/**/*wqy*", "/usr/share/fonts/**/*SC-*")


@functools.cache
def cjk_font_path() -> tuple[str, int] | None:
    """(path, face index) of a font that can letter Chinese, or None when the machine has none."""
    for path, index in _CJK_FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    for pattern in _CJK_FONT_GLOBS:
        for path in sorted(glob.glob(pattern, recursive=True)):
            if path.lower().endswith((".ttc", ".otf", ".ttf")):
                return path, (2 if "NotoS" in path and path.endswith(".ttc") else 0)
    return None


def product_image(
    *, motif: str, label: str, seed: str, font: tuple[str, int] | None = None, gift: bool = False
) -> bytes:
    """A square JPEG for one product: ``motif`` picks colours and drawing, ``seed`` the variations.

    ``gift`` adds a wrapped box, for gift sets.
    """
    rng = random.Random(seed)
    hue = rng.uniform(-0.05, 0.05)
    background, main, accent = (_shift_hue(colour, hue) for colour in PALETTES[motif])
    size = SIZE * _SCALE
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    _draw_backdrop(draw, size, background, rng)
    has_label = bool(label and font)
    # With a label the motif sits higher, leaving the bottom band for the name.
    centre = (
        int(size * (0.5 + rng.uniform(-0.05, 0.05))),
        int(size * ((0.44 if has_label else 0.5) + rng.uniform(-0.02, 0.02))),
    )
    MOTIFS[motif](draw, centre, size, main, accent, rng)
    if gift:
        _gift_box(draw, size, main, accent, rng)
    if rng.random() < 0.5:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        draw = ImageDraw.Draw(image)
    if has_label:
        _draw_label(draw, size, label, main, font)
    image = image.reduce(_SCALE)  # box-filter average of each 2×2 block: the anti-aliasing
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


# --- Drawing helpers ----------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return tuple(int(colour[i : i + 2], 16) for i in (0, 2, 4))


def _shift_hue(colour: str, amount: float) -> tuple[int, int, int]:
    r, g, b = (c / 255 for c in _rgb(colour))
    h, lightness, s = colorsys.rgb_to_hls(r, g, b)
    r, g, b = colorsys.hls_to_rgb((h + amount) % 1, lightness, s)
    return round(r * 255), round(g * 255), round(b * 255)


def _mix(a, b, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


def _draw_backdrop(draw, size, background, rng) -> None:
    """A soft sun disc and a few hills, so pictures read as one family."""
    light = _mix(background, (255, 255, 255), 0.45)
    r = size * rng.uniform(0.28, 0.36)
    cx, cy = size * rng.uniform(0.3, 0.7), size * rng.uniform(0.3, 0.5)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=light)
    hill = _mix(background, (0, 0, 0), 0.06)
    for i in range(2):
        top = size * (0.72 + 0.08 * i)
        peak = size * rng.uniform(0.2, 0.8)
        draw.polygon(
            [
                (0, size),
                (0, top + size * 0.05),
                (peak, top - size * 0.04),
                (size, top + size * 0.03),
                (size, size),
            ],
            fill=_mix(hill, background, 0.4 * i),
        )


def _leaf(draw, x, y, length, width, angle, fill, vein) -> None:
    points = []
    for i in range(25):
        t = i / 24
        points.append((t * length, math.sin(math.pi * t) * width / 2))
    for i in range(24, -1, -1):
        t = i / 24
        points.append((t * length, -math.sin(math.pi * t) * width / 2 * 0.9))
    cos, sin = math.cos(angle), math.sin(angle)
    rotated = [(x + px * cos - py * sin, y + px * sin + py * cos) for px, py in points]
    draw.polygon(rotated, fill=fill)
    draw.line(
        [(x, y), (x + length * 0.92 * cos, y + length * 0.92 * sin)], fill=vein, width=max(2, int(width / 14))
    )


def _tea(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    stem_end = (cx, cy + size * 0.22)
    draw.line([(cx, cy - size * 0.2), stem_end], fill=main, width=size // 90)
    for i in range(rng.randint(5, 7)):
        y = cy - size * 0.18 + i * size * 0.065
        side = 1 if i % 2 else -1
        angle = (
            (-math.pi / 2 + side * rng.uniform(0.7, 1.1))
            if side > 0
            else (-math.pi / 2 - rng.uniform(0.7, 1.1))
        )
        length = size * rng.uniform(0.18, 0.25) * (1 - i * 0.04)
        colour = accent if i == 0 else main
        _leaf(draw, cx, y, length, length * 0.42, angle, colour, _mix(colour, (255, 255, 255), 0.35))
    # The bud at the top: 一芽一叶.
    _leaf(draw, cx, cy - size * 0.19, size * 0.12, size * 0.04, -math.pi / 2, accent, main)


def _black_tea(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    _tea(draw, (cx - int(size * 0.12), cy - int(size * 0.04)), size, main, accent, rng)
    # A cup of red tea beside the sprig.
    x, y, w = cx + size * 0.16, cy + size * 0.12, size * 0.24
    draw.ellipse(
        (x - w * 0.62, y + w * 0.28, x + w * 0.62, y + w * 0.48), fill=_mix(main, (255, 255, 255), 0.7)
    )
    draw.chord((x - w / 2, y - w * 0.45, x + w / 2, y + w * 0.45), 0, 180, fill=(250, 246, 240))
    draw.ellipse((x - w / 2, y - w * 0.08, x + w / 2, y + w * 0.08), fill=(250, 246, 240))
    draw.ellipse(
        (x - w * 0.44, y - w * 0.06, x + w * 0.44, y + w * 0.06), fill=_mix(main, (190, 60, 30), 0.5)
    )


def _shiitake(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    for dx, scale in ((-0.16, 0.75), (0.14, 1.0)):
        x = cx + size * dx + size * rng.uniform(-0.02, 0.02)
        w, h = size * 0.34 * scale, size * 0.2 * scale
        rim = cy - h * 0.1  # where the cap meets its gills
        stem_w = w * 0.22
        draw.rounded_rectangle(
            (x - stem_w / 2, rim, x + stem_w / 2, cy + h * 1.1), radius=stem_w / 3, fill=accent
        )
        draw.chord(
            (x - w / 2, rim - h * 0.28, x + w / 2, rim + h * 0.28), 0, 180, fill=_mix(main, accent, 0.55)
        )
        draw.pieslice((x - w / 2, rim - h * 0.75, x + w / 2, rim + h * 0.75), 180, 360, fill=main)
        # The white cracks of a 花菇 cap.
        crack = _mix(accent, (255, 255, 255), 0.6)
        for _ in range(rng.randint(5, 8)):
            a = rng.uniform(math.pi * 1.1, math.pi * 1.9)
            r0, r1 = rng.uniform(0.08, 0.2) * w, rng.uniform(0.28, 0.42) * w
            y0 = rim - h * 0.08
            draw.line(
                [
                    (x + r0 * math.cos(a), y0 + r0 * math.sin(a) * 1.3),
                    (x + r1 * math.cos(a), y0 + r1 * math.sin(a) * 1.3),
                ],
                fill=crack,
                width=max(3, size // 300),
            )


def _black_fungus(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    for i in range(rng.randint(4, 6)):
        x = cx + size * rng.uniform(-0.2, 0.2)
        y = cy + size * rng.uniform(-0.12, 0.14)
        r = size * rng.uniform(0.08, 0.14)
        points = []
        for k in range(36):
            a = 2 * math.pi * k / 36
            wobble = 1 + 0.18 * math.sin(5 * a + i) + 0.08 * math.sin(11 * a)
            points.append((x + r * wobble * math.cos(a), y + r * wobble * math.sin(a) * 0.8))
        draw.polygon(points, fill=_mix(main, accent, 0.12 * (i % 3)))
        draw.arc(
            (x - r * 0.6, y - r * 0.45, x + r * 0.6, y + r * 0.45), 200, 340, fill=accent, width=size // 200
        )


def _citrus(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    # A whole fruit behind, a cut half in front.
    r = size * 0.2
    wx, wy = cx + size * 0.1, cy - size * 0.05
    draw.ellipse((wx - r, wy - r, wx + r, wy + r), fill=main)
    _leaf(draw, wx, wy - r * 0.95, size * 0.16, size * 0.07, -math.pi / 4 - rng.uniform(0, 0.4), accent, main)
    hx, hy, hr = cx - size * 0.12, cy + size * 0.09, size * 0.16
    draw.ellipse((hx - hr, hy - hr, hx + hr, hy + hr), fill=main)
    inner = hr * 0.86
    draw.ellipse((hx - inner, hy - inner, hx + inner, hy + inner), fill=_mix(main, (255, 255, 255), 0.55))
    segments = rng.choice((9, 10, 11))
    for k in range(segments):
        a0 = 360 * k / segments + 3
        a1 = 360 * (k + 1) / segments - 3
        seg = inner * 0.93
        draw.pieslice(
            (hx - seg, hy - seg, hx + seg, hy + seg), a0, a1, fill=_mix(main, (255, 230, 160), 0.35)
        )
    core = inner * 0.12
    draw.ellipse((hx - core, hy - core, hx + core, hy + core), fill=_mix(main, (255, 255, 255), 0.7))


def _olive_oil(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    bw, bh = size * 0.17, size * 0.42
    x0, y0 = cx - size * 0.08, cy - bh * 0.45
    glass = _mix(accent, (255, 255, 255), 0.15)
    draw.rounded_rectangle((x0 - bw / 2, y0 + bh * 0.3, x0 + bw / 2, y0 + bh), radius=bw * 0.2, fill=glass)
    draw.polygon(
        [
            (x0 - bw / 2, y0 + bh * 0.36),
            (x0 - bw * 0.18, y0 + bh * 0.12),
            (x0 + bw * 0.18, y0 + bh * 0.12),
            (x0 + bw / 2, y0 + bh * 0.36),
        ],
        fill=glass,
    )
    draw.rectangle((x0 - bw * 0.16, y0, x0 + bw * 0.16, y0 + bh * 0.14), fill=glass)
    draw.rectangle((x0 - bw * 0.2, y0 - bh * 0.06, x0 + bw * 0.2, y0 + bh * 0.02), fill=main)
    draw.rectangle(
        (x0 - bw * 0.38, y0 + bh * 0.55, x0 + bw * 0.38, y0 + bh * 0.8), fill=_mix(main, (255, 255, 255), 0.8)
    )
    # A branch with olives beside the bottle.
    bx, by = cx + size * 0.16, cy + size * 0.02
    draw.line(
        [(bx - size * 0.08, by + size * 0.2), (bx + size * 0.05, by - size * 0.18)],
        fill=main,
        width=size // 120,
    )
    for i in range(5):
        t = i / 4
        px, py = bx - size * 0.08 + t * size * 0.13, by + size * 0.2 - t * size * 0.38
        side = 1 if i % 2 else -1
        _leaf(draw, px, py, size * 0.11, size * 0.03, -math.pi / 2 + side * 0.9, main, accent)
    for k in range(rng.randint(2, 3)):
        ox, oy = bx + size * (0.02 + 0.05 * k), by + size * (0.05 - 0.07 * k)
        draw.ellipse(
            (ox - size * 0.028, oy - size * 0.038, ox + size * 0.028, oy + size * 0.038),
            fill=_mix(main, (30, 40, 10), 0.45),
        )


def _yellow_wine(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    w, h = size * 0.36, size * 0.4
    top = cy - h * 0.5
    # A clay jar (酒坛) sealed with red cloth tied at the neck.
    draw.ellipse((cx - w / 2, top + h * 0.18, cx + w / 2, top + h * 1.02), fill=main)
    draw.rectangle((cx - w * 0.22, top + h * 0.08, cx + w * 0.22, top + h * 0.3), fill=main)
    draw.pieslice((cx - w * 0.34, top - h * 0.1, cx + w * 0.34, top + h * 0.3), 180, 360, fill=accent)
    draw.rectangle(
        (cx - w * 0.34, top + h * 0.08, cx + w * 0.34, top + h * 0.13), fill=_mix(accent, (0, 0, 0), 0.25)
    )
    label = _mix(main, (255, 236, 200), 0.8)
    lw = w * rng.uniform(0.3, 0.38)
    draw.rounded_rectangle(
        (cx - lw / 2, top + h * 0.45, cx + lw / 2, top + h * 0.85), radius=lw * 0.08, fill=label
    )
    draw.ellipse(
        (cx - lw * 0.25, top + h * 0.55, cx + lw * 0.25, top + h * 0.75), outline=accent, width=size // 160
    )
    # A small bowl of wine in front.
    bx, by = cx + w * 0.62, cy + h * 0.38
    draw.chord(
        (bx - w * 0.2, by - w * 0.12, bx + w * 0.2, by + w * 0.12), 0, 180, fill=_mix(main, (0, 0, 0), 0.15)
    )
    draw.ellipse(
        (bx - w * 0.2, by - w * 0.05, bx + w * 0.2, by + w * 0.05), fill=_mix(accent, (240, 190, 90), 0.7)
    )


def _noodles(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    # A bundle of sweet-potato noodles tied in the middle.
    for i in range(16):
        offset = (i - 7.5) * size * 0.012
        points = []
        for k in range(31):
            t = k / 30
            y = cy - size * 0.22 + t * size * 0.44
            pinch = 1 - 0.55 * math.exp(-(((t - 0.5) * 5) ** 2))
            points.append((cx + offset * pinch * 1.6 + size * 0.008 * math.sin(t * 9 + i), y))
        draw.line(points, fill=_mix(main, accent, (i % 4) / 5), width=size // 150)
    draw.rounded_rectangle(
        (cx - size * 0.09, cy - size * 0.025, cx + size * 0.09, cy + size * 0.025),
        radius=size * 0.01,
        fill=_mix(accent, (200, 40, 40), 0.6),
    )


def _dried_fish(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    for i, dy in enumerate((-0.12, 0.1)):
        x, y = cx + size * rng.uniform(-0.04, 0.04), cy + size * dy
        length, height = size * 0.46, size * 0.13
        body = [
            (x - length / 2 + length * t, y + math.sin(math.pi * t) * height / 2 * (1 if k else -1))
            for k in (0, 1)
            for t in ([j / 20 for j in range(21)] if k else [j / 20 for j in range(20, -1, -1)])
        ]
        draw.polygon(body, fill=main if i == 0 else _mix(main, accent, 0.35))
        tail_x = x + length / 2 - length * 0.02
        draw.polygon(
            [
                (tail_x, y),
                (tail_x + length * 0.16, y - height * 0.45),
                (tail_x + length * 0.16, y + height * 0.45),
            ],
            fill=accent,
        )
        eye = size * 0.012
        draw.ellipse(
            (
                x - length * 0.38 - eye,
                y - height * 0.12 - eye,
                x - length * 0.38 + eye,
                y - height * 0.12 + eye,
            ),
            fill=(250, 250, 250),
        )
        for s in range(5):
            sx = x - length * 0.2 + s * length * 0.09
            draw.arc(
                (sx - height * 0.25, y - height * 0.25, sx + height * 0.25, y + height * 0.25),
                300,
                60,
                fill=_mix(main, (255, 255, 255), 0.3),
                width=size // 300,
            )


def _herbs(draw, centre, size, main, accent, rng) -> None:
    cx, cy = centre
    # Sliced roots: rings of growth in each slice.
    for _ in range(rng.randint(5, 7)):
        x, y = cx + size * rng.uniform(-0.22, 0.22), cy + size * rng.uniform(-0.16, 0.18)
        rx, ry = size * rng.uniform(0.07, 0.11), size * rng.uniform(0.05, 0.08)
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=main)
        draw.ellipse((x - rx * 0.82, y - ry * 0.82, x + rx * 0.82, y + ry * 0.82), fill=accent)
        for ring in (0.55, 0.3):
            draw.ellipse(
                (x - rx * ring, y - ry * ring, x + rx * ring, y + ry * ring), outline=main, width=size // 320
            )


def _gift_box(draw, size, main, accent, rng) -> None:
    """A wrapped box in the lower corner: the product is a gift set."""
    w = size * 0.2
    x0, y0 = size * 0.07, size * 0.56
    ribbon = (196, 46, 46)
    draw.rectangle((x0, y0, x0 + w, y0 + w * 0.8), fill=_mix(accent, (255, 255, 255), 0.25))
    draw.rectangle((x0 - w * 0.04, y0 - w * 0.14, x0 + w * 1.04, y0 + w * 0.06), fill=_mix(accent, main, 0.3))
    draw.rectangle((x0 + w * 0.44, y0 - w * 0.14, x0 + w * 0.56, y0 + w * 0.8), fill=ribbon)
    for side in (-1, 1):
        bx = x0 + w * 0.5 + side * w * 0.16
        draw.ellipse(
            (bx - w * 0.14, y0 - w * 0.34, bx + w * 0.14, y0 - w * 0.1), outline=ribbon, width=int(w * 0.06)
        )


MOTIFS = {
    "tea": _tea,
    "black-tea": _black_tea,
    "shiitake": _shiitake,
    "black-fungus": _black_fungus,
    "citrus": _citrus,
    "olive-oil": _olive_oil,
    "yellow-wine": _yellow_wine,
    "noodles": _noodles,
    "dried-fish": _dried_fish,
    "herbs": _herbs,
}


def _draw_label(draw, size, label, colour, font_spec) -> None:
    path, index = font_spec
    band_top = int(size * 0.78)
    draw.rectangle((0, band_top, size, size), fill=(255, 255, 255))
    draw.rectangle((0, band_top, size, band_top + size // 160), fill=colour)
    font_size = int(size * 0.1)
    font = ImageFont.truetype(path, font_size, index=index)
    # Shrink long names until they fit with a margin.
    while draw.textlength(label, font=font) > size * 0.86 and font_size > size * 0.04:
        font_size = int(font_size * 0.9)
        font = ImageFont.truetype(path, font_size, index=index)
    draw.text((size / 2, (band_top + size) / 2), label, font=font, fill=colour, anchor="mm")
