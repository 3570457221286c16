"""Send one text message over a WebSocket (wss) and print the reply; stdlib only."""
import base64
import os
import socket
import ssl
import struct
import sys

host, path, cafile, text = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=cafile)
sock = ctx.wrap_socket(socket.create_connection((host, 443), timeout=10), server_hostname=host)
key = base64.b64encode(os.urandom(16)).decode()
sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (path, host, key)).encode())
head = b""
while b"\r\n\r\n" not in head:
    head += sock.recv(1)
status = head.split(b"\r\n")[0].decode()
if " 101 " not in status:
    sys.exit("handshake refused: " + status)
payload = text.encode()
mask = os.urandom(4)
masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
sock.sendall(struct.pack("!BB", 0x81, 0x80 | len(payload)) + mask + masked)
first, length = struct.unpack("!BB", sock.recv(2))
if length == 126:
    length = struct.unpack("!H", sock.recv(2))[0]
data = b""
while len(data) < length:
    data += sock.recv(length - len(data))
print(data.decode())
