"""Shiyan's county outlines, simplified, for the in-Shiyan check and the offline SVG map.

Source and accuracy. The outlines are hand-traced approximations, not survey data: each county is a
polygon over a shared set of ~40 boundary nodes (so neighbouring counties share their border exactly),
placed from (a) the extreme longitudes and latitudes each county publishes in its official
introduction (e.g. 竹溪县 109°29′–110°08′E, 31°32′–32°37′N; 房县 110°02′–111°15′E, 31°34′–32°27′N;
十堰市 109°29′–111°16′E, 31°30′–33°16′N), (b) the positions of the county seats, and (c) which
counties neighbour which. Borders are within roughly 5–10 km of the real ones, which is plenty for
placing dots on a phone-sized map and for refusing coordinates that are plainly elsewhere (a swapped
latitude/longitude, a base in Xiangyang, a typo of one degree). The outer boundary is drawn at the
published extremes, so it errs on the generous side: a real base is not refused for being near the
border. Wudangshan Tourism Economic Zone is carved out of Danjiangkou's territory; it is drawn on top of
Danjiangkou and does not take part in the partition. The Development Zone lies inside the city
districts and has no outline of its own.

Projection: equirectangular around 32.4°N (longitude scaled by cos 32.4°), which keeps distances right
to within 1 % across an area this small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from core.places import County

# Boundary nodes: (longitude, latitude). Outer boundary clockwise from the north-west, then inner nodes.
_NODES: dict[str, tuple[float, float]] = {
    # outer boundary
    "A": (109.43, 33.05),  # Yunxi, western tip (Shaanxi border)
    "B": (109.75, 33.20),
    "C": (110.10, 33.27),  # Yunxi, northern edge
    "D": (110.40, 33.25),
    "E": (110.62, 33.22),  # Yunxi / Yunyang on the northern border
    "F": (110.95, 33.26),  # Yunyang, northern edge (Shaanxi / Henan)
    "G": (111.22, 33.05),  # Yunyang / Danjiangkou on the Henan border
    "H": (111.45, 32.97),  # Danjiangkou reservoir, north-east
    "I": (111.60, 32.70),  # Danjiangkou, eastern edge
    "J": (111.56, 32.45),
    "K": (111.30, 32.32),  # Danjiangkou / Fang on the Xiangyang border
    "L": (111.26, 32.05),  # Fang, eastern edge
    "M": (111.15, 31.75),
    "N": (110.80, 31.57),  # Fang, southern edge (Shennongjia)
    "O": (110.35, 31.57),  # Fang / Zhushan in the south
    "P": (110.05, 31.49),  # Zhushan, southern edge (Chongqing)
    "Q": (109.85, 31.53),  # Zhushan / Zhuxi in the south
    "R": (109.55, 31.60),  # Zhuxi, southern edge
    "S": (109.47, 31.90),  # Zhuxi, western edge (Shaanxi)
    "T": (109.50, 32.25),
    "U": (109.68, 32.60),  # Zhuxi, northern edge
    "V": (109.95, 32.63),  # Zhuxi / Zhushan in the north
    "X": (110.02, 32.81),  # Yunxi / Zhushan on the Shaanxi border
    "Y": (109.75, 32.86),
    "Z": (109.50, 32.93),
    # inner nodes
    "Y1": (110.55, 32.95),  # Yunxi / Yunyang
    "Y2": (110.40, 32.76),  # Yunxi / Yunyang / Zhushan
    "Z1": (110.45, 32.62),  # Zhushan / Yunyang / Zhangwan
    "Z2": (110.62, 32.72),  # Zhangwan / Yunyang
    "Z3": (110.80, 32.71),  # Zhangwan / Maojian / Yunyang (north of the city)
    "Z4": (110.95, 32.68),  # Maojian / Yunyang / Danjiangkou
    "Z5": (111.05, 32.86),  # Yunyang / Danjiangkou (Han river)
    "M1": (110.78, 32.55),  # Zhangwan / Maojian (the city)
    "M2": (110.75, 32.38),  # Zhangwan / Maojian / Fang
    "ZZ": (110.42, 32.45),  # Zhangwan / Zhushan / Fang
    "D1": (111.03, 32.50),  # Maojian / Danjiangkou
    "D2": (110.95, 32.33),  # Maojian / Danjiangkou / Fang
    "D3": (111.12, 32.36),  # Danjiangkou / Fang
    "F1": (110.30, 32.20),  # Zhushan / Fang
    "F2": (110.38, 31.90),
    "T1": (109.90, 32.30),  # Zhuxi / Zhushan
    "T2": (109.98, 31.95),
}

# Each county as a ring of node names (the first node is not repeated at the end).
_RINGS: dict[str, tuple[str, ...]] = {
    County.YUNXI: ("A", "B", "C", "D", "E", "Y1", "Y2", "X", "Y", "Z"),
    County.YUNYANG: ("E", "F", "G", "Z5", "Z4", "Z3", "Z2", "Z1", "Y2", "Y1"),
    County.DANJIANGKOU: ("G", "H", "I", "J", "K", "D3", "D2", "D1", "Z4", "Z5"),
    County.ZHANGWAN: ("Z1", "Z2", "Z3", "M1", "M2", "ZZ"),
    County.MAOJIAN: ("Z3", "Z4", "D1", "D2", "M2", "M1"),
    County.FANGXIAN: ("ZZ", "M2", "D2", "D3", "K", "L", "M", "N", "O", "F2", "F1"),
    County.ZHUSHAN: ("V", "X", "Y2", "Z1", "ZZ", "F1", "F2", "O", "P", "Q", "T2", "T1"),
    County.ZHUXI: ("S", "T", "U", "V", "T1", "T2", "Q", "R"),
}
_OUTER: tuple[str, ...] = tuple("A B C D E F G H I J K L M N O P Q R S T U V X Y Z".split())
# Wudangshan's zone, drawn over Danjiangkou (around the Golden Summit, 111.00°E 32.40°N, and Laoying).
_WUDANGSHAN: tuple[tuple[float, float], ...] = (
    (110.99, 32.38),
    (111.10, 32.37),
    (111.20, 32.42),
    (111.19, 32.51),
    (111.06, 32.53),
    (111.01, 32.47),
)

# Chinese labels (place names are shown in Chinese in both languages) and where to put them.
_LABELS: dict[str, tuple[str, tuple[float, float]]] = {
    County.YUNXI: ("郧西县", (110.20, 33.08)),
    County.YUNYANG: ("郧阳区", (110.86, 33.00)),
    County.DANJIANGKOU: ("丹江口市", (111.40, 32.56)),
    County.ZHANGWAN: ("张湾区", (110.59, 32.56)),
    County.MAOJIAN: ("茅箭区", (110.88, 32.53)),
    County.FANGXIAN: ("房县", (110.78, 31.95)),
    County.ZHUSHAN: ("竹山县", (110.13, 32.12)),
    County.ZHUXI: ("竹溪县", (109.71, 32.05)),
    County.WUDANGSHAN: ("武当山", (111.10, 32.45)),
}

_LAT0 = 32.4
_KX = math.cos(math.radians(_LAT0))


def _ring(names: tuple[str, ...]) -> tuple[tuple[float, float], ...]:
    return tuple(_NODES[name] for name in names)


def county_polygon(county: str) -> tuple[tuple[float, float], ...]:
    """The (lon, lat) ring of a county; Wudangshan's zone included; empty for the Development Zone."""
    if county == County.WUDANGSHAN:
        return _WUDANGSHAN
    names = _RINGS.get(county)
    return _ring(names) if names else ()


