"""A tiny in-memory store standing in for the real database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass
class User:
    id: str
    email: str
    password_hash: bytes
    subscription_id: str | None = None


class Users:
    def __init__(self) -> None:
        self._rows: dict[str, User] = {}

    def by_email(self, email: str) -> User | None:
        return next((u for u in self._rows.values() if u.email == email), None)

    def get(self, user_id: str) -> User | None:
        return self._rows.get(user_id)

    def create(self, email: str, password_hash: bytes) -> User:
        user = User(id=str(uuid.uuid4()), email=email, password_hash=password_hash)
        self._rows[user.id] = user
        return user

    def delete(self, user_id: str) -> None:
        self._rows.pop(user_id, None)


users = Users()
sessions: dict[str, str] = {}  # token -> user id
