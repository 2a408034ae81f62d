#!/usr/bin/env python3
"""qmp.py SOCKET COMMAND [JSON-ARGUMENTS]: one QMP command to a testbed guest's qemu.

Prints the command's JSON return value; on an error prints one line and exits 1.
Used by `fp-testbed link` (set_link) to cut or restore a node's RDMA link from the host.
"""
import json
import socket
import sys


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print("usage: qmp.py SOCKET COMMAND [JSON-ARGUMENTS]", file=sys.stderr)
        return 2
    path, command = sys.argv[1], sys.argv[2]
    arguments = json.loads(sys.argv[3]) if len(sys.argv) == 4 else None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(path)
            stream = sock.makefile("rw")
            json.loads(stream.readline())  # greeting

            def call(name, args=None):
                message = {"execute": name}
                if args is not None:
                    message["arguments"] = args
                stream.write(json.dumps(message) + "\n")
                stream.flush()
                while True:
                    line = stream.readline()
                    if not line:
                        raise OSError("qemu closed the monitor connection")
                    reply = json.loads(line)
                    if "return" in reply:
                        return reply["return"]
                    if "error" in reply:
                        raise RuntimeError(reply["error"].get("desc", "error"))
                    # asynchronous events are skipped

            call("qmp_capabilities")
            print(json.dumps(call(command, arguments)))
    except (OSError, RuntimeError, ValueError) as error:
        print(f"qmp {command} via {path}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
