#!/usr/bin/env python3
# A docker-archive of a ~200 MiB image with 6 layers of random (incompressible) files:
# <layer>/layer.tar + manifest.json + config, the format every dockerd loads.
#   make-archive.py OUT TAG
import hashlib, io, json, os, sys, tarfile
out, tag = sys.argv[1], sys.argv[2]
layers, diff_ids = [], []
for n in range(6):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for f in range(8):   # 8 × ~4.2 MiB per layer, 6 layers: ~200 MiB
            data = os.urandom(4_370_000)
            info = tarfile.TarInfo(f"layer{n}/file{f}.bin"); info.size = len(data); info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
    layer = buf.getvalue()
    layers.append(layer); diff_ids.append("sha256:" + hashlib.sha256(layer).hexdigest())
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
    "rootfs": {"type": "layers", "diff_ids": diff_ids},
    "history": [{"created_by": f"layer {n}"} for n in range(6)]}).encode()
cid = hashlib.sha256(config).hexdigest()
manifest = json.dumps([{"Config": cid + ".json", "RepoTags": [tag],
    "Layers": [f"{d[7:]}/layer.tar" for d in diff_ids]}]).encode()
with tarfile.open(out, "w") as t:
    def add(name, data):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
    for d, layer in zip(diff_ids, layers):
        add(f"{d[7:]}/layer.tar", layer); add(f"{d[7:]}/VERSION", b"1.0")
    add(cid + ".json", config); add("manifest.json", manifest)
