#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/), each input in
the layout its fuzz_<target>.cpp describes: documents copied from resources/samples and
tests/data, handshakes, frames and log blocks built here. Deterministic (fixed masking
keys), so running it again changes nothing. Inputs libFuzzer found are not written
here: a run's new inputs stay in build/fuzz/new/<target>/ (scripts/fuzz)."""
import base64
import hashlib
import hmac
import json
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def copy(target, source, name=None):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(os.path.join(ROOT, source), os.path.join(folder, name or os.path.basename(source)))


# ---- handshake_request: split byte, then the request --------------------------------
UPGRADE = (b"GET /chats/1.0.0/rooms/room1?x=1&y=%20z HTTP/1.1\r\n"
           b"Host: 127.0.0.1:9099\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")
write("handshake_request", "upgrade", b"\x80" + UPGRADE + b"\r\n")
write("handshake_request", "bearer-subprotocols", b"\x40" + UPGRADE
      + b"Authorization: Bearer gh_at_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo\r\n"
      + b"Sec-WebSocket-Protocol: chat, v2.chat\r\nSec-WebSocket-Protocol: v3\r\n\r\n")
write("handshake_request", "apikey-query", b"\xff"
      + b"GET /echo/1.0.0/echo?apikey=gh_ak_MDEy&access_token=abc&apikey=dup HTTP/1.1\r\n"
      + b"Host: x\r\napikey: gh_ak_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3A\r\n"
      + b"X-Api-Key: k\r\n\r\nleftover frame bytes")
write("handshake_request", "duplicate-host", b"\x10" + UPGRADE + b"Host: other\r\n\r\n")
write("handshake_request", "folded", b"\x00" + UPGRADE + b"X-A: a\r\n  folded\r\n\r\n")
write("handshake_request", "partial", b"\x20GET /chats/1.0.0/rooms/r HTTP/1.1\r\nHost: h\r\n")
write("handshake_request", "garbage", b"\x90\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")

# ---- relay_leg: options, then commands (see fuzz_relay_leg.cpp) ---------------------
KEY = b"\x37\xfa\x21\x3d"


def frame(opcode, payload, fin=True, mask=None):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    m = 0x80 if mask else 0
    if n < 126:
        head += bytes([m | n])
    elif n < 65536:
        head += bytes([m | 126]) + struct.pack(">H", n)
    else:
        head += bytes([m | 127]) + struct.pack(">Q", n)
    if mask:
        head += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


def command(target, data):
    """Commands sending `data` to leg `target` (0 client, 1 backend) in chunks of at
    most 64 bytes."""
    out = b""
    while data:
        chunk, data = data[:64], data[64:]
        out += bytes([((len(chunk) - 1) << 2) | target]) + chunk
    return out


def byte_by_byte(target, data):
    return b"".join(bytes([target]) + data[i:i + 1] for i in range(len(data)))


c = lambda op, p, fin=True: frame(op, p, fin, KEY)  # client frames are masked
b = lambda op, p, fin=True: frame(op, p, fin)
write("relay_leg", "text-both-ways", b"\x00" + command(0, c(1, b'{"type":"join","room":"r1"}'))
      + command(1, b(1, b"You joined r1!")))
write("relay_leg", "binary-ping-close", b"\x04" + command(0, c(2, bytes(range(40))) + c(9, b"p"))
      + command(1, b(10, b"") + b(2, b"\x00\xff" * 20)) + command(0, c(8, b"\x03\xe8bye"))
      + command(1, b(8, b"\x03\xe8")))
write("relay_leg", "fragments", b"\x01" + command(0, c(1, "héllo ".encode(), False) + c(9, b"")
      + c(0, b"wor", False) + c(0, "ld ✓".encode())) + command(1, b(2, b"ab", False)
      + b(0, b"cd")))
write("relay_leg", "byte-by-byte", b"\x02" + byte_by_byte(0, c(1, b"one message, read a byte at a time"))
      + byte_by_byte(1, b(1, b"and back")))
