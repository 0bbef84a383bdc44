#!/usr/bin/env python3
"""Generates docs/api-coverage.md: every Engine API endpoint of a spec, whether berthd serves it,
and which integration/client tests exercise it.

    scripts/gen-api-coverage.py [SPEC.yaml] [--check]

SPEC defaults to ../shared/reference/docker-engine-api-v1.41.yaml (the spec is not in the repo).
Served: a route mapped in src/Berth.Api/Routers (UnsupportedRouter's routes answer as a dockerd
without swarm/plugins/BuildKit sessions). Tested: a test source under tests/Berth.IntegrationTests
or tests/clients that names the endpoint's path, or runs a docker CLI command / client call that
uses it (the map below).

It also writes the docker CLI command table into docs/compatibility.md (between the cli-table
markers; see scripts/coverage_cli.py), which needs only the routes and the tests, so it is
generated and checked even when the spec is missing (a clean clone). --check exits 1 when a
committed file differs (CI-free drift check; scripts/test.sh runs it).
"""
import pathlib
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
from coverage_common import ROOT, norm, served_routes, shown, test_name, test_sources  # noqa: E402
import coverage_cli  # noqa: E402

OUT = ROOT / "docs" / "api-coverage.md"

# Client calls that reach an endpoint without naming its path: docker CLI subcommands (as the
# tests pass them: "run", "network", "create" ...), docker-py / Testcontainers / Docker.DotNet calls.
CLIENT_USES = {
    "GET /_ping": ["\"version\"", "\"info\""],
    "GET /version": ["\"version\""],
    "GET /info": ["\"info\""],
    "GET /events": ["\"events\""],
    "GET /system/df": ["\"system\", \"df\"", "\"df\""],
    "POST /auth": ["\"login\""],
    "GET /containers/json": ["\"ps\""],
    "POST /containers/create": ["\"run\"", "\"create\"", "containers.run(", "CreateContainerAsync", "ContainerBuilder("],
    "GET /containers/{}/json": ["\"inspect\"", "InspectContainerAsync", "c.reload()"],
    "GET /containers/{}/top": ["\"top\""],
    "GET /containers/{}/logs": ["\"logs\"", ".logs(", "GetContainerLogsAsync"],
    "GET /containers/{}/changes": ["\"diff\""],
    "GET /containers/{}/export": ["\"export\""],
    "GET /containers/{}/stats": ["\"stats\""],
    "POST /containers/{}/resize": ["PtyStep.Resize"],
    "POST /containers/{}/start": ["\"run\"", "\"start\"", "StartContainerAsync", ".StartAsync("],
    "POST /containers/{}/stop": ["\"stop\"", ".stop("],
    "POST /containers/{}/restart": ["\"restart\"", ".restart("],
    "POST /containers/{}/kill": ["\"kill\"", ".kill("],
    "POST /containers/{}/update": ["\"update\""],
    "POST /containers/{}/rename": ["\"rename\"", ".rename("],
    "POST /containers/{}/pause": ["\"pause\""],
    "POST /containers/{}/unpause": ["\"unpause\""],
    "POST /containers/{}/attach": ["\"attach\"", "\"-it\"", ".attach("],
    "GET /containers/{}/attach/ws": ["attach/ws"],
    "POST /containers/{}/wait": ["\"wait\"", "\"run\"", ".wait(", "WaitContainerAsync"],
    "DELETE /containers/{}": ["\"rm\"", ".remove(", "RemoveContainerAsync"],
    "HEAD /containers/{}/archive": ["\"cp\""],
    "GET /containers/{}/archive": ["\"cp\"", "get_archive", "ReadFileAsync"],
    "PUT /containers/{}/archive": ["\"cp\"", "put_archive", "CopyAsync("],
    "POST /containers/prune": ["\"container\", \"prune\""],
    "GET /images/json": ["\"images\"", "images.list("],
    "POST /build": ["\"build\"", "docker-compose"],
    "POST /build/prune": ["\"builder\", \"prune\""],
    "POST /images/create": ["\"pull\"", "\"import\""],
    "GET /images/{}/json": ["\"image\", \"inspect\"", "images.get("],
    "GET /images/{}/history": ["\"history\""],
    "POST /images/{}/push": ["\"push\""],
    "POST /images/{}/tag": ["\"tag\"", ".tag("],
    "DELETE /images/{}": ["\"rmi\"", "images.remove("],
    "GET /images/search": ["\"search\""],
    "POST /images/prune": ["\"image\", \"prune\""],
    "POST /commit": ["\"commit\"", ".commit("],
    "GET /images/{}/get": ["\"save\"", ".save("],
    "GET /images/get": ["\"save\""],
    "POST /images/load": ["\"load\"", "images.load("],
    "POST /containers/{}/exec": ["\"exec\"", "exec_run", "exec_create", "ExecAsync("],
    "POST /exec/{}/start": ["\"exec\"", "exec_run", "exec_start", "ExecAsync("],
    "POST /exec/{}/resize": ["\"exec\", \"-it\""],
    "GET /exec/{}/json": ["exec_inspect", "ExecAsync("],
    "GET /volumes": ["\"volume\", \"ls\"", "volumes.list("],
    "POST /volumes/create": ["\"volume\", \"create\"", "volumes.create(", "VolumeBuilder("],
    "GET /volumes/{}": ["\"volume\", \"inspect\""],
    "DELETE /volumes/{}": ["\"volume\", \"rm\"", ".remove("],
    "POST /volumes/prune": ["\"volume\", \"prune\""],
    "GET /networks": ["\"network\", \"ls\"", "networks.list("],
    "GET /networks/{}": ["\"network\", \"inspect\"", "networks.get("],
    "DELETE /networks/{}": ["\"network\", \"rm\"", "net.remove("],
    "POST /networks/create": ["\"network\", \"create\"", "networks.create(", "NetworkBuilder("],
    "POST /networks/{}/connect": ["\"network\", \"connect\"", "net.connect("],
    "POST /networks/{}/disconnect": ["\"network\", \"disconnect\"", "net.disconnect("],
    "POST /networks/prune": ["\"network\", \"prune\""],
    "GET /distribution/{}/json": ["distribution"],
}


