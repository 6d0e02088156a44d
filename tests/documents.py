"""Attachments made inside the tests: a minimal hand-built PDF and a DOCX written with python-docx."""
from __future__ import annotations

import io


def make_pdf(*lines: str, stamp: str | None = None) -> bytes:
    """A one-page PDF 1.4 showing ASCII ``lines`` in Helvetica, with a correct cross-reference table.

    ``stamp``: a creation date in the document's info dictionary, as a download script writes into each
    copy it makes (other bytes, the same text).
    """
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(f"({escape(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if stamp is not None:
        objects.append(f"<< /CreationDate (D:{stamp}) /Producer (download script) >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    info = f" /Info {len(objects)} 0 R" if stamp is not None else ""
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{info} >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(*paragraphs: str, table: list[list[str]] | None = None, stamp: str | None = None) -> bytes:
    """A DOCX of ``paragraphs``, then ``table`` (rows of cells) if given; ``stamp`` goes into its core
    properties as the identifier a generating script writes (other bytes, the same text)."""
    from docx import Document

    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, cells in zip(grid.rows, table, strict=True):
            for cell, text in zip(row.cells, cells, strict=True):
                cell.text = text
    if stamp is not None:
        document.core_properties.identifier = stamp
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
