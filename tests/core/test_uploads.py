"""Evidence uploads: the type read from the bytes, metadata (GPS included) removed.

Every file is built here, with Pillow and pypdf, carrying unique markers in its metadata;
a cleaned file must not contain them anywhere in its bytes."""

from __future__ import annotations

import hashlib
import io
import logging
import struct
import zipfile
import zlib

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import NameObject, StreamObject

from capacity_exit.core.errors import AppError
from capacity_exit.core.uploads import MAX_PIXELS, CleanFile, clean_upload

LIMIT = 10 * 1024 * 1024
GPS_IFD = 0x8825  # 34853, GPSInfo
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "MARKER-MAKE"
    exif[MODEL] = "MARKER-MODEL"
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (43.0, 10.0, 5.5), 3: "E", 4: (124.0, 22.0, 1.0)})
    return exif


def jpeg(image: Image.Image, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, **params)
    return out.getvalue()


def problem(data: bytes, max_bytes: int = LIMIT) -> AppError:
    with pytest.raises(AppError) as caught:
        clean_upload(data, max_bytes=max_bytes)
    return caught.value


def reopened(clean: CleanFile) -> Image.Image:
    image = Image.open(io.BytesIO(clean.data))
    image.load()
    return image


@pytest.mark.seed("一(一)5")
def test_a_photo_loses_its_exif_and_gps_and_stays_the_same_picture() -> None:
    original = Image.new("RGB", (64, 48), (200, 30, 40))
    data = jpeg(original, exif=exif_with_gps(), comment=b"MARKER-COMMENT", xmp=b"MARKER-XMP")
    before = Image.open(io.BytesIO(data))
    assert before.getexif().get_ifd(GPS_IFD)[1] == "N"  # the test file does carry GPS

    clean = clean_upload(data, max_bytes=LIMIT)

    after = reopened(clean)
    assert (clean.content_type, after.format, after.size) == ("image/jpeg", "JPEG", (64, 48))
    assert dict(after.getexif()) == {}
    assert dict(after.getexif().get_ifd(GPS_IFD)) == {}
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(after.info)
    assert b"MARKER" not in clean.data and b"Exif" not in clean.data
    red, green, blue = after.getpixel((32, 24))  # type: ignore[misc]
    assert abs(red - 200) < 8 and abs(green - 30) < 8 and abs(blue - 40) < 8
    assert clean.digest == hashlib.sha256(clean.data).hexdigest()
    assert clean.size == len(clean.data)


def test_the_orientation_is_applied_before_the_exif_goes() -> None:
    # Stored sideways: left half red, right half blue; orientation 6 shows it turned
    # 90° clockwise, so the red half is on top when displayed.
    image = Image.new("RGB", (60, 20), (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, 30, 20))
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    after = reopened(clean_upload(jpeg(image, exif=exif), max_bytes=LIMIT))
    assert after.size == (20, 60)
    assert ORIENTATION not in after.getexif()
    top, bottom = after.getpixel((10, 5)), after.getpixel((10, 55))
    assert top[0] > 200 and top[2] < 50, top  # type: ignore[index]
    assert bottom[2] > 200 and bottom[0] < 50, bottom  # type: ignore[index]


def test_a_png_loses_its_text_chunks_and_keeps_its_transparency() -> None:
    image = Image.new("RGBA", (10, 8), (10, 20, 30, 128))
    info = PngInfo()
    info.add_text("Comment", "MARKER-TEXT")
    info.add_text("Author", "MARKER-ZTXT", zip=True)
    info.add_itxt("Location", "MARKER-ITXT")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info, exif=exif_with_gps())

    clean = clean_upload(out.getvalue(), max_bytes=LIMIT)

    after = reopened(clean)
    assert (clean.content_type, after.mode, after.size) == ("image/png", "RGBA", (10, 8))
    assert after.text == {}  # type: ignore[attr-defined]
    assert dict(after.getexif()) == {}
    assert b"MARKER" not in clean.data
    for chunk in (b"tEXt", b"zTXt", b"iTXt", b"eXIf"):
        assert chunk not in clean.data
    assert after.getpixel((0, 0)) == (10, 20, 30, 128)