def spec_endpoints(spec: pathlib.Path):
    """(method, path) pairs in the spec's order, read from its `paths:` block."""
    endpoints, path, in_paths = [], None, False
    for line in spec.read_text(encoding="utf-8").splitlines():
        if line.startswith("paths:"):
            in_paths = True
            continue
        if in_paths and line and not line.startswith(" "):
            break
        m = re.match(r"^  (/\S*):\s*$", line)
        if in_paths and m:
            path = m.group(1)
            continue
        m = re.match(r"^    (get|post|put|delete|head):\s*$", line)
        if in_paths and path and m:
            endpoints.append((m.group(1).upper(), path))
    return endpoints


def path_pattern(path: str):
    """A regex for the literal path in a test: parameters match anything but a slash or quote."""
    parts = [re.escape(p) for p in re.split(r"\{\}", norm(path))]
    return re.compile(r"[^/\"' ]+".join(parts) + r"(?![\w/])")


def api_coverage(spec: pathlib.Path, served, refused, sources) -> str:
    endpoints = spec_endpoints(spec)
    rows, counts = [], {"served": 0, "refused": 0, "missing": 0, "tested": 0}
    for method, path in endpoints:
        key = f"{method} {norm(path)}"
        if (method, norm(path)) in served:
            status = "served"
        elif norm(path) in refused:
            status = "refused"
        else:
            status = "missing"
        counts[status] += 1
        literal = path_pattern(path)
        uses = CLIENT_USES.get(key, [])
        tested = sorted({test_name(f) for f, text in sources.items() if literal.search(text) or any(u in text for u in uses)})
        if status == "served" and tested:
            counts["tested"] += 1
        label = {"served": "yes", "refused": "answered as dockerd without swarm/plugins", "missing": "no (404)"}[status]
        rows.append(f"| `{method} {path}` | {label} | {shown(tested) if status == 'served' else ''} |")
    return "\n".join([
        "# Engine API coverage",
        "",
        "Generated by `scripts/gen-api-coverage.py` from the Engine API v1.41 spec, the routes berthd",
        "maps (`src/Berth.Api/Routers`) and the test sources that exercise each endpoint (by path, by",
        "docker CLI command, or by docker-py / Docker.DotNet / Testcontainers call). Do not edit by hand;",
        "docs/compatibility.md says what each endpoint supports in detail.",
        "",
        f"{len(endpoints)} endpoints: {counts['served']} served ({counts['tested']} of them exercised by tests), "
        f"{counts['refused']} answered as a dockerd without swarm or plugins, {counts['missing']} not served.",
        "",
        "| endpoint | served | exercised by |",
        "|---|---|---|",
        *rows,
        "",
    ])


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if not a.startswith("--")]
    spec = pathlib.Path(args[0]) if args else ROOT.parent / "shared" / "reference" / "docker-engine-api-v1.41.yaml"
    served, refused = served_routes()
    sources = test_sources()
    outputs = {}
    if spec.exists():
        outputs[OUT] = api_coverage(spec, served, refused, sources)
        coverage_cli.check_endpoints(set(spec_endpoints(spec)))
    else:
        # A clean clone has no ../shared/reference: the CLI table needs only the routes and tests.
        print(f"{spec} not found: {OUT.name} left as it is (not checked)", file=sys.stderr)
    compat = coverage_cli.COMPAT.read_text(encoding="utf-8")
    outputs[coverage_cli.COMPAT] = coverage_cli.update(compat, coverage_cli.cli_table(served, sources))
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if check:
        for p in stale:
            print(f"{p.relative_to(ROOT)} is out of date: run scripts/gen-api-coverage.py", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        tmp = p.with_suffix(".tmp")
        tmp.write_text(outputs[p], encoding="utf-8")
        tmp.replace(p)
        print(f"wrote {p.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