write("relay_leg", "long-frames", b"\x03" + command(0, c(2, b"x" * 300)) + bytes([0xfc, 7])
      + (c(1, b"y" * 120))[:128] + command(1, b(2, b"z" * 70000)[:200]))
write("relay_leg", "pause-resume", b"\x00\x02" + command(0, c(1, b"held") + c(1, b"back")) + b"\x02\x03"
      + command(1, b(1, b"later")) + b"\x03")
write("relay_leg", "protocol-errors", b"\x04" + command(0, b(1, b"unmasked from a client"))
      + command(1, c(1, b"masked from a server")))
write("relay_leg", "bad-utf8-close", b"\x00" + command(0, c(1, b"\xc3\x28")) + command(1, b(8, b"\x03")))

# ---- backend_answer: options, then chunks (length byte, 0: the rest) -----------------
ANSWER = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Accept: @ACCEPT@\r\n")
write("backend_answer", "upgrade", b"\x02\x00" + ANSWER + b"\r\n")
write("backend_answer", "subprotocol-leftover", b"\x02\x00" + ANSWER
      + b"Sec-WebSocket-Protocol: v2.chat\r\n\r\n" + b(1, b"hello"))
chunked = ANSWER + b"\r\n"
write("backend_answer", "chunked", b"\x02" + b"".join(bytes([5]) + chunked[i:i + 5]
                                                       for i in range(0, len(chunked), 5)))
