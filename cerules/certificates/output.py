"""Certificates written as Word or PDF files: one, one per person in a folder, or all in one zip archive.

Each file is written as every output is (`cerules.base.files`): whole or not at all, never over
an input. The documents are written by the form writers (`cerules.forms.docx_writer` and
`pdf_writer`, the optional extra `cerules[forms]`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from ..base.files import atomic_output, check_output
from ..forms import docx_writer, pdf_writer
from .layout import certificate_document
from .statement import Certificate, CertificateError

FORMATS = ("docx", "pdf")
PathLike = str | os.PathLike[str]


def format_of(path: PathLike) -> str:
    """`docx` or `pdf`, from a file name's suffix; anything else is refused."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f".{suffix}" if suffix else "没有后缀的文件"
        raise CertificateError(
            f"{os.fspath(path)}：学时证明只能写为 .docx 或 .pdf 文件，不能写为 {shown}",
            f"{os.fspath(path)}: a certificate is written as .docx or .pdf, not {('.' + suffix) if suffix else 'a file without suffix'}",
        )
    return suffix


def write_document(certificate: Certificate, stream: BinaryIO, fmt: str, lang: str = "zh") -> None:
    """Write one certificate to a binary stream as `docx` or `pdf`."""
    document = certificate_document(certificate, lang)
    if fmt == "docx":
        docx_writer.render_docx(document, stream)
    elif fmt == "pdf":
        pdf_writer.render_pdf(document, stream)
    else:
        raise ValueError(f"unknown certificate format {fmt!r}: expected one of {', '.join(FORMATS)}")


def certificate_bytes(certificate: Certificate, fmt: str, lang: str = "zh") -> bytes:
    buffer = io.BytesIO()
    write_document(certificate, buffer, fmt, lang)
    return buffer.getvalue()


def write_certificate(certificate: Certificate, path: PathLike, *, lang: str = "zh", inputs: Iterable[PathLike] = ()) -> Path:
    """Write one certificate as `.docx` or `.pdf` (by the suffix), all or nothing, never over one of `inputs`."""
    fmt = format_of(path)
    with atomic_output(path, inputs=inputs) as stream:
        write_document(certificate, stream, fmt, lang)
    return Path(path)


_UNSAFE = re.compile(r"[^\w.\-]+")


def years_part(years: Sequence[int]) -> str:
    """The years in a file name: `2023`, `2021-2023` for a run of years, `2021_2023` otherwise."""
    ordered = sorted(years)
    if len(ordered) > 1 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}-{ordered[-1]}"
    return "_".join(map(str, ordered))


def file_name(person_id: str, years: Sequence[int], fmt: str) -> str:
    """`<person_id>-<years>.<fmt>`, the person id with anything a file name should not hold made `_`."""
    safe = _UNSAFE.sub("_", person_id).lstrip(".") or "_"
    return f"{safe}-{years_part(years)}.{fmt}"


def batch_names(person_ids: Sequence[str], years: Sequence[int], fmt: str) -> dict[str, str]:
    """Each person's file name; two persons whose ids give the same name are refused, naming both."""
    names: dict[str, str] = {}
    taken: dict[str, str] = {}
    for person_id in person_ids:
        name = file_name(person_id, years, fmt)
        other = taken.get(name.lower())
        if other is not None and other != person_id:
            raise CertificateError(
                f"人员 {other} 与 {person_id} 的学时证明文件名相同（{name}）",
                f"persons {other!r} and {person_id!r} would get the same certificate file name ({name})",
            )
        taken[name.lower()] = person_id
        names[person_id] = name
    return names


def check_batch(
    names: Iterable[str], *, folder: PathLike | None = None, archive: PathLike | None = None, inputs: Sequence[PathLike] = ()
) -> None:
    """Refuse, before any work, a batch output that is an input, read-only or a folder (`OutputError`)."""
    if folder is not None:
        if Path(folder).exists() and not Path(folder).is_dir():
            shown = os.fspath(folder)
            raise CertificateError(f"{shown}：不是文件夹", f"{shown}: is not a folder")
        for name in names:
            check_output(Path(folder) / name, inputs)
    if archive is not None:
        check_output(archive, inputs)


def write_batch(
    certificates: Iterable[Certificate],
    names: dict[str, str],
    *,
    fmt: str,
    lang: str = "zh",
    folder: PathLike | None = None,
    archive: PathLike | None = None,
    inputs: Sequence[PathLike] = (),
) -> list[str]:
    """Write each certificate into `folder` (one file per person, each whole or not at all) and/or
    into one zip `archive` (the archive whole or not at all). Returns the names written, in order."""
    written: list[str] = []
    if folder is not None:
        Path(folder).mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        zipped = None
        if archive is not None:
            zipped = stack.enter_context(zipfile.ZipFile(stack.enter_context(atomic_output(archive, inputs=inputs)), "w"))
        for certificate in certificates:
            name = names[certificate.person.person_id]
            data = certificate_bytes(certificate, fmt, lang)
            if folder is not None:
                with atomic_output(Path(folder) / name, inputs=inputs) as stream:
                    stream.write(data)
            if zipped is not None:
                day = certificate.issued
                entry = zipfile.ZipInfo(name, date_time=(day.year, day.month, day.day, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                zipped.writestr(entry, data)
            written.append(name)
    return written


__all__ = [
    "FORMATS",
    "batch_names",
    "certificate_bytes",
    "check_batch",
    "file_name",
    "format_of",
    "write_batch",
    "write_certificate",
    "write_document",
    "years_part",
]