def shiyan_polygon() -> tuple[tuple[float, float], ...]:
    return _ring(_OUTER)


def _contains(ring, lon: float, lat: float) -> bool:
    """Ray casting: is (lon, lat) inside the ring? Points exactly on an edge may go either way."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_shiyan(lat: float, lon: float) -> bool:
    return _contains(shiyan_polygon(), float(lon), float(lat))


def in_county(county: str, lat: float, lon: float) -> bool:
    ring = county_polygon(county)
    return bool(ring) and _contains(ring, float(lon), float(lat))


def county_at(lat: float, lon: float) -> str | None:
    """The county (of the eight in the partition) whose outline holds the point, or None."""
    for county in _RINGS:
        if in_county(county, lat, lon):
            return county
    return None


# --- SVG ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Projection:
    """Equirectangular projection of Shiyan's bounding box onto an SVG viewBox ``width`` wide."""

    width: float = 600.0
    pad: float = 12.0

    @property
    def _box(self):
        lons = [p[0] for p in _NODES.values()]
        lats = [p[1] for p in _NODES.values()]
        return min(lons), max(lons), min(lats), max(lats)

    @property
    def scale(self) -> float:
        lon_min, lon_max, _, _ = self._box
        return (self.width - 2 * self.pad) / ((lon_max - lon_min) * _KX)

    @property
    def height(self) -> float:
        _, _, lat_min, lat_max = self._box
        return round((lat_max - lat_min) * self.scale + 2 * self.pad, 1)

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        lon_min, _, _, lat_max = self._box
        x = self.pad + (float(lon) - lon_min) * _KX * self.scale
        y = self.pad + (lat_max - float(lat)) * self.scale
        return round(x, 1), round(y, 1)

    def path(self, ring) -> str:
        points = [self.xy(lon, lat) for lon, lat in ring]
        return "M" + " L".join(f"{x},{y}" for x, y in points) + " Z"


@cache
def county_shapes(width: float = 600.0) -> tuple[dict, ...]:
    """The counties as SVG paths with their Chinese label position; computed once per width."""
    projection = Projection(width=width)
    shapes = []
    for county in [*_RINGS, County.WUDANGSHAN]:
        label, (lon, lat) = _LABELS[county]
        lx, ly = projection.xy(lon, lat)
        shapes.append(
            {
                "code": str(county),
                "label": label,
                "path": projection.path(county_polygon(county)),
                "label_x": lx,
                "label_y": ly,
                "overlay": county == County.WUDANGSHAN,
            }
        )
    return tuple(shapes)
