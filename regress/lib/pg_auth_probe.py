#!/usr/bin/env python3
"""Raw v3-protocol login, to see what psql hides: the ErrorResponse's severity and SQLSTATE.

    pg_auth_probe.py [--gssenc] [--ssl] HOST PORT USER DATABASE [PASSWORD]

--gssenc and --ssl send a GSSENCRequest / SSLRequest first, in the order given, and print the
one-byte answer ("GSSENC N", "SSL S"); after 'S' the session goes on in TLS (not verified). Then
sends a StartupMessage, answers a cleartext or md5 request with PASSWORD (SASL is
not spoken: it prints "AUTH sasl" and stops), and prints one line per event:
    AUTH md5 | AUTH cleartext | AUTH sasl | AUTH ok
    ERROR S=FATAL C=28P01 M=... D=... H=...      (fields present, in that order)
    READY
Exit status 0 after ReadyForQuery, 1 after an ErrorResponse, 2 on anything else.
"""
import hashlib
import socket
import ssl
import struct
import sys

GSSENC_REQUEST = 80877104
SSL_REQUEST = 80877103


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
    args = sys.argv[1:]
    requests = []
    while args and args[0] in ("--gssenc", "--ssl"):
        requests.append(args.pop(0))
    host, port, user, database = args[0], int(args[1]), args[2], args[3]
    password = args[4] if len(args) > 4 else None
    sock = socket.create_connection((host, port), timeout=10)
    for request in requests:
        code = GSSENC_REQUEST if request == "--gssenc" else SSL_REQUEST
        sock.sendall(struct.pack("!II", 8, code))
        answer = recv_exact(sock, 1).decode(errors="replace")
        print("GSSENC" if request == "--gssenc" else "SSL", answer)
        if answer == "S" and request == "--ssl":
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            sock = context.wrap_socket(sock)
            print("TLS", sock.version())
        elif answer != "N":
            return 2
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
