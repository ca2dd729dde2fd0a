#!/usr/bin/env python3
"""Raw v3-protocol login, to see what psql hides: the ErrorResponse's severity and SQLSTATE.

    pg_auth_probe.py HOST PORT USER DATABASE [PASSWORD]

Sends a StartupMessage (no SSLRequest), answers a cleartext or md5 request with PASSWORD (SASL is
not spoken: it prints "AUTH sasl" and stops), and prints one line per event:
    AUTH md5 | AUTH cleartext | AUTH sasl | AUTH ok
    ERROR S=FATAL C=28P01 M=... D=... H=...      (fields present, in that order)
    READY
Exit status 0 after ReadyForQuery, 1 after an ErrorResponse, 2 on anything else.
"""
import hashlib
import socket
import struct
import sys


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("server closed the connection")
        buf += chunk
    return buf


def read_message(sock):
    head = recv_exact(sock, 5)
    kind, length = head[:1], struct.unpack("!I", head[1:])[0]
    return kind, recv_exact(sock, length - 4)


def send(sock, kind, body):
    sock.sendall(kind + struct.pack("!I", len(body) + 4) + body)


def main():
    host, port, user, database = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    password = sys.argv[5] if len(sys.argv) > 5 else None
    sock = socket.create_connection((host, port), timeout=10)
    params = b"user\0" + user.encode() + b"\0database\0" + database.encode() + b"\0\0"
    body = struct.pack("!I", 196608) + params
    sock.sendall(struct.pack("!I", len(body) + 4) + body)
    while True:
        try:
            kind, data = read_message(sock)
        except (EOFError, OSError) as e:
            print("EOF", e)
            return 2
        if kind == b"R":
            code = struct.unpack("!I", data[:4])[0]
            if code == 0:
                print("AUTH ok")
            elif code == 3:
                print("AUTH cleartext")
                if password is None:
                    return 2
                send(sock, b"p", password.encode() + b"\0")
            elif code == 5:
                print("AUTH md5")
                if password is None:
                    return 2
                inner = hashlib.md5(password.encode() + user.encode()).hexdigest()
                outer = hashlib.md5(inner.encode() + data[4:8]).hexdigest()
                send(sock, b"p", b"md5" + outer.encode() + b"\0")
            elif code == 10:
                print("AUTH sasl")
                return 2
            else:
                print("AUTH", code)
                return 2
        elif kind == b"E":
            fields = {}
            for part in data.split(b"\0"):
                if part:
                    fields[chr(part[0])] = part[1:].decode(errors="replace")
            shown = " ".join("%s=%s" % (k, fields[k]) for k in "SCMDH" if k in fields)
            print("ERROR", shown)
            return 1
        elif kind == b"Z":
            print("READY")
            send(sock, b"X", b"")
            return 0


if __name__ == "__main__":
    sys.exit(main())
