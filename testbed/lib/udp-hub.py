#!/usr/bin/python3
"""udp-hub.py: Ethernet switch for N>2 guests on qemu's UDP socket netdev.

Each guest uses `-netdev socket,localaddr=127.0.0.1:P_i,udp=127.0.0.1:HUB`.
A datagram is one Ethernet frame. Frames to a learned MAC go to that port
only; broadcast, multicast and unknown destinations go to every other port.
Only 127.0.0.1 is ever sent to, and only the node ports given on the command
line.  Usage: udp-hub.py HUB_PORT NODE_PORT...
"""
import socket
import sys

hub_port = int(sys.argv[1])
ports = [int(p) for p in sys.argv[2:]]
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
sock.bind(("127.0.0.1", hub_port))
where = {}  # MAC -> port

while True:
    frame, (host, src) = sock.recvfrom(65536)
    if host != "127.0.0.1" or src not in ports or len(frame) < 14:
        continue
    where[frame[6:12]] = src
    dst = where.get(frame[0:6])
    targets = [dst] if dst is not None and not frame[0] & 1 else ports
    for p in targets:
        if p != src:
            try:
                sock.sendto(frame, ("127.0.0.1", p))
            except OSError:
                pass  # guest not up yet / gone: drop, like a switch would
