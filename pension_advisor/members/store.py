"""SQLite member store, created and seeded with synthetic members on first use."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from .model import Member, MemberNotFound
from .seed import synthetic_members

_COLUMNS = list(Member.model_fields)


class MemberStore:
    def __init__(self, path: str | Path, seed_on_first_use: bool = True):
        self.path = Path(path).expanduser()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()  # one connection per thread: sqlite3 connections are not shareable
        with self._connection() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS members ("
                + ", ".join(f"{c} {'TEXT PRIMARY KEY' if c == 'member_id' else ''}" for c in _COLUMNS)
                + ")"
            )
            empty = db.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 0
        if empty and seed_on_first_use:
            self.add(synthetic_members())

    def _connection(self) -> sqlite3.Connection:
        if getattr(self._local, "db", None) is None:
            self._local.db = sqlite3.connect(self.path, timeout=10)
            self._local.db.row_factory = sqlite3.Row
        return self._local.db

    def add(self, members: list[Member]) -> None:
        rows = [tuple(m.model_dump(mode="json")[c] for c in _COLUMNS) for m in members]
        with self._connection() as db:
            db.executemany(
                f"INSERT OR IGNORE INTO members ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", rows
            )

    def get(self, member_id: str) -> Member:
        row = self._connection().execute("SELECT * FROM members WHERE member_id = ?", (member_id,)).fetchone()
        if row is None:
            raise MemberNotFound(member_id)
        return Member.model_validate(dict(row))

    def all(self) -> list[Member]:
        rows = self._connection().execute("SELECT * FROM members ORDER BY member_id").fetchall()
        return [Member.model_validate(dict(r)) for r in rows]
