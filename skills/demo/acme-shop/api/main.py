"""Acme Shop API: accounts and billing for the mobile app."""

from __future__ import annotations

import os
import secrets

import bcrypt
import stripe
from fastapi import Depends, FastAPI, Header, HTTPException
from pydantic import BaseModel

from store import User, sessions, users

stripe.api_key = os.environ.get("STRIPE_SECRET_KEY", "")
app = FastAPI(title="Acme Shop API")


class Credentials(BaseModel):
    email: str
    password: str


def current_user(authorization: str = Header(default="")) -> User:
    user_id = sessions.get(authorization.removeprefix("Bearer "))
    user = users.get(user_id) if user_id else None
    if user is None:
        raise HTTPException(status_code=401, detail="Not logged in")
    return user


@app.post("/auth/signup")
def signup(body: Credentials) -> dict[str, str]:
    if users.by_email(body.email):
        raise HTTPException(status_code=409, detail="Email already registered")
    password_hash = bcrypt.hashpw(body.password.encode(), bcrypt.gensalt())
    user = users.create(body.email, password_hash)
    token = secrets.token_urlsafe(32)
    sessions[token] = user.id
    return {"token": token, "user_id": user.id}


@app.post("/auth/login")
def login(body: Credentials) -> dict[str, str]:
    user = users.by_email(body.email)
    if user is None or not bcrypt.checkpw(body.password.encode(), user.password_hash):
        raise HTTPException(status_code=401, detail="Wrong email or password")
    token = secrets.token_urlsafe(32)
    sessions[token] = user.id
    return {"token": token, "user_id": user.id}


@app.post("/auth/logout")
def logout(user: User = Depends(current_user), authorization: str = Header(default="")) -> dict[str, bool]:
    sessions.pop(authorization.removeprefix("Bearer "), None)
    return {"ok": True}


@app.post("/billing/cancel")
def cancel_subscription(user: User = Depends(current_user)) -> dict[str, bool]:
    if not user.subscription_id:
        raise HTTPException(status_code=404, detail="No active subscription")
    stripe.Subscription.cancel(user.subscription_id)
    user.subscription_id = None
    return {"ok": True}


@app.delete("/account")
def delete_account(user: User = Depends(current_user)) -> dict[str, bool]:
    if user.subscription_id:
        stripe.Subscription.cancel(user.subscription_id)
    users.delete(user.id)
    return {"ok": True}
