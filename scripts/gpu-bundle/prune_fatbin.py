#!/usr/bin/env python3
"""Keeps only the GPU code of chosen architectures in a shared library's CUDA fat binaries.

usage: prune_fatbin.py IN OUT ARCH[,ARCH...]      (ARCH as in sm_90: 90)

NCCL ships GPU code for every architecture it supports (libnccl.so.2 of NCCL 2.28: 218 MB, 60 MB
of cubins in .nv_fatbin and 126 MB of relocatable device code and PTX in __nv_relfatbin, both in
the fat binary format). The GPU bundle must fit in 64 MiB, so the payloads of the entries for
other architectures are overwritten with zeros (they then compress to nothing); the layout, every
header and every size stay as they were, so the library loads exactly as before and the driver
still finds the entry for its GPU. A fat binary that holds none of the chosen architectures is
left untouched. Run on a GPU of another architecture, such a library fails with
"no kernel image is available": DIR/run checks the GPU's compute capability first.

Prints one line: what was kept and zeroed. Exit 2 on bad input (not ELF, no fat binary).
"""
import struct
import sys

FATBIN_MAGIC = 0xBA55ED50


def sections(data, wanted):
    """(offset, size) of each section named in `wanted` that the file has."""
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not a 64-bit ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    strtab_off, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    found = []
    for i in range(shnum):
        h = shoff + i * shentsize
        name_off, = struct.unpack_from("<I", data, h)
        end = data.index(b"\0", strtab_off + name_off)
        if data[strtab_off + name_off:end].decode() in wanted:
            found.append(struct.unpack_from("<QQ", data, h + 0x18))
    if not found:
        raise ValueError("no fat binary section (%s)" % ", ".join(wanted))
    return found


def prune(data, keep):
    kept = zeroed = 0
    for off, size in sections(data, (".nv_fatbin", "__nv_relfatbin")):
        k, z = prune_section(data, off, off + size, keep)
        kept, zeroed = kept + k, zeroed + z
    return kept, zeroed


def prune_section(data, p, end, keep):
    kept = zeroed = 0
    while p + 16 <= end:
        magic, _version, header_size, fat_size = struct.unpack_from("<IHHQ", data, p)
        if magic != FATBIN_MAGIC:
            p += 8  # fat binaries are 8-byte aligned inside the section
            continue
        entries, q, last = [], p + header_size, p + header_size + fat_size
        while q < last:
            _kind, _, entry_header, payload = struct.unpack_from("<HHIQ", data, q)
            arch, = struct.unpack_from("<I", data, q + 28)
            entries.append((q + entry_header, payload, arch))
            q += entry_header + payload
        if any(arch in keep for _, _, arch in entries):
            for start, payload, arch in entries:
                if arch in keep:
                    kept += payload
                else:
                    data[start:start + payload] = bytes(payload)
                    zeroed += payload
        p = last
    return kept, zeroed


def main(argv):
    if len(argv) != 4:
        print("usage: prune_fatbin.py IN OUT ARCH[,ARCH...]", file=sys.stderr)
        return 2
    try:
        keep = {int(a) for a in argv[3].split(",")}
        with open(argv[1], "rb") as f:
            data = bytearray(f.read())
        kept, zeroed = prune(data, keep)
    except (OSError, ValueError) as e:
        print("prune_fatbin.py: %s: %s" % (argv[1], e), file=sys.stderr)
        return 2
    if kept == 0:
        print("prune_fatbin.py: %s has no GPU code for sm_%s" % (argv[1], argv[3]), file=sys.stderr)
        return 2
    with open(argv[2], "wb") as f:
        f.write(data)
    print("%s: kept %d KiB of GPU code for sm_%s, zeroed %d KiB" % (argv[1], kept // 1024, argv[3], zeroed // 1024))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
