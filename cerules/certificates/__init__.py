"""Certificates of credited hours (学时证明) for title applications: one person, one or several years.

Each year is judged under that year's rules (`cerules.history`); a certificate states the
credited records and each requirement's total with the layer and citation that set it, the rules'
digest so that anyone can check it (`cerules rules show --year Y` prints the same), the engine's
version and the day of issue. `statement` gathers it as data, `layout` words it in zh or en as a
document of the notice's forms, `output` writes Word or PDF files, a folder of them or a zip.

```python
from cerules.certificates import issuer, write_certificate

issued = issuer("examples/persons.csv", "examples/records.csv", [2023], plugins=False)
write_certificate(issued.certificate("P003"), "P003-2023.pdf", lang="zh")
```
"""

from __future__ import annotations

from .layout import certificate_document, years_text
from .output import FORMATS, file_name, write_batch, write_certificate
from .statement import Certificate, CertificateError, CreditedRecord, Issuer, PersonDetails, YearStatement, issuer

__all__ = [
    "FORMATS",
    "Certificate",
    "CertificateError",
    "CreditedRecord",
    "Issuer",
    "PersonDetails",
    "YearStatement",
    "certificate_document",
    "file_name",
    "issuer",
    "write_batch",
    "write_certificate",
    "years_text",
]
