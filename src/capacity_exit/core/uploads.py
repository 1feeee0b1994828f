"""Evidence uploads made safe to store (issue 17): the type read from the bytes, never
from a name, and every metadata block removed.

Images (JPEG, PNG, WebP) are decoded and encoded again by Pillow from their pixels
alone, so nothing but the picture survives: EXIF (GPS, camera serial, time), XMP, IPTC,
comments, text chunks, thumbnails and whatever a polyglot hides after the image's end.
The EXIF orientation is applied to the pixels first, and an ICC profile is applied
(converted to sRGB) rather than kept. PDFs are parsed by pypdf and written again without
their document information and XMP metadata; encrypted ones and ones carrying
JavaScript, launch actions or embedded files are refused. See docs/decisions.md,
"Issue 17: evidence files".

`clean_upload` is CPU work on untrusted input: an async caller runs it in a thread
(`asyncio.to_thread`) so that a large file does not stall the event loop.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageCms, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from capacity_exit.core.errors import (
    AppError,
    PayloadTooLarge,
    Unprocessable,
    UnsupportedMediaType,
)

JPEG, PNG, WEBP, PDF = "image/jpeg", "image/png", "image/webp", "application/pdf"
ACCEPTED_TYPES = (JPEG, PNG, WEBP, PDF)
# The file name extension a download of each type is given (Content-Disposition).
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", PDF: "pdf"}
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}
# A picture larger than this many pixels is refused before it is decoded (a small file
# can claim a huge canvas: a decompression bomb). 50 MP holds every phone's photo.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 90
WEBP_QUALITY = 90
# PDF names that make a document do something when opened (or carry other files);
# such a PDF is refused, not defanged: a handler opens these files on a desktop.
_ACTIVE_PDF_NAMES = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/RichMedia",
        "/XFA",
    }
)
# Metadata a PDF's objects may carry besides the document information dictionary.
_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")
# A PDF with more objects than this is refused as unreadable (bounded work).
_MAX_PDF_OBJECTS = 200_000
# pypdf's diagnostics of a malformed file quote its bytes: an upload's content (the
# reporter's words, names) must never reach the logs. Its records stop at its own logger
# (core.logs' configuration leaves existing loggers as they are): a bad file is a 422,
# not a log line.
_pypdf_log = logging.getLogger("pypdf")
_pypdf_log.propagate = False
_pypdf_log.addHandler(logging.NullHandler())


@dataclass(frozen=True)
class CleanFile:
    """An upload as it is stored: the sniffed type and the cleaned bytes with their hash."""

    content_type: str
    data: bytes
    digest: str  # sha256 hex of `data`
    size: int


def clean_upload(data: bytes, *, max_bytes: int) -> CleanFile:
    """The upload cleaned for storing, or a problem: 413 larger than `max_bytes`
    (or an image of too many pixels), 415 not an accepted type (or an encrypted or
    active PDF), 422 an accepted type that does not decode."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(
            f"The file is larger than {max_bytes} bytes.",
            code="file_too_large",
            extra={"max_bytes": max_bytes},
        )
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedMediaType(
            "The file is not of an accepted type (decided by its content, not its name); "
            f"accepted: {', '.join(ACCEPTED_TYPES)}.",
            code="unsupported_file_type",
            extra={"accepted": list(ACCEPTED_TYPES)},
        )
    cleaned = _clean_pdf(data) if content_type == PDF else _clean_image(data, content_type)
    return CleanFile(
        content_type=content_type,
        data=cleaned,
        digest=hashlib.sha256(cleaned).hexdigest(),
        size=len(cleaned),
    )


