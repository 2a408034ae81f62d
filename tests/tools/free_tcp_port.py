#!/usr/bin/env python3
"""Prints a TCP port that is free right now on every interface, chosen at random in 10000..32000:
below Linux's ephemeral range (32768..60999), so outgoing connections of other tests running in
parallel cannot take it between this check and the tool's bind."""
import random
import socket
import sys

for _ in range(200):
    port = random.randint(10000, 32000)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            continue
    print(port)
    sys.exit(0)
print("free_tcp_port.py: no free port found in 10000..32000", file=sys.stderr)
sys.exit(1)
