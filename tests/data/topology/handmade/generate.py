#!/usr/bin/python3
"""Writes the hand-made lstopo (hwloc v2) XML fixtures in this folder.

Each one is a minimal but complete hwloc 2 export (Machine, Package, NUMANode, Core, PU, host
bridges, PCI bridges, PCI devices, OS devices) showing one path class or one failure. Run it
from anywhere: `/usr/bin/python3 generate.py`. The v1 fixture is made from pix.hwloc.xml by
hwloc itself: `lstopo-no-graphics --input pix.hwloc.xml --export-xml-flags v1 pix.v1.hwloc.xml`.
"""
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
_gp = [100]


def gp():
    _gp[0] += 1
    return _gp[0]


def cpus(first, count):
    mask = ((1 << count) - 1) << first
    return f"0x{mask:08x}"


def info(name, value):
    return f'<info name="{name}" value="{value}"/>'


def osdev(name, osdev_type, infos=()):
    inner = "".join(info(k, v) for k, v in infos)
    return f'<object type="OSDev" gp_index="{gp()}" name="{name}" osdev_type="{osdev_type}">{inner}</object>'


def pcidev(busid, cls, ids, children=(), infos=(), speed="15.753846"):
    inner = "".join(info(k, v) for k, v in infos) + "".join(children)
    return (f'<object type="PCIDev" gp_index="{gp()}" pci_busid="{busid}" '
            f'pci_type="{cls} [{ids}] [{ids}] 00" pci_link_speed="{speed}">{inner}</object>')


def bridge(busid, secondary, subordinate, children, ids="10b5:9781", depth=1):
    dom = busid.split(":")[0]
    return (f'<object type="Bridge" gp_index="{gp()}" bridge_type="1-1" depth="{depth}" '
            f'bridge_pci="{dom}:[{secondary:02x}-{subordinate:02x}]" pci_busid="{busid}" '
            f'pci_type="0604 [{ids}] [0000:0000] 00" pci_link_speed="15.753846">{"".join(children)}</object>')


def host_bridge(secondary, subordinate, children, domain="0000"):
    return (f'<object type="Bridge" gp_index="{gp()}" bridge_type="0-1" depth="0" '
            f'bridge_pci="{domain}:[{secondary:02x}-{subordinate:02x}]">{"".join(children)}</object>')


def package(index, io):
    cpu = cpus(index, 1)
    node = f"0x{1 << index:08x}"
    sets = f'cpuset="{cpu}" complete_cpuset="{cpu}" nodeset="{node}" complete_nodeset="{node}"'
    return (f'<object type="Package" os_index="{index}" {sets} gp_index="{gp()}">'
            f'<object type="NUMANode" os_index="{index}" {sets} gp_index="{gp()}" local_memory="1073741824"/>'
            f'<object type="Core" os_index="{index}" {sets} gp_index="{gp()}">'
            f'<object type="PU" os_index="{index}" {sets} gp_index="{gp()}"/></object>'
            f'{"".join(io)}</object>')


def multi_numa_package(index, first_numa, dies):
    """A package holding several NUMA nodes (AMD EPYC NPS2/NPS4): one Group per NUMA node, each
    with its memory, one core and its own I/O. dies: one list of I/O objects per NUMA node."""
    count = len(dies)
    whole = (f'cpuset="{cpus(first_numa, count)}" complete_cpuset="{cpus(first_numa, count)}" '
             f'nodeset="{cpus(first_numa, count)}" complete_nodeset="{cpus(first_numa, count)}"')
    groups = []
    for k, io in enumerate(dies):
        numa = first_numa + k
        cpu = cpus(numa, 1)
        sets = f'cpuset="{cpu}" complete_cpuset="{cpu}" nodeset="{cpu}" complete_nodeset="{cpu}"'
        groups.append(f'<object type="Group" {sets} gp_index="{gp()}">'
                      f'<object type="NUMANode" os_index="{numa}" {sets} gp_index="{gp()}" local_memory="1073741824"/>'
                      f'<object type="Core" os_index="{numa}" {sets} gp_index="{gp()}">'
                      f'<object type="PU" os_index="{numa}" {sets} gp_index="{gp()}"/></object>'
                      f'{"".join(io)}</object>')
    return f'<object type="Package" os_index="{index}" {whole} gp_index="{gp()}">{"".join(groups)}</object>'


