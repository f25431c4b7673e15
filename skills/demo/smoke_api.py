"""Drive the integrated Acme Shop API like a user would: sign up, log in, log out, log in again, delete the account.

`make demo` runs this inside the integrated copy's `api/` folder with POSTHOG_HOST pointing at a local sink,
so what arrives there is exactly what the inserted PostHog code sends. No network, no Stripe call.
"""

from fastapi.testclient import TestClient
from main import app

client = TestClient(app)
credentials = {"email": "ada@example.com", "password": "correct horse"}
token = client.post("/auth/signup", json=credentials).json()["token"]
client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"}).raise_for_status()
token = client.post("/auth/login", json=credentials).json()["token"]
client.delete("/account", headers={"Authorization": f"Bearer {token}"}).raise_for_status()
print("smoke path done: signup, logout, login, delete account")
