"""The source tree as the architecture test reads it: modules and what each imports.

A `Tree` is rooted anywhere, so the test can check a copy with a violation planted in it.
"""

from __future__ import annotations

import ast
from pathlib import Path

__all__ = ["Tree"]


class Tree:
    """Every module under `packages` of `root`, and what each imports (relative imports
    resolved against the module's package)."""

    def __init__(self, root: Path, packages: tuple[str, ...] = ("bot", "store")) -> None:
        self.root = root
        self.packages = packages
        self.sources = sorted(p for d in packages for p in (root / d).rglob("*.py"))
        self.modules = {self.dotted(p): p for p in self.sources}
        self._imports: dict[Path, frozenset[str]] = {}

    def module(self, path: Path) -> str:
        """`bot/notify/deliver.py`"""
        return path.relative_to(self.root).as_posix()

    def dotted(self, path: Path) -> str:
        """`bot.notify.deliver` (a package's `__init__.py` is the package)."""
        parts = path.relative_to(self.root).with_suffix("").parts
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    def ours(self, name: str) -> bool:
        return name.split(".")[0] in self.packages

    def path_of(self, name: str) -> str | None:
        path = self.modules.get(name)
        return self.module(path) if path is not None else None

    def _package(self, path: Path) -> list[str]:
        dotted = self.dotted(path).split(".")
        return dotted if path.name == "__init__.py" else dotted[:-1]

    def imports(self, path: Path) -> frozenset[str]:
        """Every import, as the module it names (`from a import b` is `a.b` when b is a
        module of ours, else `a`); `from ..x import y` as the absolute name it means."""
        if path not in self._imports:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found: set[str] = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        package = self._package(path)
                        package = package[: len(package) - (node.level - 1)]
                        base = ".".join([*package, *([node.module] if node.module else [])])
                    for alias in node.names:
                        sub = f"{base}.{alias.name}"
                        found.add(sub if sub in self.modules else base)
            self._imports[path] = frozenset(found)
        return self._imports[path]