def test_a_palette_png_with_a_transparent_colour_keeps_it() -> None:
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 0, 0])
    out = io.BytesIO()
    image.save(out, "PNG", transparency=1)
    after = reopened(clean_upload(out.getvalue(), max_bytes=LIMIT))
    assert after.convert("RGBA").getpixel((0, 0)) == (255, 0, 0, 0)


def test_a_16_bit_grey_png_is_scaled_to_8_bits_not_clipped() -> None:
    out = io.BytesIO()
    Image.new("I;16", (4, 4), 32768).save(out, "PNG")
    after = reopened(clean_upload(out.getvalue(), max_bytes=LIMIT))
    assert (after.mode, after.getpixel((0, 0))) == ("L", 128)


def test_a_webp_loses_its_exif_and_xmp() -> None:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 128, 0)).save(
        out, "WEBP", exif=exif_with_gps(), xmp=b"MARKER-XMP"
    )
    clean = clean_upload(out.getvalue(), max_bytes=LIMIT)
    after = reopened(clean)
    assert (clean.content_type, after.format, after.size) == ("image/webp", "WEBP", (16, 16))
    assert dict(after.getexif()) == {} and "xmp" not in after.info
    assert b"MARKER" not in clean.data and b"EXIF" not in clean.data


def test_an_icc_profile_is_applied_not_kept() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = jpeg(Image.new("RGB", (8, 8), (90, 120, 150)), icc_profile=profile)
    after = reopened(clean_upload(data, max_bytes=LIMIT))
    assert "icc_profile" not in after.info
    red, green, blue = after.getpixel((4, 4))  # type: ignore[misc]
    assert abs(red - 90) < 8 and abs(green - 120) < 8 and abs(blue - 150) < 8


# -- The type comes from the content --------------------------------------------------

HTML = b"<!doctype html><html><script>alert('MARKER')</script></html>"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(HTML, id="an HTML page, whatever its name says (photo.jpg)"),
        pytest.param(b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', id="svg"),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", id="gif"),
        pytest.param(b"MZ\x90\x00" + bytes(60), id="an executable"),
        pytest.param(b"\n%PDF-1.7\n" + HTML, id="a PDF header after junk"),
        pytest.param(b"", id="empty"),
    ],
)
def test_anything_but_the_accepted_types_is_415_naming_them(data: bytes) -> None:
    error = problem(data)
    assert (error.status, error.code) == (415, "unsupported_file_type")
    accepted = ["image/jpeg", "image/png", "image/webp", "application/pdf"]
    assert error.extra == {"accepted": accepted}
    assert all(kind in str(error.detail) for kind in accepted)


def test_an_image_signature_on_something_else_is_422() -> None:
    error = problem(b"\xff\xd8\xff\xe0" + HTML)
    assert (error.status, error.code) == (422, "image_unreadable")


