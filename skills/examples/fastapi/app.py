"""A thin FastAPI shop integrated with PostHog: signup, login, logout, checkout, cancel, delete account.

Run:  POSTHOG_PROJECT_TOKEN=phc_... uvicorn app:app
"""

import secrets
import uuid
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Cookie, Depends, FastAPI, HTTPException, Response
from posthog.integrations.asgi import PosthogASGIMiddleware
from pydantic import BaseModel

from analytics import posthog


@asynccontextmanager
async def lifespan(app: FastAPI):
    yield
    posthog.flush()  # send queued events before the server stops


app = FastAPI(lifespan=lifespan)
# Every request runs in a PostHog context: URL, method, user agent, X-POSTHOG-* headers, exceptions.
app.add_middleware(PosthogASGIMiddleware, client=posthog)

USERS: dict[str, dict] = {}  # email -> user; a real app has a database
SESSIONS: dict[str, str] = {}  # session token -> user id
PRICES = {"starter": 900, "pro": 2900}


class Signup(BaseModel):
    email: str
    password: str
    company: str = ""


class Login(BaseModel):
    email: str
    password: str


class Checkout(BaseModel):
    plan: str


class Cancel(BaseModel):
    reason: str = "unspecified"


def current_user(session: Annotated[str | None, Cookie()] = None) -> dict:
    user_id = SESSIONS.get(session or "")
    user = next((u for u in USERS.values() if u["id"] == user_id), None)
    if user is None:
        raise HTTPException(401, "login required")
    return user


def start_session(response: Response, user: dict) -> None:
    token = secrets.token_urlsafe(16)
    SESSIONS[token] = user["id"]
    response.set_cookie("session", token, httponly=True)


@app.post("/signup", status_code=201)
def signup(body: Signup, response: Response):
    user = {"id": str(uuid.uuid4()), "email": body.email, "company_id": str(uuid.uuid4()), "plan": "free"}
    USERS[user["email"]] = user
    start_session(response, user)

    # B2B: the company is a group; later events carry groups={"company": ...}.
    posthog.group_identify("company", user["company_id"], {"name": body.company}, distinct_id=user["id"])
    # The stable user id is the distinct id; the email is a person property ($set), never an event property.
    posthog.capture(
        "user_signed_up",
        distinct_id=user["id"],
        properties={"signup_method": "email", "$set": {"email": user["email"], "plan": user["plan"]}},
        groups={"company": user["company_id"]},
    )
    return {"id": user["id"]}


@app.post("/login")
def login(body: Login, response: Response):
    user = USERS.get(body.email)
    if user is None:  # this demo accepts any password for a known email
        raise HTTPException(401, "unknown user")
    start_session(response, user)

    posthog.capture(
        "user_logged_in",
        distinct_id=user["id"],
        properties={"login_method": "password", "$set": {"email": user["email"]}},
        groups={"company": user["company_id"]},
    )
    return {"id": user["id"]}


@app.post("/logout", status_code=204)
def logout(response: Response, session: Annotated[str | None, Cookie()] = None):
    user_id = SESSIONS.pop(session or "", None)
    user = next((u for u in USERS.values() if u["id"] == user_id), None)
    if user is not None:
        posthog.capture("user_logged_out", distinct_id=user["id"], groups={"company": user["company_id"]})
    response.delete_cookie("session")


@app.post("/checkout")
def checkout(body: Checkout, user: Annotated[dict, Depends(current_user)]):
    posthog.capture(
        "checkout_started",
        distinct_id=user["id"],
        properties={"plan": body.plan, "amount_cents": PRICES[body.plan], "currency": "usd"},
        groups={"company": user["company_id"]},
    )
    user["plan"] = body.plan
    return {"plan": body.plan}


@app.post("/subscription/cancel", status_code=204)
def cancel_subscription(user: Annotated[dict, Depends(current_user)], body: Cancel | None = None):
    posthog.capture(
        "subscription_cancelled",
        distinct_id=user["id"],
        properties={"plan": user["plan"], "reason": (body or Cancel()).reason, "$set": {"plan": "free"}},
        groups={"company": user["company_id"]},
    )
    user["plan"] = "free"


@app.post("/account/delete", status_code=204)
def delete_account(response: Response, user: Annotated[dict, Depends(current_user)]):
    posthog.capture("account_deleted", distinct_id=user["id"], groups={"company": user["company_id"]})
    del USERS[user["email"]]
    response.delete_cookie("session")
