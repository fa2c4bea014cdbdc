"""Polite and safe HTTP fetching for `khabar ingest URL` and `/api/ingest {"url": ...}`.

* Only http(s). Every address the host resolves to is checked before connecting, and the request goes
  to that checked address (Host header and TLS SNI keep the name), so a second DNS answer can't swap in
  another one. Private, loopback, link-local, reserved, multicast and unspecified addresses are refused
  (`url_not_allowed`) unless KHABAR_ALLOW_PRIVATE_URLS=true: a default install is no SSRF proxy.
* Redirects are followed by hand, at most MAX_REDIRECTS, each target checked again the same way.
* Timeouts, a size cap (KHABAR_FETCH_MAX_BYTES, read as a stream), a content-type check, no proxy
  from the environment, a clear User-Agent, and robots.txt (urllib.robotparser) for every page.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from .config import IndexSettings

MAX_REDIRECTS = 5
PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
              "application/x-rss+xml")
REDIRECTS = (301, 302, 303, 307, 308)


class FetchError(Exception):
    """A URL that can't be fetched; code is stable for clients, status is the HTTP status to answer."""

    def __init__(self, code: str, message: str, status: int = 400, upstream: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.upstream = upstream  # the remote server's HTTP status, when it answered one


@dataclass
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 for a conditional request whose page did not change
    content_type: str = ""
    body: bytes = b""
    headers: dict = field(default_factory=dict)


def address_allowed(ip: str) -> bool:
    """A public unicast address (IPv4-mapped IPv6 judged by its IPv4)."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return not (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved or addr.is_multicast
                or addr.is_unspecified or not addr.is_global)


Resolver = Callable[..., list]


class Fetcher:
    def __init__(self, settings: IndexSettings, resolver: Resolver | None = None, transport=None) -> None:
        import httpx

        self.allow_private = settings.allow_private_urls
        self.max_bytes = settings.fetch_max_bytes
        self.user_agent = settings.user_agent
        self.resolver = resolver or socket.getaddrinfo
        self._robots: dict[str, RobotFileParser | None] = {}
        self.client = httpx.Client(timeout=httpx.Timeout(settings.fetch_timeout), follow_redirects=False,
                                   trust_env=False, transport=transport,
                                   headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"})

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- the address check ----------------------------------------------------------------
    def check(self, url: str) -> list[str]:
        """The addresses `url` may be fetched from; FetchError url_not_allowed / invalid_url otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("invalid_url", f"only http(s) URLs with a host can be fetched, got {url[:200]!r}")
        if parts.username or parts.password:
            raise FetchError("invalid_url", "URLs with user:password@ are not fetched")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError("invalid_url", f"bad port in {url[:200]!r}") from None
        host = parts.hostname
        try:
            ips = [str(ipaddress.ip_address(host))]
        except ValueError:
            try:
                infos = self.resolver(host, port, type=socket.SOCK_STREAM)
            except (OSError, UnicodeError) as exc:
                raise FetchError("fetch_failed", f"cannot resolve {host}: {exc}", 502) from None
            ips = list(dict.fromkeys(info[4][0] for info in infos))
            if not ips:
                raise FetchError("fetch_failed", f"{host} resolves to no address", 502)
        if not self.allow_private:
            bad = [ip for ip in ips if not address_allowed(ip)]
            if bad:  # all of them must be public: one private answer is enough to refuse
                raise FetchError("url_not_allowed", f"{host} resolves to {bad[0]}, a private, loopback, link-local or "
                                                    "reserved address (set KHABAR_ALLOW_PRIVATE_URLS=true to allow)")
        return ips

    # ---- fetching ---------------------------------------------------------------------------
    def get(self, url: str, types: tuple[str, ...] = PAGE_TYPES + FEED_TYPES, headers: dict | None = None,
            robots: bool = True) -> Fetched:
        import httpx

        for _ in range(MAX_REDIRECTS + 1):
            ips = self.check(url)
            if robots and not self.allowed_by_robots(url):
                raise FetchError("robots_disallowed", f"robots.txt of {urlsplit(url).netloc} disallows {url[:200]}")
            try:
                with self._stream(url, ips[0], headers or {}) as resp:
                    if resp.status_code in REDIRECTS and resp.headers.get("location"):
                        url = urljoin(url, resp.headers["location"])
                        continue
                    if resp.status_code == 304:
                        return Fetched(url, 304, headers=dict(resp.headers))
                    if resp.status_code >= 400:
                        raise FetchError("fetch_failed", f"{url[:200]} answered HTTP {resp.status_code}", 502,
                                         resp.status_code)
                    ctype = resp.headers.get("content-type", "").split(";")[0].strip().lower()
                    if types and ctype and ctype not in types:
                        raise FetchError("unsupported_content_type", f"{url[:200]} is {ctype}, not a web page or a feed")
                    return Fetched(url, resp.status_code, ctype, self._read(resp, url), dict(resp.headers))
            except httpx.HTTPError as exc:
                raise FetchError("fetch_failed", f"{url[:200]}: {type(exc).__name__} {exc}"[:300], 502) from None
        raise FetchError("fetch_failed", f"more than {MAX_REDIRECTS} redirects", 502)

    def _stream(self, url: str, ip: str, headers: dict):
        """The request goes to the checked address; Host and TLS SNI keep the name."""
        parts = urlsplit(url)
        host = f"[{ip}]" if ":" in ip else ip
        netloc = f"{host}:{parts.port}" if parts.port else host
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        host_header = parts.hostname + (f":{parts.port}" if parts.port else "")
        if ":" in (parts.hostname or ""):
            host_header = f"[{parts.hostname}]" + (f":{parts.port}" if parts.port else "")
        return self.client.stream("GET", target, headers={**headers, "Host": host_header},
                                  extensions={"sni_hostname": parts.hostname})

    def _read(self, resp, url: str) -> bytes:
        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            raise FetchError("page_too_large", f"{url[:200]} is {int(length):,} bytes (limit {self.max_bytes:,})")
        data = bytearray()
        for chunk in resp.iter_bytes():
            data += chunk
            if len(data) > self.max_bytes:
                raise FetchError("page_too_large", f"{url[:200]} is larger than {self.max_bytes:,} bytes")
        return bytes(data)

    # ---- robots.txt -------------------------------------------------------------------------
    def allowed_by_robots(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rp = self._robots[origin]
        return True if rp is None else rp.can_fetch(self.user_agent, url)

    def _load_robots(self, origin: str) -> RobotFileParser | None:
        """None: no robots.txt (4xx), everything allowed. Unreachable or 5xx: everything disallowed."""
        rp = RobotFileParser(origin + "/robots.txt")
        try:
            got = self.get(origin + "/robots.txt", types=(), robots=False)
        except FetchError as exc:
            if exc.upstream is not None and 400 <= exc.upstream < 500:
                return None
            if exc.code == "url_not_allowed":
                raise
            rp.parse(["User-agent: *", "Disallow: /"])
            return rp
        rp.parse(got.body.decode("utf-8", "replace").splitlines())
        return rp
