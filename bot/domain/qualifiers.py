"""A part of the system named before a generic quantity: `RDS CPU` is the database's CPU,
`Droplet CPU` the API's. Read by its qualifier; one that names neither part is ambiguous."""

from __future__ import annotations

import re

__all__ = ["API", "DATABASE", "NOISE", "qualified"]

_WORD = re.compile(r"[a-z][a-z0-9]*+")
# Words around a quantity that say when or how, not what.
NOISE = frozenset(
    {"the", "a", "an", "of", "per", "avg", "average", "total", "our", "sustained", "peak", "in"}
)
DATABASE = frozenset(
    {"rds", "postgres", "postgresql", "pg", "mysql", "aurora", "supabase", "database", "db"}
)
API = frozenset(
    {"api", "app", "droplet", "server", "servers", "vps", "container", "containers", "web"}
)
API |= frozenset({"ec2", "fargate", "instance", "instances", "node", "nodes", "host"})
_GENERIC = frozenset({"cpu", "ram", "memory"})


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def qualified(subject: str) -> tuple[str, str | None]:
    """The subject with a known qualifier read as the catalog says it (`RDS CPU` ->
    `database cpu`, `Droplet CPU` -> `cpu`), and the unknown qualifier of a generic
    quantity (`Redis CPU` -> `redis`) when there is one."""
    words = [w for w in _words(subject) if w not in NOISE]
    for index, word in enumerate(words):
        if word not in _GENERIC or index == 0:
            continue
        before = words[index - 1]
        if before in DATABASE:
            return "database " + " ".join(words[index:]), None
        if before in API:
            return " ".join(words[index:]), None
        return subject, before
    return subject, None
