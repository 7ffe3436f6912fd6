"""A corpus of hostile files: what a batch must survive, one row (or one skip) each.

``python -m gk_extract.testing.hostile DIR [--tiny N]`` writes it. Every file is made
here from bytes, small on disk however large it claims or expands to: zip and XML bombs,
XXE and external relationships in DOCX, corrupt and looping PDFs, content-stream and image
bombs, huge and deeply nested HTML, wrong charsets, junk under a report's extension, odd
file names, links out of the folder and link loops, and a folder of tiny files.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

# What the DOCX bombs and XXE files hold around their payload.
_DOCX_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
               b'package/2006/content-types"><Default Extension="xml" ContentType="application/'
               b'xml"/></Types>')
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
# Outside the corpus folder: a link to it must never be followed, its text never extracted.
SECRET_TEXT = "这段文字在语料目录之外，不得被读取"


def _docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip_bomb(size: int) -> bytes:
    """A DOCX whose document.xml inflates to ``size`` bytes of one paragraph."""
    body = b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>" + b"\xe5\xb9\xb4" * (size // 3) \
        + b"</w:t></w:r></w:p></w:body></w:document>"
    return _docx(body)


def _laughs(depth: int) -> bytes:
    entities = b'<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, depth))
    return (b'<?xml version="1.0"?><!DOCTYPE w:document [' + entities + b"]><w:document " + _W
            + b"><w:body><w:p><w:r><w:t>&l%d;</w:t></w:r></w:p></w:body></w:document>" % (depth - 1))


def _xxe(target: Path) -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "'
            + target.as_uri().encode() + b'">]><w:document ' + _W
            + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>")


def _external_rels(url: str) -> bytes:
    rels = (b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId9" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/image" Target="'
            + url.encode() + b'" TargetMode="External"/></Relationships>')
    body = b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>" \
        + "2024年政府信息公开工作年度报告".encode() + b"</w:t></w:r></w:p></w:body></w:document>"
    return _docx(body, {"word/_rels/document.xml.rels": rels})


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies, with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, root, xref))
    return out.getvalue()


def _page_pdf(content: bytes, resources: bytes = b"<< >>", flate: bool = False) -> bytes:
    stream = zlib.compress(content, 9) if flate else content
    filters = b" /Filter /FlateDecode" if flate else b""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                 + resources + b" /Contents 4 0 R >>",
                 b"<< /Length %d%s >>\nstream\n" % (len(stream), filters) + stream
                 + b"\nendstream"])


def stream_bomb(size: int) -> bytes:
    """A page whose compressed content stream inflates to ``size`` bytes of no-ops."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    stream = b"".join(parts) + compressor.flush()
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                 b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
                 + b"\nendstream"])


def _image_pdf(side: int) -> bytes:
    """A page holding one ``side`` x ``side`` grey image (a few KB compressed)."""
    compressor = zlib.compressobj(9)
    row = b"\xff" * side
    data = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    image = (b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
             b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
             % (side, side, len(data)) + data + b"\nendstream")
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                  b"/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>"),
                 b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
                 image])


_HELVETICA = b"<< /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"


def _glyph_pdf(glyphs: int) -> bytes:
    """One page printing ``glyphs`` characters in lines of 100 (a few KB compressed)."""
    line = b"(" + b"x" * 100 + b") Tj 0 -1 Td "
    return _page_pdf(b"BT /F1 1 Tf 10 830 Td " + line * (glyphs // 100) + b"ET", _HELVETICA,
                     flate=True)


def _many_pages_pdf(count: int) -> bytes:
    """``count`` pages sharing one small content stream."""
    kids = b" ".join(b"%d 0 R" % (4 + i) for i in range(count))
    content = b"BT /F1 12 Tf 72 720 Td (page) Tj ET"
    pages = [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
             + _HELVETICA + b" /Contents 3 0 R >>"] * count
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
                 b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
                 *pages])


