"""Resized WebP renditions of product and category images, for Oscar's ``oscar_thumbnail`` tag.

``OSCAR_THUMBNAILER = "catalogue.thumbnails.RenditionThumbnailer"``. A rendition's file name is a
pure function of the source name and the options, so "is it made already?" is one storage
``exists`` call: no database table, nothing to keep in sync, safe across many web processes.
All renditions of one source share a folder, which is how ``delete_thumbnails`` finds them.

Images that cannot be read, are not images, or are decompression bombs (more pixels than
``PILLOW_MAX_IMAGE_PIXELS``) are refused with a log line, and the page shows the shop's
"no picture yet" placeholder instead of failing.
"""

import hashlib
import io
import logging
import math
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.templatetags.static import static
from oscar.core.thumbnails import AbstractThumbnailer
from PIL import Image, ImageOps, UnidentifiedImageError

from core.uploads import GeneratedFile

logger = logging.getLogger(__name__)

#: Bump when the resizing changes, so old renditions are not served for new options.
RENDITION_VERSION = "1"
RENDITION_DIR = "renditions"
PLACEHOLDER_STATIC = "img/placeholder.svg"
WEBP_QUALITY = 80
DEFAULT_MAX_PIXELS = 40_000_000


class ImageRefused(Exception):
    """The source is not an image this shop will decode (unreadable, not an image, too large)."""


@dataclass(frozen=True)
class Rendition:
    """What ``{% oscar_thumbnail … as thumb %}`` puts in the context: ``thumb.url``."""

    name: str
    url: str
    is_placeholder: bool = False

    def __str__(self):
        return self.url


