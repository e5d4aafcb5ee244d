"""Load a stand-alone script (an evaluation or benchmark script, not a package module) by path."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_script(path: Path, name: str | None = None) -> ModuleType:
    """The module that `path` defines, run once per process and registered in `sys.modules`.

    The name defaults to `<folder>_<stem>` (bench/extraction.py: `bench_extraction`). The module
    is registered before it runs because dataclasses look their module up there; a second call
    for the same file returns the same module, so its classes keep one identity; a name already
    taken by another module is an error rather than a silent replacement.
    """
    path = path.resolve()
    name = name or f"{path.parent.name}_{path.stem}"
    loaded = sys.modules.get(name)
    if loaded is not None:
        if getattr(loaded, "__file__", None) == str(path):
            return loaded
        raise ImportError(f"{name!r} already names {loaded!r}; pass another name for {path}")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