def _looping_pdf() -> bytes:
    """A page tree whose node is its own kid."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])


def _png(width: int, height: int) -> bytes:
    """A grey PNG of the size claimed, all white (compresses to almost nothing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * width
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def _nested_html(depth: int) -> bytes:
    return (b"<html><body>" + b"<div>" * depth + "2024年政府信息公开工作年度报告".encode()
            + b"</div>" * depth + b"</body></html>")


def _huge_html(size: int) -> bytes:
    row = "<tr><td>其他</td><td>0</td><td>0</td></tr>".encode()
    return b"<html><body><table>" + row * (size // len(row)) + b"</table></body></html>"


def hostile_files(rng: random.Random, secret: Path) -> dict[str, Callable[[], bytes]]:
    """Name -> maker of each hostile file's bytes; the makers are cheap and deterministic."""
    junk = {f"junk{i}.{ext}": (lambda n=i: rng.randbytes(64 + 977 * n))
            for i, ext in enumerate(("pdf", "docx", "doc", "wps", "html", "png", "jpg") * 6)}
    headed = {f"headed{i}.{ext}": (lambda m=magic, n=i: m + rng.randbytes(200 + 331 * n))
              for i, (ext, magic) in enumerate(
                  [("pdf", b"%PDF-1.7\n"), ("docx", b"PK\x03\x04"),
                   ("doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), ("png", b"\x89PNG\r\n\x1a\n"),
                   ("jpg", b"\xff\xd8\xff\xe0"), ("gif", b"GIF89a")] * 5)}
    truncated = {f"truncated{i}.pdf": (lambda n=i: _page_pdf(
        b"BT /F1 12 Tf 72 720 Td (x) Tj ET")[: 40 + 23 * n]) for i in range(12)}
    return {
        **junk, **headed, **truncated,
        "empty.pdf": lambda: b"", "empty.docx": lambda: b"", "empty.html": lambda: b"",
        "whitespace.html": lambda: b" \r\n\t" * 100,
        "nuls.html": lambda: b"\x00" * 5000,
        "zip-bomb.docx": lambda: _zip_bomb(600 * 1024 * 1024),
        "zip-bomb-small.docx": lambda: _zip_bomb(40 * 1024 * 1024),
        "xml-laughs.docx": lambda: _docx(_laughs(9)),
        "xxe.docx": lambda: _docx(_xxe(secret)),
        "external-rels.docx": lambda: _external_rels("http://127.0.0.1:9/x.png"),
        "no-document.docx": lambda: _docx(b"<w:document " + _W + b"/>")[:200],
        "stream-bomb.pdf": lambda: stream_bomb(1200 * 1024 * 1024),
        "image-bomb.pdf": lambda: _image_pdf(30000),
        "looping.pdf": _looping_pdf,
        "glyph-bomb.pdf": lambda: _glyph_pdf(200_000),
        "many-pages.pdf": lambda: _many_pages_pdf(5000),
        "no-pages.pdf": lambda: _pdf([b"<< /Type /Catalog >>"]),
        "bad-xref.pdf": lambda: _page_pdf(b"BT ET").replace(b"xref", b"xref\n999999"),
        "garbage-operators.pdf": lambda: _page_pdf(rng.randbytes(5000), flate=True),
        "png-bomb.png": lambda: _png(12000, 12000),
        "png-lying-header.png": lambda: _png(100, 100)[:40] + rng.randbytes(500),
        "nested.html": lambda: _nested_html(100_000),
        "huge-table.html": lambda: _huge_html(30 * 1024 * 1024),
        "latin1-declared.html": lambda: ('<html><head><meta charset="iso-8859-1"></head><body>'
                                         '<p>2024年度报告</p></body></html>').encode("gb18030"),
        "bad-charset-label.html": lambda: ('<html><head><meta charset="x-no-such"></head><body>'
                                           '<p>年度报告</p></body></html>').encode(),
        "ole-not-word.doc": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000,
        "rtf-broken.doc": lambda: b"{\\rtf1\\ansi " + b"{" * 5000,
        "-leading-dash.html": lambda: b"<html><body><p>x</p></body></html>",
        "line\nbreak.html": lambda: b"<html><body><p>x</p></body></html>",
        "x" * 240 + ".html": lambda: b"<html><body><p>x</p></body></html>",
        "空 格 与 中文.html": lambda: b"<html><body><p>x</p></body></html>",
    }


def write_hostile_corpus(folder: Path, seed: int = 13, tiny: int = 100) -> list[Path]:
    """Write the corpus into ``folder`` (plus a secret file beside it, which links inside
    point to); returns every path written, links included."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder.parent / f"{folder.name}-secret.html"
    secret.write_text(f"<html><body><p>{SECRET_TEXT}</p></body></html>", encoding="utf-8")
    written: list[Path] = []
    for name, make in hostile_files(rng, secret).items():
        path = folder / name
        path.write_bytes(make())
        written.append(path)
    gbk = os.fsencode(folder) + b"/" + "报告乱码名.html".encode("gbk")
    with open(gbk, "wb") as handle:
        handle.write(b"<html><body><p>x</p></body></html>")
    written.append(Path(os.fsdecode(gbk)))
    links: dict[str, Path | str] = {"link-out.html": secret, "link-dir-out": folder.parent, "loop-a.html": "loop-b.html",
             "loop-b.html": "loop-a.html", "dangling.pdf": folder / "no-such-file.pdf"}
    for name, target in links.items():
        (folder / name).symlink_to(target)
        written.append(folder / name)
    tiny_dir = folder / "tiny"
    tiny_dir.mkdir(exist_ok=True)
    for i in range(tiny):
        path = tiny_dir / f"t{i:05d}.html"
        path.write_bytes(b"<p>" + str(i).encode() + b"</p>")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--tiny", type=int, default=10_000, help="files in the folder of tiny files")
    args = parser.parse_args(argv)
    written = write_hostile_corpus(args.folder, args.seed, args.tiny)
    print(f"{len(written)} hostile files in {args.folder}")


if __name__ == "__main__":
    main()
