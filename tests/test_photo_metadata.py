"""Photo metadata is cut out losslessly before an anonim or rahasia complaint's photo leaves.

Real images made with Pillow carry a real GPS position; after cleaning, Pillow
finds no EXIF or text and decodes exactly the same pixels.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image, PngImagePlugin

from lapor_desktop.attachments.metadata import Cleaned, NotCleaned, remove_metadata

GPS_IFD = 0x8825
ARTIST = 0x013B


def _photo() -> Image.Image:
    image = Image.new("RGB", (64, 48))
    for x in range(64):
        for y in range(48):
            image.putpixel((x, y), (x * 4, y * 5, (x * y) % 256))
    return image


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ARTIST] = "Pemilik Ponsel Contoh"
    exif.get_ifd(GPS_IFD).update({1: "S", 2: (0.0, 13.0, 12.0), 3: "E", 4: (104.0, 38.0, 0.0)})
    return exif


def _encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


@pytest.mark.parametrize("kind", ["JPEG", "WEBP"])
def test_exif_with_gps_is_removed_and_the_picture_is_unchanged(kind: str) -> None:
    original = _encoded(_photo(), kind, exif=_exif(), quality=90)
    assert b"Pemilik Ponsel Contoh" in original

    cleaned = remove_metadata(original)

    assert isinstance(cleaned, Cleaned)
    assert "EXIF" in " ".join(cleaned.removed)
    assert b"Pemilik Ponsel Contoh" not in cleaned.data
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert dict(image.getexif()) == {}
    assert _pixels(cleaned.data) == _pixels(original)


def test_png_text_and_exif_chunks_are_removed() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Pemilik Ponsel Contoh")
    info.add_itxt("Comment", "lokasi rumah", lang="id")
    original = _encoded(_photo(), "PNG", pnginfo=info, exif=_exif())

    cleaned = remove_metadata(original)

    assert isinstance(cleaned, Cleaned)
    assert b"Pemilik Ponsel Contoh" not in cleaned.data
    assert b"lokasi rumah" not in cleaned.data
    assert _pixels(cleaned.data) == _pixels(original)
    with Image.open(io.BytesIO(cleaned.data)) as image:
        assert image.text == {}


def test_a_photo_without_metadata_comes_back_byte_for_byte() -> None:
    original = _encoded(_photo(), "PNG")

    cleaned = remove_metadata(original)

    assert cleaned == Cleaned(original, ())


def test_jpeg_comments_and_xmp_go_too() -> None:
    original = _encoded(_photo(), "JPEG", comment=b"Kamera milik Pak Contoh")
    xmp = b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>GPS 0.2S 104.6E</x:xmpmeta>"
    segment = b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp
    with_xmp = original[:2] + segment + original[2:]

    cleaned = remove_metadata(with_xmp)

    assert isinstance(cleaned, Cleaned)
    assert b"Pak Contoh" not in cleaned.data and b"xmpmeta" not in cleaned.data
    assert _pixels(cleaned.data) == _pixels(original)


def test_a_kind_the_desk_cannot_clean_is_said_not_pretended() -> None:
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Author (Contoh) >>\nendobj\n"

    result = remove_metadata(pdf)

    assert isinstance(result, NotCleaned)
    assert "PDF" in result.message.render("en")


def test_a_cut_short_jpeg_is_reported_as_damaged() -> None:
    original = _encoded(_photo(), "JPEG", exif=_exif())

    result = remove_metadata(original[:40])

    assert isinstance(result, NotCleaned)
    assert "damaged" in result.message.render("en")