write("backend_answer", "refused", b"\x01\x00HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\n\r\nno")
write("backend_answer", "not-http", b"\x00\x00SSH-2.0-OpenSSH_9.2\r\n")
write("backend_answer", "extension", b"\x03\x00" + ANSWER
      + b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
write("backend_answer", "bare-lf", b"\x02\x00" + ANSWER.replace(b"\r\n", b"\n") + b"\r\n\r\n")

# ---- asyncapi_document: documents (doc.yaml beside common.yaml, loop.yaml, back.yaml)
for sample in ("chats", "echo", "iot-telemetry", "market-data"):
    copy("asyncapi_document", f"resources/samples/{sample}.asyncapi.yaml")
for example in ("2.6/rpc-server.yml", "3.1/simple.yml", "3.1/streetlights-mqtt.yml"):
    copy("asyncapi_document", f"tests/data/asyncapi-examples/{example}",
         example.replace("/", "-"))
copy("asyncapi_document", "tests/data/asyncapi/extensions-3.0.yaml")
write("asyncapi_document", "refs.yaml", """asyncapi: 2.6.0
info: {title: Refs, version: 1.0.0}
channels:
  /ping:
    subscribe:
      message: {$ref: 'common.yaml#/Message'}
  /loop:
    publish:
      message:
        payload: {$ref: 'loop.yaml#/A'}
  /back:
    publish:
      message:
        payload: {$ref: 'back.yaml#/Back'}
components:
  schemas:
    Any: {$ref: '#/components/schemas/Self'}
    Self: {$ref: '#/components/schemas/Any'}
""")
write("asyncapi_document", "anchors.yaml", """asyncapi: 3.0.0
info: {title: Anchors, version: 1.0.0}
x-a: &a [x, x, x, x]
x-b: &b [*a, *a, *a, *a]
x-c: &c [*b, *b, *b, *b]
channels:
  c: {address: /c, messages: {m: {payload: {type: string, examples: *c}}}}
""")
write("asyncapi_document", "doc.json", json.dumps({
    "asyncapi": "3.0.0", "info": {"title": "J", "version": "1"},
    "channels": {"c": {"address": "/c/{id}", "parameters": {"id": {"enum": ["a"]}},
                       "messages": {"m": {"$ref": "#/components/messages/M"}}}},
    "operations": {"o": {"action": "send", "channel": {"$ref": "#/channels/c"}}},
    "components": {"messages": {"M": {"payload": {"type": "object", "properties": {
        "n": {"type": "integer", "maximum": 1e308}}}}}}}))

# ---- gateway_settings: documents with x-gatehouse ----------------------------------
for sample in ("chats", "echo", "iot-telemetry", "market-data"):
    copy("gateway_settings", f"resources/samples/{sample}.asyncapi.yaml")
copy("gateway_settings", "tests/data/asyncapi/extensions-2.6.yaml")
write("gateway_settings", "policies.yaml", """asyncapi: 3.0.0
info: {title: Policies, version: 2.0.0}
channels:
  room:
    address: /rooms/{id}
    parameters: {id: {}}
    x-uri-mapping: /rooms?room={uri.var.id}
    x-gatehouse:
      policies:
        - type: sizeLimit
          clientToBackend: 64KiB
        - type: rateLimit
          enabled: false
    messages:
      m: {payload: {type: object, required: [type]}}
operations:
  send: {action: send, channel: {$ref: '#/channels/room'}}
x-gatehouse:
  endpoint: ws://127.0.0.1:8080/base
  context: /policies
  defaultVersion: true
  listen: 127.0.0.1:9199
  plans:
    - {name: Small, events: 10, unit: second, maxConnections: 2}
  policies:
    - type: authenticate
      apiKeyHeader: X-API-Key
      accessTokenQuery: false
    - type: connectionThrottle
      maxConnections: 500
      maxPerApplication: 20
      maxPerPlan: {Small: 50}
      status: 503
      retryAfter: 30
    - type: rateLimit
      mode: hard
      anonymousEvents: 60
      anonymousUnit: minute
    - type: validatePayload
      mode: drop
    - type: transform
      clientToBackend:
        - set: /meta/via
          value: gatehouse
        - rename: /user
          to: /author/name
        - remove: /debug
      backendToClient:
        - envelope: data
          with: {version: 1}
        - replace: 'room(\\d+)'
          with: 'lobby-\\1'
    - type: log
      payloads: true
      maxPayloadSize: 2KiB
      mask: [password, token, /card/cvv]
      maskCardNumbers: true
      maskPatterns: ['Bearer [A-Za-z0-9._-]+']
    - type: faultInjection
      latency: 200ms
      jitter: 100ms
      dropRate: 0.05
      disconnectAfter: 2m
      seed: 42
  mock:
    kind: examples
    intervals: {room: 250}
    scenarios:
      room:
        - send: hi
        - expect: {type: join}
""")

# ---- credentials: mode, then the secret / the parts to sign -------------------------
SIGNING_KEY = b"gatehouse-fuzz-signing-key-32-by"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def jwt(header, payload, key=SIGNING_KEY):
    signing_input = b64(json.dumps(header, separators=(",", ":")).encode()) + b"." \
        + b64(json.dumps(payload, separators=(",", ":")).encode())
    return signing_input + b"." + b64(hmac.new(key, signing_input, hashlib.sha256).digest())


NOW = 1750000000
CLAIMS = {"aud": "Chats:1.0.0", "exp": NOW + 3600, "iat": NOW - 60, "iss": "gatehouse",
          "jti": "jt_fuzz", "scope": "chat:read chat:write", "sub": "fuzz"}
write("credentials", "access-token", b"\x00gh_at_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo")
write("credentials", "api-key", b"\x00 gh_ak_MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1ub3A ")
write("credentials", "jwt-unknown-id", b"\x00" + jwt({"alg": "HS256", "typ": "JWT"},
                                                      dict(CLAIMS, jti="jt_other")))
write("credentials", "jwt-alg-none", b"\x00" + jwt({"alg": "none"}, CLAIMS)[:-10])
write("credentials", "jwt-wrong-key", b"\x00" + jwt({"alg": "HS256"}, CLAIMS, b"other"))
write("credentials", "signed-parts", b"\x01" + b".".join(jwt({"alg": "HS256"}, dict(
    CLAIMS, aud=["x", "Chats:1.0.0"], nbf=NOW + 10)).split(b".")[:2]))
write("credentials", "signed-json", b"\x02" + json.dumps({"alg": "HS256", "typ": "JWT"}).encode()
      + b"\n" + json.dumps(dict(CLAIMS, exp=1e300, scope=7)).encode())

# ---- message_block: the row's count, then the block's data ---------------------------
def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([(n & 0x7f) | 0x80])
        n >>= 7
    return out + bytes([n])


def zigzag(n):
    return (n << 1) ^ (n >> 63)


def message(since, bits, size, latency, reason=None, payload=None):
    if reason is not None:
        bits |= 0x20
    if payload is not None:
        bits |= 0x40
    out = varint(since) + bytes([bits]) + varint(size) + varint(latency)
    if reason is not None:
        out += varint(len(reason)) + reason
    if payload is not None:
        out += varint(len(payload)) + payload
    return out


def text(s):
    return varint(0) if s is None else varint(len(s) + 2) + s


FIRST = 1750000000000
plain = b"".join(message(i, (i % 3) | ((i % 2) << 4), 10 + i, 300) for i in range(5))
write("message_block", "single", b"\x06\x01" + plain + message(7, 0x01, 99, 0, b"too big", b"ab{}"))
run1 = varint(7) + varint(zigzag(FIRST)) + varint(2) + text(b"chats/1.0.0") + text(b"/rooms/r1") \
    + text(b"app") + text(b"tls") + message(0, 0, 1, 2) + message(5, 0x10, 3, 4, None, b"abc")
run2 = varint(9) + varint(zigzag(-3)) + varint(1) + varint(1) + varint(1) + text(None) + text(b"") \
    + message(1, 0x82, 5000, 0, b"throttled", b"\x00\x01")
write("message_block", "mixed-compact", b"\x03\x03" + run1 + run2)
legacy = varint(7) + varint(zigzag(FIRST)) + varint(1) + varint(12) + b"chats/1.0.0" + varint(0) \
    + varint(1) + varint(4) + b"tls" + message(2, 0x04, 8, 1)
write("message_block", "mixed-legacy", b"\x01\x02" + legacy)
write("message_block", "damaged", b"\xff\x03" + run1[:-3])
write("message_block", "unknown-format", b"\x00\x09abc")

# ---- mock_scenario: mock settings, NUL, a received text frame ------------------------
write("mock_scenario", "scenarios", """kind: echo
seed: 7
scenarios:
  /notifications:
    repeat: false
    steps:
      - send: Welcome!
      - expect: {type: hello, name: '*'}
      - send: {type: ack}
      - expect: '/^bye/'
      - wait: 500
      - close: 4000
        reason: done
  room:
    - send: AAEC
      binary: true
    - expect: [1, {a: '/x+y/'}, null]
      timeout: 1000
""" + "\0" + '{"type":"hello","name":"ann"}')
write("mock_scenario", "list", """scenarios:
  /items:
    - expect: {items: [1, 2.5, true, '*']}
    - expect: '/^[a-z]+$/'
    - close: 1000
steps: [{expect: {a: '/x+y/'}}]
repeat: true
\0{"items":[1,2.50,true,{"deep":[[]]}]}""")
write("mock_scenario", "chat", """{"kind": "chat", "roomPath": "/rooms?room={room}",
 "joinedText": "You joined {room}!", "intervals": {"/ticker": 0}, "generate": ["/ticker"]}
\0bye now""")
# the frame as a client's binary message: CBOR and MessagePack for
# {"type": "joined", "n": [1, 2.5, true, null], "b": <bytes 00 ff>} (MessagePack: no "b")
JOINED = b"scenarios: {room: [{expect: {type: joined, n: [1, '*', true, null]}}]}\n\0"
write("mock_scenario", "cbor-frame", JOINED + bytes.fromhex(
    "a3" "6474797065" "666a6f696e6564" "616e" "84" "01" "f94100" "f5" "f6" "6162" "4200ff"))
write("mock_scenario", "msgpack-frame", JOINED + bytes.fromhex(
    "82" "a474797065" "a66a6f696e6564" "a16e" "94" "01" "cb4004000000000000" "c3" "c0"))