def test_a_truncated_photo_is_422() -> None:
    data = jpeg(Image.new("RGB", (200, 200), (1, 2, 3)))
    error = problem(data[: len(data) // 2])
    assert (error.status, error.code) == (422, "image_unreadable")


def test_what_hides_in_a_polyglot_jpeg_is_dropped() -> None:
    # An HTML page in a comment segment and after the end-of-image marker.
    data = jpeg(Image.new("RGB", (32, 32), (5, 5, 5)), comment=HTML) + HTML
    clean = clean_upload(data, max_bytes=LIMIT)
    assert b"MARKER" not in clean.data and b"<script" not in clean.data
    assert clean.data.endswith(b"\xff\xd9")


def test_a_zip_appended_to_a_png_is_dropped() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("index.html", HTML)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG")
    clean = clean_upload(out.getvalue() + archive.getvalue(), max_bytes=LIMIT)
    assert b"PK\x03\x04" not in clean.data and b"index.html" not in clean.data
    assert clean.data.endswith(b"IEND\xaeB`\x82")


# -- Sizes -----------------------------------------------------------------------------


def test_a_file_over_the_limit_is_413_and_one_at_it_is_accepted() -> None:
    data = jpeg(Image.new("RGB", (16, 16)))
    error = problem(data, max_bytes=len(data) - 1)
    assert (error.status, error.code) == (413, "file_too_large")
    assert error.extra == {"max_bytes": len(data) - 1}
    assert clean_upload(data, max_bytes=len(data)).content_type == "image/jpeg"


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a canvas of width × height (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + header
    ihdr = struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    pixels = zlib.compress(b"\x00" * 64)
    idat = b"IDAT" + pixels
    body = struct.pack(">I", len(pixels)) + idat + struct.pack(">I", zlib.crc32(idat))
    end = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + body + end


@pytest.mark.parametrize("width", [MAX_PIXELS // 1000 + 1, 100_000])
def test_an_image_of_too_many_pixels_is_413_before_it_is_decoded(width: int) -> None:
    error = problem(png_claiming(width, 1000))
    assert (error.status, error.code) == (413, "image_too_large")


# -- PDF -------------------------------------------------------------------------------


def pdf(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_pdf_loses_its_document_information_and_xmp() -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Author": "MARKERAUTHOR", "/Title": "MARKERTITLE"})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">MARKERXMP</x:xmpmeta>'
    stream = StreamObject()
    stream.set_data(xmp)
    writer.root_object[NameObject("/Metadata")] = writer._add_object(stream)
    data = pdf(writer)
    assert b"MARKERAUTHOR" in data and b"MARKERXMP" in data

    clean = clean_upload(data, max_bytes=LIMIT)

    assert clean.content_type == "application/pdf" and clean.data.startswith(b"%PDF-")
    assert b"MARKER" not in clean.data
    reader = PdfReader(io.BytesIO(clean.data))
    assert len(reader.pages) == 2 and reader.metadata is None
    assert "/Metadata" not in reader.root_object


def test_a_pdf_with_javascript_is_415() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_open_action(JavaScript("app.alert('MARKER');"))
    error = problem(pdf(writer))
    assert (error.status, error.code) == (415, "pdf_active_content")


def test_a_pdf_carrying_a_file_is_415() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_attachment("payload.html", HTML)
    error = problem(pdf(writer))
    assert (error.status, error.code) == (415, "pdf_active_content")


def test_an_encrypted_pdf_is_415() -> None:
    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret", algorithm="AES-128")
    error = problem(pdf(writer))
    assert (error.status, error.code) == (415, "pdf_encrypted")


def handmade_pdf(catalog_extra: bytes) -> bytes:
    """A minimal PDF written byte by byte, its cross-reference table correct."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_a_handmade_pdf_is_accepted() -> None:
    clean = clean_upload(handmade_pdf(b""), max_bytes=LIMIT)
    assert len(PdfReader(io.BytesIO(clean.data)).pages) == 1


def test_javascript_behind_escaped_names_is_still_found() -> None:
    # `/J#61vaScript` is `/JavaScript` and `/J#53` is `/JS` once the names are decoded.
    action = b"/OpenAction << /S /J#61vaScript /J#53 (app.alert('MARKER')) >>"
    error = problem(handmade_pdf(action))
    assert (error.status, error.code) == (415, "pdf_active_content")


class Collected(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_a_pdf_that_does_not_parse_is_422_and_nothing_of_it_is_logged() -> None:
    # pypdf's diagnostics of this one quote the bytes around the fault, MARKER included.
    broken = (
        handmade_pdf(b"/Lang (MARKER)")
        .replace(b"/Type /Catalog", b"/Type \xff")
        .replace(b"/Root 1 0 R", b"/Root (MARKER)")
    )
    # What the process's handlers (on the root logger, core.logs) would receive; pytest's
    # caplog is no witness here: it hooks every logger, even those that do not propagate.
    root, collected = logging.getLogger(), Collected()
    level = root.level
    root.addHandler(collected)
    root.setLevel(logging.DEBUG)
    try:
        for data in (b"%PDF-1.7\n" + HTML, broken):
            error = problem(data)
            assert (error.status, error.code) == (422, "pdf_unreadable")
    finally:
        root.removeHandler(collected)
        root.setLevel(level)
    assert not [line for line in collected.lines if "MARKER" in line]
