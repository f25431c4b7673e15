"""The app's smoke path: sign up, log out, log in (run from the app folder)."""

import sys

sys.path.insert(0, ".")
from app import app

client = app.test_client()
assert client.post("/signup", json={"email": "ada@example.com", "password": "pw"}).status_code == 201
assert client.post("/logout").status_code == 200
assert client.post("/login", json={"email": "ada@example.com", "password": "pw"}).status_code == 200