def sniff(data: bytes) -> str | None:
    """The accepted type the bytes start with (their signature), or None.

    Four signatures, checked by hand: a library of hundreds would only widen what is
    recognised, and the decoders below verify the rest. A PDF must start at byte 0
    (readers tolerate junk before `%PDF-`; polyglots rely on that)."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


# -- Images -------------------------------------------------------------------------


def _unreadable_image(detail: str = "The image does not decode.") -> Unprocessable:
    return Unprocessable(detail, code="image_unreadable")


def _clean_image(data: bytes, content_type: str) -> bytes:
    """The picture alone, encoded again in its own format."""
    pillow_format = _PILLOW_FORMATS[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's complaints about corrupt EXIF
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[pillow_format])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height)
            image.load()  # the first frame of an animation: evidence is a still
            upright = _eight_bit(ImageOps.exif_transpose(image))
            pixels = _pixels_in_srgb(upright, _output_mode(upright, content_type))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except AppError:
        raise
    except Exception as error:  # a decoder fails in many ways on a crafted file
        raise _unreadable_image() from error
    # A new image of the pixels alone: nothing of the original's `info` can follow.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if content_type == JPEG:
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif content_type == PNG:
        clean.save(out, "PNG")
    else:
        clean.save(out, "WEBP", quality=WEBP_QUALITY)
    return out.getvalue()


def _too_many_pixels(width: int | None = None, height: int | None = None) -> PayloadTooLarge:
    size = f"{width}×{height} pixels" if width and height else "too many pixels"
    return PayloadTooLarge(
        f"The image is {size}; at most {MAX_PIXELS} pixels are accepted.",
        code="image_too_large",
        extra={"max_pixels": MAX_PIXELS},
    )


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit grey (PNG) scaled to 8 bits: a plain conversion would clip it to white."""
    if image.mode.startswith("I"):
        return image.convert("I").point(lambda value: value / 256).convert("L")
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or "transparency" in image.info


def _output_mode(image: Image.Image, content_type: str) -> str:
    """The mode written: 8-bit grey, RGB, or RGBA where the format and image have alpha."""
    if content_type != JPEG and _has_alpha(image):
        return "RGBA"
    return "L" if image.mode in {"1", "L"} else "RGB"


def _pixels_in_srgb(image: Image.Image, mode: str) -> Image.Image:
    """The image in `mode`, its ICC profile (if any) applied: colours stay right once
    the profile, an opaque blob of the camera's, is dropped."""
    profile = image.info.get("icc_profile")
    if profile and (image.mode == mode != "L" or (image.mode, mode) == ("CMYK", "RGB")):
        try:
            converted = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                ImageCms.createProfile("sRGB"),
                outputMode=mode,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: its colours are lost, not the picture
        else:
            if converted is not None:
                return converted
    if image.mode == "P" and mode == "RGBA":
        return image.convert("RGBA")
    return image.convert(mode)


# -- PDF -----------------------------------------------------------------------------


def _unreadable_pdf() -> Unprocessable:
    return Unprocessable(
        "The PDF cannot be read; save or print it to PDF again and send that.",
        code="pdf_unreadable",
    )


def _clean_pdf(data: bytes) -> bytes:
    """The PDF written again by pypdf without its document information and XMP."""
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as error:  # pypdf raises many kinds on a malformed file
        raise _unreadable_pdf() from error
    if encrypted:
        raise UnsupportedMediaType(
            "Encrypted PDFs are not accepted: send the document without a password.",
            code="pdf_encrypted",
        )
    try:
        active = _active_content(reader.trailer)
        if active is None:
            writer = PdfWriter(clone_from=reader)
            writer.metadata = None
            for dictionary in _dictionaries(writer.root_object):
                for key in _PDF_METADATA_KEYS:
                    if key in dictionary:
                        del dictionary[key]
            # What no longer has a reference (the old information and XMP objects)
            # would still be written: dropped.
            writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
            out = io.BytesIO()
            writer.write(out)
    except Exception as error:  # _TooComplex, or pypdf failing on a malformed file
        raise _unreadable_pdf() from error
    if active is not None:
        raise UnsupportedMediaType(
            f"PDFs with active content ({active}) are not accepted: print the document to "
            "PDF and send that.",
            code="pdf_active_content",
            extra={"found": active},
        )
    return out.getvalue()


class _TooComplex(Exception):
    """More objects than a walk visits."""


def _dictionaries(root: Any) -> Iterator[DictionaryObject]:
    """Every dictionary (streams included) reachable from `root`, each once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > _MAX_PDF_OBJECTS:
            raise _TooComplex
        if isinstance(node, DictionaryObject):
            yield node
            stack.extend(node.values())
        elif isinstance(node, ArrayObject):
            stack.extend(node)


def _active_content(trailer: DictionaryObject) -> str | None:
    """The first name of active content anywhere in the document, or None."""
    for dictionary in _dictionaries(trailer):
        for key, value in dictionary.items():
            if key in _ACTIVE_PDF_NAMES:
                return str(key)
            if isinstance(value, NameObject) and value in _ACTIVE_PDF_NAMES:
                return str(value)
    return None
