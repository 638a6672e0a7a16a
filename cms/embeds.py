"""The video sites editors may embed, and how a page address becomes a player address.

Only players on this allow-list are ever put in an iframe; the address is rebuilt from the video's
id, so nothing an editor pastes reaches the page as-is. No network call is made (oEmbed is not
needed), so pages render offline. ``CMS_VIDEO_PROVIDERS`` in settings narrows the list.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings


@dataclass(frozen=True)
class VideoProvider:
    code: str
    name: str
    hosts: tuple[str, ...]
    example: str

    def embed_url(self, url: str) -> str | None:
        raise NotImplementedError


class Bilibili(VideoProvider):
    _bvid = re.compile(r"/video/(BV[0-9A-Za-z]{10})")

    def embed_url(self, url):
        match = self._bvid.search(urlsplit(url).path)
        if not match:
            return None
        return f"https://player.bilibili.com/player.html?bvid={match.group(1)}&autoplay=0&high_quality=1"


class TencentVideo(VideoProvider):
    _vid = re.compile(r"/([0-9A-Za-z]{11})\.html$")

    def embed_url(self, url):
        parts = urlsplit(url)
        vid = parse_qs(parts.query).get("vid", [""])[0]
        if not re.fullmatch(r"[0-9A-Za-z]{11}", vid or ""):
            match = self._vid.search(parts.path)
            vid = match.group(1) if match else ""
        if not vid:
            return None
        return f"https://v.qq.com/txp/iframe/player.html?vid={vid}"


class Youku(VideoProvider):
    _id = re.compile(r"/v_show/id_([0-9A-Za-z=]+)\.html")

    def embed_url(self, url):
        match = self._id.search(urlsplit(url).path)
        if not match:
            return None
        return f"https://player.youku.com/embed/{match.group(1)}"


PROVIDERS = (
    Bilibili(
        "bilibili",
        "哔哩哔哩 bilibili",
        ("www.bilibili.com", "bilibili.com", "m.bilibili.com"),
        "https://www.bilibili.com/video/BV1GJ411x7h7",
    ),
    TencentVideo(
        "tencent", "腾讯视频 v.qq.com", ("v.qq.com", "m.v.qq.com"), "https://v.qq.com/x/page/a0012abcdef.html"
    ),
    Youku("youku", "优酷 Youku", ("v.youku.com",), "https://v.youku.com/v_show/id_XNTk1MjY0MDk2.html"),
)


def allowed_providers() -> list[VideoProvider]:
    codes = getattr(settings, "CMS_VIDEO_PROVIDERS", None)
    return [p for p in PROVIDERS if codes is None or p.code in codes]


def allowed_sites_text() -> str:
    return "、".join(p.name for p in allowed_providers())


def video_embed_url(url: str) -> str | None:
    """The player address for a video page on an allowed site, or None when the site is not allowed."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    for provider in allowed_providers():
        if host in provider.hosts:
            return provider.embed_url(url)
    return None
