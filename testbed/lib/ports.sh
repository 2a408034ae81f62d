# shellcheck shell=bash
# ports.sh: free 127.0.0.1 ports, picked at `up` time.

# tb_free_ports tcp|udp COUNT: prints COUNT distinct free ports, one a line.
tb_free_ports() {
  "$TB_PY" - "$1" "$2" <<'PY'
import socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
socks = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
}
