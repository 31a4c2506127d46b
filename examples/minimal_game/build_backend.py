"""A PEP 517 build backend of forty lines, so this example installs with nothing but pip, offline.

A real game package would name setuptools or hatchling in ``[build-system]``; this one carries its
own backend because a fresh rehab virtual environment has no ``wheel`` package, which the setuptools
it ships needs to build wheels, and the example's test must install it without a network. It packs
the ``[tool.minimal-backend] packages`` directories and the ``[project]`` table's name, version and
entry points into a wheel; nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import tomllib

HERE = Path(__file__).parent


def get_requires_for_build_wheel(config_settings: object = None) -> list[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: object = None, metadata_directory: object = None) -> str:
    project = tomllib.loads((HERE / "pyproject.toml").read_text())
    meta, packages = project["project"], project["tool"]["minimal-backend"]["packages"]
    name, version = meta["name"].replace("-", "_"), meta["version"]
    dist_info = f"{name}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for package in packages:
        for path in sorted((HERE / package).rglob("*.py")):
            files[path.relative_to(HERE).as_posix()] = path.read_bytes()
    files[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {version}\n".encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: build_backend.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    groups = meta.get("entry-points", {})
    entry_points = "".join(
        f"[{group}]\n" + "".join(f"{key} = {value}\n" for key, value in names.items())
        for group, names in groups.items()
    )
    files[f"{dist_info}/entry_points.txt"] = entry_points.encode()
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    wheel_name = f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(Path(wheel_directory) / wheel_name, "w", zipfile.ZIP_DEFLATED) as wheel:
        for path, data in files.items():
            wheel.writestr(path, data)
    return wheel_name
