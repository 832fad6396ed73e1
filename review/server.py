"""uvicorn's HTTP/1.1 protocol with TCP_NODELAY on every connection.

With ``--workers`` above 1, uvicorn hands each worker its listening socket
through ``socket.fromfd``, which loses the socket's protocol number; asyncio
then no longer recognises accepted connections as TCP and leaves Nagle's
algorithm on. A response written as headers then body is held back until the
client's delayed ACK, about 40 ms on every kept-alive request (measured with
``benchmarks/bench_serve.py``). Setting the option on each connection restores
the behaviour of a single-process server.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