def machine(hostname, packages, comment, numa_nodes=None):
    n = numa_nodes if numa_nodes is not None else len(packages)
    cpu = cpus(0, n)
    node = f"0x{(1 << n) - 1:08x}"
    sets = (f'cpuset="{cpu}" complete_cpuset="{cpu}" allowed_cpuset="{cpu}" '
            f'nodeset="{node}" complete_nodeset="{node}" allowed_nodeset="{node}"')
    body = "".join(packages)
    text = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE topology SYSTEM "hwloc2.dtd">\n'
            f'<!-- fabricperf hand-made fixture: {comment} -->\n'
            '<topology version="2.0">\n'
            f'<object type="Machine" os_index="0" {sets} gp_index="1">{info("HostName", hostname)}{body}</object>\n'
            '</topology>\n')
    # One element per line keeps diffs readable.
    return text.replace("><", ">\n<")


H100 = ("0302", "10de:2330")
NVSWITCH = ("0680", "10de:22a3")
CX7 = ("0207", "15b3:1021")
NVME = ("0108", "144d:a80a")


def gpu(busid):
    return pcidev(busid, *H100, infos=[("PCIVendor", "NVIDIA Corporation"), ("PCIDevice", "GH100 [H100 SXM5 80GB]")],
                  speed="31.507692")


def nic(busid, index, netdev, state="4"):
    return pcidev(busid, *CX7, children=[
        osdev(netdev, 2),
        osdev(f"mlx5_{index}", 3, [("NodeGUID", f"0000:0000:0000:000{index}"), ("Port1State", state)]),
    ], infos=[("PCIVendor", "Mellanox Technologies"), ("PCIDevice", "MT2910 Family [ConnectX-7]")])


def write(name, text):
    (HERE / name).write_text(text)
    print("wrote", name)


