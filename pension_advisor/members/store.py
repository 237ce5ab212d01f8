"""SQLite member store, created and seeded with synthetic members on first use."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

from .model import Member, MemberNotFound
from .seed import synthetic_members

_COLUMNS = list(Member.model_fields)
_JSON_COLUMNS = {"beneficiaries"}  # lists are kept as JSON text


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
            added = self._add_missing_columns(db)
        if empty and seed_on_first_use:
            self.add(synthetic_members())
        elif added and seed_on_first_use:
            self._fill_seeded(added)

    def _connection(self) -> sqlite3.Connection:
        if getattr(self._local, "db", None) is None:
            self._local.db = sqlite3.connect(self.path, timeout=10)
            self._local.db.row_factory = sqlite3.Row
        return self._local.db

    @staticmethod
    def _add_missing_columns(db: sqlite3.Connection) -> list[str]:
        """A store made by an older version lacks the newer record fields: add them (empty)."""
        present = {row[1] for row in db.execute("PRAGMA table_info(members)")}
        missing = [c for c in _COLUMNS if c not in present]
        for column in missing:
            db.execute(f"ALTER TABLE members ADD COLUMN {column}")
        return missing

    def _fill_seeded(self, columns: list[str]) -> None:
        """Give the synthetic members already in an older store the fields just added (only where still empty)."""
        with self._connection() as db:
            for member in synthetic_members():
                row = _row(member)
                for column in columns:
                    db.execute(f"UPDATE members SET {column} = ? WHERE member_id = ? AND {column} IS NULL",
                               (row[_COLUMNS.index(column)], member.member_id))

    def add(self, members: list[Member]) -> None:
        with self._connection() as db:
            db.executemany(
                f"INSERT OR IGNORE INTO members ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
                [_row(m) for m in members],
            )

    def get(self, member_id: str) -> Member:
        row = self._connection().execute("SELECT * FROM members WHERE member_id = ?", (member_id,)).fetchone()
        if row is None:
            raise MemberNotFound(member_id)
        return _member(row)

    def all(self) -> list[Member]:
        rows = self._connection().execute("SELECT * FROM members ORDER BY member_id").fetchall()
        return [_member(r) for r in rows]


def _row(member: Member) -> tuple:
    data = member.model_dump(mode="json")
    return tuple(json.dumps(data[c]) if c in _JSON_COLUMNS else data[c] for c in _COLUMNS)


def _member(row: sqlite3.Row) -> Member:
    data = {c: row[c] for c in _COLUMNS}
    for column in _JSON_COLUMNS:
        data[column] = json.loads(data[column]) if data[column] else []
    return Member.model_validate(data)
