"""A schematic map of Shiyan drawn as SVG, with production bases placed by their coordinates.

No tile server and no JavaScript: the county seats are reference points, the bases are markers,
both projected with a plain equirectangular projection scaled for Shiyan's latitude.
"""

import math
from dataclasses import dataclass

from core.places import County

# Shiyan's extent, with a margin (degrees).
WEST, EAST, SOUTH, NORTH = 109.35, 111.75, 31.40, 33.40
WIDTH = 400
HEIGHT = round(WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * math.cos(math.radians((NORTH + SOUTH) / 2))))

# Approximate seats of the county-level divisions (longitude, latitude).
COUNTY_SEATS = {
    County.MAOJIAN: (110.81, 32.59),
    County.ZHANGWAN: (110.70, 32.66),
    County.YUNYANG: (110.81, 32.83),
    County.DANJIANGKOU: (111.51, 32.54),
    County.YUNXI: (110.43, 33.00),
    County.ZHUSHAN: (110.23, 32.23),
    County.ZHUXI: (109.72, 32.32),
    County.FANGXIAN: (110.74, 32.06),
    County.WUDANGSHAN: (111.00, 32.40),
}


def project(longitude: float, latitude: float) -> tuple[float, float]:
    x = (longitude - WEST) / (EAST - WEST) * WIDTH
    y = (NORTH - latitude) / (NORTH - SOUTH) * HEIGHT
    return round(x, 1), round(y, 1)


def inside(longitude: float, latitude: float) -> bool:
    return WEST <= longitude <= EAST and SOUTH <= latitude <= NORTH


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    label: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ShiyanMap:
    width: int
    height: int
    seats: list
    bases: list


def shiyan_map(bases) -> ShiyanMap:
    """The map for ``bases`` (records with name, latitude, longitude, url, supplier_name)."""
    seats = [
        MapPoint(*project(*lonlat), label=str(County(code).label)) for code, lonlat in COUNTY_SEATS.items()
    ]
    points = [
        MapPoint(*project(b.longitude, b.latitude), label=b.name, url=b.url, detail=b.supplier_name)
        for b in bases
        if inside(b.longitude, b.latitude)
    ]
    return ShiyanMap(width=WIDTH, height=HEIGHT, seats=seats, bases=points)
