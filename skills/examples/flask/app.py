"""A thin Flask shop integrated with PostHog: signup, login, logout, checkout, cancel, delete account.

Run:  POSTHOG_PROJECT_TOKEN=phc_... flask --app app run
"""

import os
import secrets
import uuid

from flask import Flask, jsonify, request, session
from posthog.integrations.flask import PosthogFlaskIntegration

from analytics import posthog

app = Flask(__name__)
app.secret_key = os.environ.get("FLASK_SECRET_KEY") or secrets.token_hex(32)

# Every request runs in a PostHog context: URL, method, user agent, X-POSTHOG-* headers, exceptions.
PosthogFlaskIntegration(app, client=posthog)

USERS: dict[str, dict] = {}  # email -> user; a real app has a database
PRICES = {"starter": 900, "pro": 2900}


def current_user() -> dict | None:
    user_id = session.get("user_id")
    return next((u for u in USERS.values() if u["id"] == user_id), None)


@app.post("/signup")
def signup():
    data = request.get_json()
    user = {
        "id": str(uuid.uuid4()),
        "email": data["email"],
        "company_id": str(uuid.uuid4()),
        "plan": "free",
    }
    USERS[user["email"]] = user
    session["user_id"] = user["id"]

    # B2B: the company is a group; later events carry groups={"company": ...}.
    posthog.group_identify("company", user["company_id"], {"name": data.get("company", "")}, distinct_id=user["id"])
    # The stable user id is the distinct id; the email is a person property ($set), never an event property.
    posthog.capture(
        "user_signed_up",
        distinct_id=user["id"],
        properties={"signup_method": "email", "$set": {"email": user["email"], "plan": user["plan"]}},
        groups={"company": user["company_id"]},
    )
    return jsonify(id=user["id"]), 201


@app.post("/login")
def login():
    data = request.get_json()
    user = USERS.get(data["email"])
    if user is None:  # this demo accepts any password for a known email
        return jsonify(error="unknown user"), 401
    session["user_id"] = user["id"]

    posthog.capture(
        "user_logged_in",
        distinct_id=user["id"],
        properties={"login_method": "password", "$set": {"email": user["email"]}},
        groups={"company": user["company_id"]},
    )
    return jsonify(id=user["id"])


@app.post("/logout")
def logout():
    user = current_user()
    if user is not None:
        # Capture before the session is gone: afterwards the user id is no longer known.
        posthog.capture("user_logged_out", distinct_id=user["id"], groups={"company": user["company_id"]})
    session.clear()
    return "", 204


@app.post("/checkout")
def checkout():
    user = current_user()
    if user is None:
        return jsonify(error="login required"), 401
    plan = request.get_json()["plan"]
    posthog.capture(
        "checkout_started",
        distinct_id=user["id"],
        properties={"plan": plan, "amount_cents": PRICES[plan], "currency": "usd"},
        groups={"company": user["company_id"]},
    )
    user["plan"] = plan
    return jsonify(plan=plan)


@app.post("/subscription/cancel")
def cancel_subscription():
    user = current_user()
    if user is None:
        return jsonify(error="login required"), 401
    reason = (request.get_json(silent=True) or {}).get("reason", "unspecified")
    posthog.capture(
        "subscription_cancelled",
        distinct_id=user["id"],
        properties={"plan": user["plan"], "reason": reason, "$set": {"plan": "free"}},
        groups={"company": user["company_id"]},
    )
    user["plan"] = "free"
    return "", 204


@app.post("/account/delete")
def delete_account():
    user = current_user()
    if user is None:
        return jsonify(error="login required"), 401
    posthog.capture("account_deleted", distinct_id=user["id"], groups={"company": user["company_id"]})
    del USERS[user["email"]]
    session.clear()
    return "", 204
