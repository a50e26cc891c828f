#!/usr/bin/env python3
"""WebSocket load for the soak: N subscribers of ws://HOST:PORT/api/v1/stream for SECONDS, then a
clean close. Raw sockets (no websocket module in the standard library); one process, one selector.
Prints one JSON line: connected, messages, bytes, errors (failed handshakes, closes by the server,
resets), and exits 1 when any error happened.

usage: ws_soak_client.py HOST PORT CLIENTS SECONDS
"""
import base64, json, os, selectors, socket, struct, sys, time


def frame(payload: bytes, opcode: int) -> bytes:
    """A masked client frame (RFC 6455 5.2)."""
    mask = os.urandom(4)
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


class client:
    def __init__(self, host, port, index):
        self.sock = socket.create_connection((host, port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /api/v1/stream HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("closed during the handshake")
            head += chunk
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise OSError("handshake refused: " + status.decode(errors="replace"))
        self.buf = bytearray(head.split(b"\r\n\r\n", 1)[1])
        self.sock.setblocking(False)
        self.messages = 0
        self.bytes = 0
        self.closed_by_server = None
        # A mix of subscriptions: per-CPU rates only, the busiest IRQs, a name pattern, every 2nd sample.
        kind = index % 4
        sub = {"type": "subscribe"}
        if kind == 1:
            sub.update(top=10)
        elif kind == 2:
            sub.update(irqs="eth1-TxRx-1*", cpus=False)
        elif kind == 3:
            sub.update(top=5, every=2)
        if kind:
            self.sock.sendall(frame(json.dumps(sub).encode(), 0x1))

    def on_readable(self):
        data = self.sock.recv(1 << 20)
        if not data:
            self.closed_by_server = self.closed_by_server or "connection closed"
            return False
        self.buf += data
        while len(self.buf) >= 2:
            b0, b1 = self.buf[0], self.buf[1]
            n, at = b1 & 0x7F, 2
            if n == 126:
                if len(self.buf) < 4:
                    break
                n, at = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                if len(self.buf) < 10:
                    break
                n, at = struct.unpack("!Q", self.buf[2:10])[0], 10
            if len(self.buf) < at + n:
                break
            payload = bytes(self.buf[at:at + n])
            del self.buf[:at + n]
            opcode = b0 & 0x0F
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.closed_by_server = f"close {code}: {payload[2:].decode(errors='replace')}"
                return False
            if opcode == 0x9:
                self.sock.sendall(frame(payload, 0xA))
            elif opcode in (0x1, 0x2, 0x0):
                self.messages += 1
                self.bytes += n
        return True


def main():
    host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    sel = selectors.DefaultSelector()
    clients, errors = [], []
    for i in range(count):
        try:
            c = client(host, port, i)
            clients.append(c)
            sel.register(c.sock, selectors.EVENT_READ, c)
        except OSError as e:
            errors.append(f"client {i}: {e}")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.5):
            c = key.data
            try:
                alive = c.on_readable()
            except OSError as e:
                c.closed_by_server = str(e)
                alive = False
            if not alive:
                sel.unregister(c.sock)
                errors.append(c.closed_by_server)
    for c in clients:
        if c.closed_by_server is None:
            try:
                c.sock.setblocking(True)
                c.sock.sendall(frame(struct.pack("!H", 1000), 0x8))
            except OSError as e:
                errors.append(f"close: {e}")
        c.sock.close()
    messages = sum(c.messages for c in clients)
    print(json.dumps({"clients": count, "connected": len(clients), "messages": messages,
                      "bytes": sum(c.bytes for c in clients),
                      "min_messages": min((c.messages for c in clients), default=0),
                      "errors": len(errors), "first_errors": errors[:5]}))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
