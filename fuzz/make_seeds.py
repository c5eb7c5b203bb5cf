#!/usr/bin/env python3
"""Writes the committed seed corpus of each fuzz target into fuzz/corpus/<target>/.

Each seed is a well-formed input (or a near miss) for the parser a target exercises, so that a
fixed number of runs from these seeds reaches the parsers' deeper states instead of spending
them rediscovering the framing. Run it again after changing a seed below; the files are small
and reviewed like code.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, wire_type, payload):
    return varint(number << 3 | wire_type) + payload


def int_field(number, value):
    return field(number, 0, varint(value))


def bytes_field(number, data):
    return field(number, 2, varint(len(data)) + data)


# TurmsRequest (field numbers as in Turms' turms_request.proto).
def turms_request(request_id, kind_number, kind_body):
    return int_field(1, request_id) + bytes_field(kind_number, kind_body)


LOGIN = turms_request(1, 3, int_field(1, 1) + int_field(2, 1) + bytes_field(3, b"123"))
MESSAGE = turms_request(2, 8, int_field(4, 2) + bytes_field(6, "hello, 世界".encode()))
PROFILES = turms_request(3, 100, bytes_field(1, varint(1) + varint(2)))


def varint_framed(payload):
    return varint(len(payload)) + payload


def ws_frame(payload, opcode=0x2, mask=b"\x01\x02\x03\x04", fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    length = len(payload)
    if length < 126:
        head += bytes([0x80 | length])
    elif length < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", length)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", length)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + masked


def rpc_frame(body):
    return struct.pack(">I", len(body)) + body


SEEDS = {
    "varint_frame_fuzz": {
        "heartbeat": b"\x00",
        "login": varint_framed(LOGIN),
        "two_frames": varint_framed(LOGIN) + varint_framed(MESSAGE),
        "long_varint": b"\x80\x80\x80\x80\x80\x01",
    },
    "request_decode_fuzz": {
        "login": varint_framed(LOGIN),
        "message": varint_framed(MESSAGE),
        "profiles": varint_framed(PROFILES),
    },
    "resp_fuzz": {
        "simple": b"+OK\r\n",
        "error": b"-NOSCRIPT No matching script\r\n",
        "integer": b":42\r\n",
        "bulk": b"$5\r\nhello\r\n",
        "null": b"$-1\r\n",
        "array": b"*3\r\n:1\r\n*2\r\n$2\r\nip\r\n$13\r\n1700000000000\r\n*0\r\n",
        "cluster_slots": b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$9\r\n127.0.0.1\r\n:7000\r\n",
    },
    "rpc_frame_fuzz": {
        "ping": rpc_frame(int_field(1, 7) + bytes_field(9, b"")),
        "push": rpc_frame(
            int_field(1, 8) + bytes_field(2, bytes_field(1, varint(1) + varint(2)) + bytes_field(2, b"\x08\x01"))
        ),
        "two": rpc_frame(int_field(1, 1) + bytes_field(9, b"")) * 2,
    },
    "ws_frame_fuzz": {
        "binary": ws_frame(LOGIN),
        "heartbeat": ws_frame(b""),
        "ping": ws_frame(b"hi", opcode=0x9),
        "close": ws_frame(struct.pack(">H", 1000), opcode=0x8),
        "fragments": ws_frame(LOGIN[:5], fin=False) + ws_frame(LOGIN[5:], opcode=0x0),
        "medium": ws_frame(b"x" * 300),
    },
    "ws_handshake_fuzz": {
        "upgrade": (
            b"GET / HTTP/1.1\r\nHost: localhost:10510\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        ),
        "plain_get": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "old_version": (
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n"
        ),
    },
}


def main():
    for target, seeds in SEEDS.items():
        directory = os.path.join(HERE, "corpus", target)
        os.makedirs(directory, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(directory, name), "wb") as out:
                out.write(data)


if __name__ == "__main__":
    main()
