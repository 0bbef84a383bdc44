"""Shared parts of scripts/gen-api-coverage.py and scripts/coverage_cli.py: the routes berthd maps
and the test sources."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def norm(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def served_routes():
    """Mapped (method, path) pairs; a catch-all route ("/images/{**name}") serves the name alone and
    the name plus each suffix its router peels off with TrimSuffix(path, "/suffix")."""
    served, refused = set(), set()
    for f in sorted((ROOT / "src" / "Berth.Api" / "Routers").glob("*.cs")):
        text = f.read_text(encoding="utf-8")
        if f.name == "UnsupportedRouter.cs":
            refused.update(norm(p) for p in re.findall(r'"(/[^"]*)"', text))
            continue
        suffixes = [""] + re.findall(r'(?:TrimSuffix\(\w+, |EndsWith\()"(/[^"]+)"', text)
        for method, path in re.findall(r'Map(Get|Post|Put|Delete|Head)\(\s*"(/[^"]*)"', text):
            if "{**" in path:
                served.update((method.upper(), norm(path) + suffix) for suffix in suffixes)
            else:
                served.add((method.upper(), norm(path)))
        for path, methods in re.findall(r'MapMethods\(\s*"(/[^"]*)"\s*,\s*([^)]*\))', text):
            for method in re.findall(r'"([A-Z]+)"', methods) or (["HEAD"] if "Head" in methods else []):
                served.add((method, norm(path)))
            if "HttpMethods.Head" in methods:
                served.add(("HEAD", norm(path)))
    return served, refused


def test_sources():
    files = list((ROOT / "tests" / "Berth.IntegrationTests").rglob("*.cs")) + list((ROOT / "tests" / "clients").rglob("*.py"))
    return {f: f.read_text(encoding="utf-8") for f in sorted(files) if "/bin/" not in str(f) and "/obj/" not in str(f) and "/Harness/" not in str(f)}


def test_name(f: pathlib.Path) -> str:
    """Containers/ExecTests for tests/Berth.IntegrationTests/Containers/ExecTests.cs, clients/dockerpy/x for a client suite file."""
    return f.relative_to(ROOT / "tests").with_suffix("").as_posix().removeprefix("Berth.IntegrationTests/")


def shown(tests, limit=4) -> str:
    return ", ".join(f"`{t}`" for t in tests[:limit]) + (f" +{len(tests) - limit}" if len(tests) > limit else "")
