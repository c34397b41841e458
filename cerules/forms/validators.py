"""Checks of contacts and addresses that the forms share: phone and fax numbers, e-mail and web addresses."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}")
EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
)
_HOST_LABEL = re.compile(r"(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)")
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)")


def is_phone(text: str) -> bool:
    """A Chinese mobile number (`13812345678`) or landline with area code (`0531-86912345`)."""
    compact = text.strip().replace(" ", "")
    return bool(MOBILE.fullmatch(compact) or LANDLINE.fullmatch(compact))


def is_landline(text: str) -> bool:
    return bool(LANDLINE.fullmatch(text.strip().replace(" ", "")))


def is_email(text: str) -> bool:
    return bool(EMAIL.fullmatch(text.strip()))


def url_problem(text: str) -> tuple[str, str] | None:
    """What is wrong with a web address (en, zh), or None: http(s), a host with a dot or an IPv4."""
    if text != text.strip() or any(c.isspace() for c in text):
        return "a web address may not contain spaces", "网址中不应有空白字符"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        return f"not a web address ({exc})", f"不是有效网址（{exc}）"
    if parts.scheme not in ("http", "https"):
        return "expected an http:// or https:// address", "网址应以 http:// 或 https:// 开头"
    host = parts.hostname or ""
    if not host:
        return "the address has no host name", "网址缺少主机名（域名）"
    if port == 0:
        return "port 0 is not a port", "端口号不能为 0"
    if _IPV4.fullmatch(host):
        return None
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return f"{host!r} is not a host name such as www.example.gov.cn", f"{host!r} 不是有效的主机名（如 www.example.gov.cn）"
    return None


__all__ = ["EMAIL", "LANDLINE", "MOBILE", "is_email", "is_landline", "is_phone", "url_problem"]