def main():
    # PIX: GPU and NIC under one PCIe switch (root port -> switch upstream -> downstream ports),
    # with an NVSwitch (class 0680, not a GPU) and an NVMe drive under the same switch.
    write("pix.hwloc.xml", machine("pix-box", [package(0, [
        host_bridge(0x00, 0x0f, [
            bridge("0000:00:01.0", 0x01, 0x0f, ids="8086:2030", children=[
                bridge("0000:01:00.0", 0x02, 0x0f, depth=2, children=[
                    bridge("0000:02:00.0", 0x03, 0x03, depth=3, children=[gpu("0000:03:00.0")]),
                    bridge("0000:02:01.0", 0x04, 0x04, depth=3, children=[nic("0000:04:00.0", 0, "ibp4s0")]),
                    bridge("0000:02:02.0", 0x05, 0x05, depth=3, children=[pcidev("0000:05:00.0", *NVSWITCH)]),
                    bridge("0000:02:03.0", 0x06, 0x06, depth=3, children=[pcidev("0000:06:00.0", *NVME)]),
                ]),
            ]),
        ]),
    ])], "PIX: GPU and ConnectX under one PCIe switch; NVSwitch and NVMe beside them"))

    # PXB: the GPU sits behind a second switch nested under the NIC's switch.
    write("pxb.hwloc.xml", machine("pxb-box", [package(0, [
        host_bridge(0x00, 0x0f, [
            bridge("0000:00:01.0", 0x01, 0x0f, ids="8086:2030", children=[
                bridge("0000:01:00.0", 0x02, 0x0f, depth=2, children=[
                    bridge("0000:02:00.0", 0x03, 0x05, depth=3, children=[
                        bridge("0000:03:00.0", 0x04, 0x05, depth=4, children=[
                            bridge("0000:04:00.0", 0x05, 0x05, depth=5, children=[gpu("0000:05:00.0")]),
                        ]),
                    ]),
                    bridge("0000:02:01.0", 0x06, 0x06, depth=3, children=[nic("0000:06:00.0", 0, "ibp6s0")]),
                ]),
            ]),
        ]),
    ])], "PXB: GPU behind a nested switch, NIC on the outer switch"))

    # VM with passthrough hiding the switches: GPU and NIC straight on the root bus -> PHB.
    write("vm-hidden-switches-phb.hwloc.xml", machine("vm-box", [package(0, [
        host_bridge(0x00, 0x00, [
            pcidev("0000:00:01.0", "0000", "8086:7113"),
            gpu("0000:00:04.0"),
            nic("0000:00:05.0", 0, "ens5"),
        ]),
    ])], "VM: passthrough hides the PCIe switches; GPU and NIC on the host bridge (PHB)"))

    # No NIC under the GPU's switch: the NIC hangs off another host bridge of the same socket.
    write("no-nic-on-gpu-switch-node.hwloc.xml", machine("node-box", [package(0, [
        host_bridge(0x10, 0x1f, [
            bridge("0000:10:01.0", 0x11, 0x1f, ids="8086:352a", children=[
                bridge("0000:11:00.0", 0x12, 0x1f, depth=2, children=[
                    bridge("0000:12:00.0", 0x13, 0x13, depth=3, children=[gpu("0000:13:00.0")]),
                    bridge("0000:12:01.0", 0x14, 0x14, depth=3, children=[pcidev("0000:14:00.0", *NVME)]),
                ]),
            ]),
        ]),
        host_bridge(0x20, 0x2f, [
            bridge("0000:20:01.0", 0x21, 0x21, ids="8086:352a", children=[nic("0000:21:00.0", 0, "ibp33s0")]),
        ]),
    ])], "NODE: no NIC under the GPU's switch; the NIC is on another host bridge of the same NUMA node"))

    # NIC on the other socket: GPU under NUMA 0, its only NIC under NUMA 1 -> SYS.
    write("nic-other-socket-sys.hwloc.xml", machine("sys-box", [
        package(0, [host_bridge(0x10, 0x1f, [
            bridge("0000:10:01.0", 0x11, 0x1f, ids="8086:352a", children=[
                bridge("0000:11:00.0", 0x12, 0x1f, depth=2, children=[
                    bridge("0000:12:00.0", 0x13, 0x13, depth=3, children=[gpu("0000:13:00.0")]),
                ]),
            ]),
        ])]),
        package(1, [host_bridge(0x80, 0x8f, [
            bridge("0000:80:01.0", 0x81, 0x8f, ids="8086:352a", children=[
                bridge("0000:81:00.0", 0x82, 0x8f, depth=2, children=[
                    bridge("0000:82:00.0", 0x83, 0x83, depth=3, children=[nic("0000:83:00.0", 0, "ibp131s0")]),
                ]),
            ]),
        ])]),
    ], "SYS: the GPU's only NIC is on the other socket"))

    # Two GPUs forced to share one NIC: both under one switch with a single dual-port card
    # (mlx5_0 and mlx5_1 are two functions of one card: one NIC), second port down.
    write("two-gpus-share-one-nic.hwloc.xml", machine("share-box", [package(0, [
        host_bridge(0x00, 0x0f, [
            bridge("0000:00:01.0", 0x01, 0x0f, ids="8086:2030", children=[
                bridge("0000:01:00.0", 0x02, 0x0f, depth=2, children=[
                    bridge("0000:02:00.0", 0x03, 0x03, depth=3, children=[gpu("0000:03:00.0")]),
                    bridge("0000:02:01.0", 0x04, 0x04, depth=3, children=[gpu("0000:04:00.0")]),
                    bridge("0000:02:02.0", 0x05, 0x05, depth=3, children=[
                        nic("0000:05:00.0", 0, "ibp5s0f0"), nic("0000:05:00.1", 1, "ibp5s0f1", state="1"),
                    ]),
                ]),
            ]),
        ]),
    ])], "two GPUs under one switch with one dual-port card: they must share it"))

    # AMD EPYC in NPS2: two packages of two NUMA nodes each. The GPU's only NIC is in the same
    # package but on its other NUMA node: nvidia-smi says SYS (not NODE).
    write("epyc-nps2-sys.hwloc.xml", machine("nps2-sys-box", [
        multi_numa_package(0, 0, [
            [host_bridge(0x10, 0x1f, [
                bridge("0000:10:01.1", 0x11, 0x11, ids="1022:1483", children=[gpu("0000:11:00.0")]),
            ])],
            [host_bridge(0x40, 0x4f, [
                bridge("0000:40:01.1", 0x41, 0x41, ids="1022:1483", children=[nic("0000:41:00.0", 0, "ibp65s0")]),
            ])],
        ]),
        multi_numa_package(1, 2, [[], []]),
    ], "SYS: the GPU's only NIC is on the other NUMA node of the same package (EPYC NPS2)", numa_nodes=4))

    # The same machine with a second NIC on the GPU's own NUMA node, on another host bridge:
    # nvidia-smi says NODE for it and SYS for the NIC on the package's other NUMA node.
    write("epyc-nps2-node.hwloc.xml", machine("nps2-node-box", [
        multi_numa_package(0, 0, [
            [host_bridge(0x10, 0x1f, [
                bridge("0000:10:01.1", 0x11, 0x11, ids="1022:1483", children=[gpu("0000:11:00.0")]),
            ]), host_bridge(0x20, 0x2f, [
                bridge("0000:20:01.1", 0x21, 0x21, ids="1022:1483", children=[nic("0000:21:00.0", 0, "ibp33s0")]),
            ])],
            [host_bridge(0x40, 0x4f, [
                bridge("0000:40:01.1", 0x41, 0x41, ids="1022:1483", children=[nic("0000:41:00.0", 1, "ibp65s0")]),
            ])],
        ]),
        multi_numa_package(1, 2, [[], []]),
    ], "NODE: a NIC on the GPU's NUMA node behind another host bridge; SYS: one on the package's other NUMA node",
        numa_nodes=4))


if __name__ == "__main__":
    main()
