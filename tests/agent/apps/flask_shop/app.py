"""A tiny Flask shop without PostHog: the integrate tests add it and drive the smoke path."""

from dataclasses import dataclass

from flask import Flask, jsonify, request, session

app = Flask(__name__)
app.secret_key = "test-only"


@dataclass
class User:
    id: int
    email: str
    password: str


USERS: dict[str, User] = {}


@app.post("/signup")
def signup():
    data = request.get_json()
    user = User(len(USERS) + 1, data["email"], data["password"])
    USERS[user.email] = user
    session["user_id"] = user.id
    return jsonify(id=user.id), 201


@app.post("/login")
def login():
    data = request.get_json()
    user = USERS.get(data["email"])
    if user is None or user.password != data["password"]:
        return jsonify(error="invalid credentials"), 401
    session["user_id"] = user.id
    return jsonify(id=user.id)


@app.post("/logout")
def logout():
    user_id = session.pop("user_id", None)  # noqa: F841 - the integration tracks the logout with this id
    return jsonify(ok=True)
