"""Canonical URLs: one article fetched through different links (tracking parameters, fragments, an
upper-case host, a default port) gets one URL, and so one article id."""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING = {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
            "_ga", "_gl", "ref", "ref_src", "cmpid", "ocid", "smid", "spm", "at_medium", "at_campaign",
            "share", "fromapp", "__twitter_impression"}
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "hsa_", "oly_")


def is_tracking(name: str) -> bool:
    n = name.lower()
    return n in TRACKING or n.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters (utm_*,
    fbclid, gclid, ...); the other parameters keep their order."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()  # user:password@ never stays in a stored URL
    if ":" in host:
        host = f"[{host}]"
    if parts.port and not ((scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)):
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)])
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def url_article_id(url: str) -> str:
    """The article id of a web article: stable for its canonical URL."""
    return "web_" + hashlib.sha1(canonical_url(url).encode()).hexdigest()[:16]