@dataclass(frozen=True)
class RenditionOptions:
    width: int | None
    height: int | None
    crop: bool
    upscale: bool
    quality: int

    @classmethod
    def parse(cls, *, size, crop=None, upscale=True, quality=WEBP_QUALITY, **_ignored):
        """Oscar's geometry strings: ``"440x400"``, ``"x155"``, ``"155x"`` or ``"155"``."""
        text = str(size).strip().lower()
        width_text, _sep, height_text = text.partition("x")
        try:
            width = int(width_text) if width_text else None
            height = int(height_text) if height_text else None
        except ValueError:
            raise ValueError(f"thumbnail size {size!r} is not WIDTHxHEIGHT") from None
        if not (width or height) or (width or 1) < 1 or (height or 1) < 1:
            raise ValueError(f"thumbnail size {size!r} has no usable width or height")
        return cls(
            width=width,
            height=height,
            crop=bool(crop) and bool(width and height),
            upscale=bool(upscale) and upscale not in ("False", "false", "0"),
            quality=max(1, min(int(quality), 100)),
        )

    @property
    def slug(self) -> str:
        crop = "c" if self.crop else "f"
        upscale = "u" if self.upscale else "n"
        return f"{self.width or ''}x{self.height or ''}-{crop}{upscale}-q{self.quality}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RenditionThumbnailer(AbstractThumbnailer):
    """Oscar's thumbnailer interface (``generate_thumbnail``, ``delete_thumbnails``) over Pillow."""

    def __init__(self, storage=None):
        self.storage = storage or default_storage

    # --- names ---------------------------------------------------------------------------------
    @staticmethod
    def source_folder(source_name: str) -> str:
        digest = _digest(source_name)
        return f"{RENDITION_DIR}/{digest[:2]}/{digest[:24]}"

    def rendition_name(self, source_name: str, options: RenditionOptions) -> str:
        """Deterministic: the same source and options always give the same name."""
        key = _digest(f"{RENDITION_VERSION}|{source_name}|{options.slug}")[:12]
        return f"{self.source_folder(source_name)}/{options.slug}-{key}.webp"

    # --- Oscar's interface ---------------------------------------------------------------------
    def generate_thumbnail(self, source, **opts) -> Rendition:
        options = RenditionOptions.parse(**opts)
        source_name = getattr(source, "name", None) or (source if isinstance(source, str) else "")
        if not source_name or source_name == settings.OSCAR_MISSING_IMAGE_URL:
            return self.placeholder()
        name = self.rendition_name(source_name, options)
        if self.storage.exists(name):
            return Rendition(name=name, url=self.storage.url(name))
        try:
            data = self._render(source, source_name, options)
        except ImageRefused as exc:
            logger.warning("image %s refused: %s", source_name, exc)
            return self.placeholder()
        # GeneratedFile: the storage keeps this deterministic name (it still checks the extension).
        saved = self.storage.save(name, GeneratedFile(data))
        if saved != name:
            # Another process made the same rendition first; theirs is identical, keep it.
            self.storage.delete(saved)
        return Rendition(name=name, url=self.storage.url(name))

    def delete_thumbnails(self, source):
        source_name = getattr(source, "name", None)
        if not source_name:
            return
        folder = self.source_folder(source_name)
        try:
            _dirs, files = self.storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            return
        for file_name in files:
            self.storage.delete(f"{folder}/{file_name}")

    # --- work ----------------------------------------------------------------------------------
    @staticmethod
    def placeholder() -> Rendition:
        return Rendition(name="", url=static(PLACEHOLDER_STATIC), is_placeholder=True)

    def _open(self, source, source_name):
        storage = getattr(source, "storage", None) or self.storage
        try:
            return storage.open(source_name, "rb")
        except FileNotFoundError:
            found = finders.find(f"oscar/img/{source_name}")
            if found:
                return open(found, "rb")  # noqa: SIM115 (closed by the caller's with)
            raise ImageRefused("file not found") from None
        except (OSError, ValueError) as exc:
            raise ImageRefused(f"cannot open: {exc}") from exc

    def _render(self, source, source_name, options: RenditionOptions) -> bytes:
        max_pixels = getattr(settings, "PILLOW_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS)
        with self._open(source, source_name) as fh:
            try:
                with warnings.catch_warnings():
                    # Pillow only warns between its limit and twice it; here that is a refusal too.
                    warnings.simplefilter("error", Image.DecompressionBombWarning)
                    with Image.open(fh) as image:
                        # Image.open reads only the header: check the size before decoding pixels.
                        if image.width * image.height > max_pixels:
                            raise ImageRefused(
                                f"{image.width}x{image.height} is more than {max_pixels} pixels"
                            )
                        if image.format == "JPEG":
                            # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when that still covers
                            # the target: a 12-megapixel phone photo becomes a card in a fraction
                            # of the time and memory.
                            target = self._target_size(image.width, image.height, options)
                            image.draft("RGB", target)
                        image.load()
                        return self._resize_to_webp(image, options)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise ImageRefused(f"decompression bomb: {exc}") from exc
            except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
                raise ImageRefused(f"not a readable image: {exc}") from exc

    @staticmethod
    def _target_size(width, height, options: RenditionOptions) -> tuple[int, int]:
        if options.crop:
            box_w, box_h = options.width, options.height
            if not options.upscale and (box_w > width or box_h > height):
                shrink = min(width / box_w, height / box_h)
                box_w, box_h = max(1, round(box_w * shrink)), max(1, round(box_h * shrink))
            return box_w, box_h
        scale = min(
            options.width / width if options.width else math.inf,
            options.height / height if options.height else math.inf,
        )
        if not options.upscale:
            scale = min(scale, 1.0)
        return max(1, round(width * scale)), max(1, round(height * scale))

    def _resize_to_webp(self, image, options: RenditionOptions) -> bytes:
        image = ImageOps.exif_transpose(image)
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
        image = image.convert("RGBA" if has_alpha else "RGB")
        size = self._target_size(image.width, image.height, options)
        if options.crop:
            image = ImageOps.fit(image, size, method=Image.Resampling.LANCZOS)
        elif size != image.size:
            image = image.resize(size, Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", quality=options.quality, method=4)
        return buffer.getvalue()
