"""A small HTTP/1.1 keep-alive client for the gateway's calls to its own services.

Why not httpx on this path: profiling the gateway under load (docs/performance.md) showed
httpx/httpcore taking over half of its CPU per proxied request — its pool checks every
pooled connection's socket on each request. The services are ours, on a private network,
speaking plain HTTP/1.1, so a client that does exactly that is short: asyncio streams
to send, ``httptools`` (the parser uvicorn already uses) to read; content-length,
chunked and close-delimited bodies; idle connections reused last-in-first-out and
dropped before the server's keep-alive timeout could close them under us.

It never retries: a request that fails is reported, and the proxy decides (it does not
retry either). httpx stays the client for everything else (webhooks, docs).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httptools


class UpstreamError(Exception):
    """The call failed without a response."""


class UpstreamUnavailable(UpstreamError):
    """No connection, or the connection broke before a response arrived."""


class UpstreamTimeout(UpstreamError):
    """No complete response within the read timeout."""


@dataclass(slots=True)
class UpstreamResponse:
    """A complete response."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        """First value of header ``name`` (lower-case bytes)."""
        return next((v for k, v in self.headers if k.lower() == name), None)


@dataclass(slots=True)
class _Reading:
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    complete: bool = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        self.complete = True

    def close_delimited(self) -> bool:
        return all(
            name != b"content-length" and not (name == b"transfer-encoding" and b"chunked" in value.lower())
            for name, value in self.headers
        )


@dataclass(slots=True)
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    last_used: float

    def close(self) -> None:
        self.writer.close()


class UpstreamPool:
    """Keep-alive connections to one service (``http://host:port``)."""

    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        max_idle: int = 256,
        idle_seconds: float = 4.0,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream URLs are http://host:port, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/").encode()
        self._host_header = parts.netloc.encode()
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_idle = max_idle
        # uvicorn closes idle keep-alive connections after 5 s; drop ours before that.
        self.idle_seconds = idle_seconds
        self._idle: list[_Connection] = []

    async def _connection(self) -> tuple[_Connection, bool]:
        now = time.monotonic()
        while self._idle:
            conn = self._idle.pop()
            if (
                now - conn.last_used < self.idle_seconds
                and not conn.writer.is_closing()
                and not conn.reader.at_eof()
            ):
                return conn, True
            conn.close()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), self.connect_timeout
            )
        except (OSError, TimeoutError) as exc:
            raise UpstreamUnavailable(f"cannot connect to {self.host}:{self.port}: {exc!r}") from None
        return _Connection(reader, writer, now), False

    async def request(
        self, method: str, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes = b""
    ) -> UpstreamResponse:
        """Send one request and read the whole response (``target`` = raw path and query)."""
        conn, _reused = await self._connection()
        head = [
            method.encode("ascii"),
            b" ",
            self.prefix + target,
            b" HTTP/1.1\r\nhost: ",
            self._host_header,
            b"\r\ncontent-length: ",
            str(len(body)).encode(),
            b"\r\n",
        ]
        for name, value in headers:
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        reading = _Reading()
        parser = httptools.HttpResponseParser(reading)
        try:
            conn.writer.write(b"".join(head) + body)
            async with asyncio.timeout(self.read_timeout):
                await conn.writer.drain()
                while not reading.complete:
                    data = await conn.reader.read(65536)
                    if not data:
                        if parser.get_status_code() and reading.close_delimited():
                            reading.complete = True  # a body without length or chunking ends at close
                        if not reading.complete:
                            raise UpstreamUnavailable("the service closed the connection before answering")
                        break
                    parser.feed_data(data)
        except TimeoutError:
            conn.close()
            raise UpstreamTimeout(f"no complete answer within {self.read_timeout} s") from None
        except (OSError, httptools.HttpParserError) as exc:
            conn.close()
            raise UpstreamUnavailable(f"connection to {self.host}:{self.port} failed: {exc!r}") from None
        except UpstreamError:
            conn.close()
            raise
        if self._reusable(parser, reading, conn) and len(self._idle) < self.max_idle:
            conn.last_used = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
        return UpstreamResponse(parser.get_status_code(), reading.headers, b"".join(reading.body))

    @staticmethod
    def _reusable(parser: httptools.HttpResponseParser, reading: _Reading, conn: _Connection) -> bool:
        # HTTP/1.1 keeps the connection unless the server said close (or ended the body by closing).
        if parser.get_http_version() != "1.1" or conn.reader.at_eof():
            return False
        return all(
            not (name == b"connection" and b"close" in value.lower()) for name, value in reading.headers
        )

    async def aclose(self) -> None:
        """Close every idle connection."""
        while self._idle:
            self._idle.pop().close()
