"""A proxy that cuts one upload request in the middle of its body: it forwards the request's
head and the first ``keep`` bytes of its body to the server, then resets both connections, so
the client loses the connection while it is still sending and the server gets a short body.
Every other request is forwarded whole (one upstream connection each, ``Connection: close``).
"""

from __future__ import annotations

import socket
import struct
import threading

from tests.support.fault_proxy import _close_after


def _reset(sock: socket.socket) -> None:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    finally:
        sock.close()


class CutProxy:
    """Forwards to ``target_port``; the first request whose head contains ``match`` is cut
    after ``keep`` bytes of its body."""

    def __init__(self, target_port: int, match: bytes, keep: int) -> None:
        self.target_port = target_port
        self.match = match
        self.keep = keep
        self.cuts = 0
        self._lock = threading.Lock()
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _should_cut(self, head: bytes) -> bool:
        with self._lock:
            if self.cuts == 0 and self.match in head:
                self.cuts += 1
                return True
            return False

    def _serve(self, client: socket.socket) -> None:
        buffered = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffered:
                    more = client.recv(65536)
                    if not more:
                        client.close()
                        return
                    buffered += more
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                cut = self._should_cut(head)
                wanted = min(self.keep, length) if cut else length
                while len(buffered) < wanted:
                    more = client.recv(65536)
                    if not more:
                        break
                    buffered += more
                body, buffered = buffered[:wanted], buffered[wanted:]
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
                if cut:
                    upstream.sendall(head + b"\r\n\r\n" + body)
                    upstream.shutdown(socket.SHUT_WR)  # the server reads a short body
                    _reset(client)
                    while upstream.recv(65536):
                        pass
                    upstream.close()
                    return
                upstream.sendall(_close_after(head + b"\r\n\r\n" + body))
                response = b""
                while more := upstream.recv(65536):
                    response += more
                upstream.close()
                client.sendall(response)
        except OSError:
            client.close()

    def stop(self) -> None:
        self._listener.close()
