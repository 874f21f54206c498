"""A stand-in server for the client's handshake classification tests only
(tests/handshake.rs): a ROUTER on tcp://127.0.0.1:PORT, plaintext or CURVE
with a ZAP handler that accepts the listed client keys, and (with CURVE) the
key endpoint on PORT+1 answering {"stui":1,"public_key":...,"fingerprint":...}.
It answers describe with a describe-shaped result, anything else with a
ping-shaped one. The real server's behaviour
is proved against the gst server, not here.

usage: curve_server.py PORT plain
       curve_server.py PORT curve SERVER_SECRET_Z85 [CLIENT_PUBLIC_Z85 ...]
Prints "ready" once bound; runs until killed.
"""

import base64
import hashlib
import json
import sys

import zmq
import zmq.utils.z85 as z85


def fingerprint(z85_key):
    digest = hashlib.sha256(z85.decode(z85_key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def main():
    port = int(sys.argv[1])
    ctx = zmq.Context()
    sockets = []
    zap = None
    allowed = set()
    router = ctx.socket(zmq.ROUTER)
    if sys.argv[2] == "curve":
        secret = sys.argv[3].encode()
        public = zmq.curve_public(secret)
        allowed = {z85.decode(k.encode()) for k in sys.argv[4:]}
        zap = ctx.socket(zmq.REP)
        zap.bind("inproc://zeromq.zap.01")
        router.curve_server = True
        router.curve_secretkey = secret
        router.setsockopt(zmq.ZAP_DOMAIN, b"stui")
        router.setsockopt(93, 1)  # ZMQ_ZAP_ENFORCE_DOMAIN
        keys = ctx.socket(zmq.ROUTER)
        keys.setsockopt(zmq.MAXMSGSIZE, 1024)
        keys.bind(f"tcp://127.0.0.1:{port + 1}")
        reply = {"stui": 1, "public_key": public.decode(), "fingerprint": fingerprint(public)}
        sockets.append((keys, json.dumps(reply).encode()))
        sockets.append((zap, None))
    router.bind(f"tcp://127.0.0.1:{port}")
    sockets.append((router, None))
    print("ready", flush=True)
    poller = zmq.Poller()
    for socket, _ in sockets:
        poller.register(socket, zmq.POLLIN)
    while True:
        for socket, _ in poller.poll():
            if socket is zap:
                frames = zap.recv_multipart()
                ok = frames[6] in allowed
                status = [b"200", b"OK"] if ok else [b"400", b"unknown key"]
                zap.send_multipart([b"1.0", frames[1]] + status + [b"user", b""])
                continue
            frames = socket.recv_multipart()
            fixed = dict(sockets).get(socket)
            if fixed is not None:
                socket.send_multipart(frames[:-1] + [fixed])
                continue
            request = json.loads(frames[-1])
            result = {"uptime_ms": 1}
            if request.get("type") == "describe":
                result.update(server="curve_server.py", dialect="none", dialect_version="0",
                              protocol=1, types=["ping", "describe"],
                              max_message_bytes=1024, pid=1, image=None)
            body = {"stui": 1, "id": request.get("id"), "ok": True, "result": result}
            socket.send_multipart(frames[:-1] + [json.dumps(body).encode()])


if __name__ == "__main__":
    main()
