"""Python server events name one person per user: the generated code is run with the real posthog-python against
the local sink, outside any `new_context()` (a view without PostHog's request middleware), and the ids that
arrive are checked. Flask-Login apps use the id Flask-Login keeps (`get_id()`) at login, checkout and logout."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from lsp_server.analysis import analyze_document
from lsp_server.analysis.model import Package
from lsp_server.edits import BundledSnippets, apply_edits, plan_flow_tracking
from tests import sink

SNIPPETS = BundledSnippets()
FLASK = Package(path=".", framework="flask", language="python", package_manager="pip")
DJANGO = Package(path=".", framework="django", language="python", package_manager="pip")


@pytest.fixture(scope="module")
def sink_url():
    server, url = sink.start()
    yield url
    server.shutdown()


def _track_each(path: str, text: str, package: Package) -> tuple[str, dict[str, str]]:
    """Track every detected flow one after another (as Integrate does); the edited file and created modules."""
    created: dict[str, str] = {}
    for _ in range(10):
        flows = [f for f in analyze_document(path, text, package=package).flows if not f.tracked]
        if not flows:
            return text, created
        edits = plan_flow_tracking(text, path, flows[0], package, SNIPPETS)
        assert edits, f"nothing planned for {flows[0].kind}"
        created |= {e.path: e.new_text for e in edits if e.create_file}
        text = apply_edits(text, [e for e in edits if e.path == path])
    raise AssertionError("tracking did not settle")


def _run(tmp_path: Path, files: dict[str, str], driver: str, sink_url: str) -> list[dict]:
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    token = "phc_test_" + uuid.uuid4().hex
    env = {**os.environ, "POSTHOG_PROJECT_TOKEN": token, "POSTHOG_HOST": sink_url}
    result = subprocess.run([sys.executable, "-c", driver], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr[-3000:]
    return [e for e in sink.all_events() if e["api_key"] == token]


FLASK_VIEWS = '''from flask_login import current_user, login_user, logout_user

import stripe
from shop import app, User


@app.route("/login", methods=["POST"])
def login(email, password):
    user = User.find(email)
    if user is None or not user.check_password(password):
        return "invalid credentials", 401
    login_user(user)
    return "ok"


@app.route("/logout")
def logout():
    logout_user()
    return "bye"


@app.route("/create-checkout-session/<plan>/")
def create_checkout_session(plan):
    checkout_session = stripe.checkout.Session.create(mode="payment", line_items=[{"price": plan, "quantity": 1}])
    return checkout_session.url
'''

# Stand-ins for the app's own modules and the two libraries the view imports (not installed here). `flask_login`
# follows Flask-Login's contract: `get_id()` returns a str (here the username, as in app-generator's shop), the
# anonymous user's is None, `current_user` is the signed-in user.
FLASK_SUPPORT = {
    "flask_login.py": '''class AnonymousUserMixin:
    def get_id(self):
        return None


class UserMixin:
    def get_id(self):
        return str(self.id)


_state = {"user": AnonymousUserMixin()}


class _Current:
    def __getattr__(self, name):
        return getattr(_state["user"], name)


current_user = _Current()


def login_user(user):
    _state["user"] = user
    return True


def logout_user():
    _state["user"] = AnonymousUserMixin()
    return True
''',
    "stripe.py": '''class _Session:
    url = "https://checkout.stripe.test/c/1"

    @staticmethod
    def create(**kwargs):
        return _Session()


class checkout:
    Session = _Session
''',
    "shop.py": '''from flask_login import UserMixin


class _App:
    def route(self, *args, **kwargs):
        return lambda view: view


app = _App()


class User(UserMixin):
    def __init__(self, id, username, password):
        self.id, self.username, self.password = id, username, password

    def get_id(self):  # the app keys Flask-Login's session by username
        return self.username

    def check_password(self, password):
        return password == self.password

    @staticmethod
    def find(email):
        return User(7, "ada", "pw") if email == "ada@example.com" else None
''',
}


def test_flask_login_app_sends_login_checkout_and_logout_as_the_same_person(tmp_path, sink_url):
    edited, created = _track_each("views.py", FLASK_VIEWS, FLASK)
    assert "str(user.id)" not in edited and "identify_context" not in edited
    assert edited.count("distinct_id=current_user.get_id()") == 2  # checkout (a route) and logout
    assert "distinct_id=user.get_id()" in edited and "posthog.set(distinct_id=user.get_id()," in edited
    driver = (
        "import views, posthog_client\n"
        "assert views.login('ada@example.com', 'wrong') == ('invalid credentials', 401)\n"
        "views.create_checkout_session('price_anon')\n"  # a visitor: sent anonymously, not as the user "None"
        "assert views.login('ada@example.com', 'pw') == 'ok'\n"
        "views.create_checkout_session('price_pro')\n"
        "views.logout()\n"
        "posthog_client.posthog.flush()\n"
    )
    events = _run(tmp_path, {"views.py": edited, **created, **FLASK_SUPPORT}, driver, sink_url)
    names = [e["event"] for e in events]
    assert names == ["checkout_started", "$set", "user_logged_in", "checkout_started", "user_logged_out"]
    anonymous, *signed_in = events
    assert anonymous["properties"]["$process_person_profile"] is False and anonymous["distinct_id"] != "None"
    assert {e["distinct_id"] for e in signed_in} == {"ada"}  # one person: the id Flask-Login keeps
    assert all("$process_person_profile" not in e["properties"] for e in signed_in)


def test_flask_login_ids_are_not_wrapped_in_str_so_an_anonymous_visitor_is_not_the_user_none():
    analysis = analyze_document("views.py", FLASK_VIEWS, package=FLASK)
    ids = {str(f.kind): f.user_id_expr for f in analysis.flows}
    assert ids == {"login": "user.get_id()", "logout": "current_user.get_id()",
                   "checkout_started": "current_user.get_id()"}


def test_flask_route_without_current_user_imported_gets_no_current_user_id():
    text = FLASK_VIEWS.replace("from flask_login import current_user, login_user, logout_user",
                               "from flask_login import login_user, logout_user")
    analysis = analyze_document("views.py", text, package=FLASK)
    checkout = next(f for f in analysis.flows if str(f.kind) == "checkout_started")
    assert checkout.user_id_expr is None  # `current_user` would be a NameError there


DRF_VIEWS = '''from rest_framework import generics
from rest_framework.response import Response


class RegisterView(generics.CreateAPIView):
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        return Response({"id": user.pk}, status=201)
'''


def test_django_signup_identifies_with_the_capture_id_not_a_context_call_that_does_nothing_in_a_view():
    edited, _ = _track_each("apps/users/api/views.py", DRF_VIEWS, DJANGO)
    assert "identify_context" not in edited
    assert 'posthog.capture(\n            "user_signed_up",\n            distinct_id=str(user.pk),' in edited
    again = analyze_document("apps/users/api/views.py", edited, package=DJANGO)
    assert [f.identify_present for f in again.flows] == [True]  # no missing-identify left after the fix


PLAIN_SIGNUP = '''from accounts import User


def register(email, password):
    user = User.objects.create_user(email=email, password=password)
    return user
'''


def test_python_signup_sends_its_event_and_person_properties_as_the_user_without_a_request_context(
    tmp_path, sink_url
):
    text = PLAIN_SIGNUP.replace("    return user", "    send_welcome(user.email)\n    return user")
    text = text.replace("from accounts import User", "from accounts import User, send_welcome")
    edited, created = _track_each("signup.py", text, DJANGO)
    assert "identify_context" not in edited and "posthog.set(distinct_id=" in edited
    accounts = '''class _Manager:
    def create_user(self, email, password):
        return User(42, email)


class User:
    objects = _Manager()

    def __init__(self, pk, email):
        self.pk, self.id, self.email = pk, pk, email


def send_welcome(email):
    return email
'''
    driver = "import signup, posthog_client\nsignup.register('ada@example.com', 'pw')\nposthog_client.posthog.flush()\n"
    events = _run(tmp_path, {"signup.py": edited, "accounts.py": accounts, **created}, driver, sink_url)
    by_name = {e["event"]: e for e in events}
    assert sorted(by_name) == ["$set", "user_signed_up"]
    assert by_name["user_signed_up"]["distinct_id"] == "42" and by_name["$set"]["distinct_id"] == "42"
    assert by_name["$set"]["$set"]["email"] == "ada@example.com"
    assert "$process_person_profile" not in by_name["user_signed_up"]["properties"]


SUBSCRIPTION_VIEWS = '''import stripe
from django.contrib.auth import get_user_model
from django.http import HttpResponse

User = get_user_model()


def create_checkout_session(request):
    session = stripe.checkout.Session.create(mode="subscription", line_items=[{"price": "price_pro", "quantity": 1}],
                                             metadata={"user_id": request.user.id})
    return HttpResponse(session.url)


def stripe_webhook(request):
    event = stripe.Webhook.construct_event(request.body, request.headers["Stripe-Signature"], "whsec")
    if event["type"] == "checkout.session.completed":
        session = event["data"]["object"]
        user = User.objects.get(id=session["metadata"]["user_id"])
        user.is_pro_member = True
        user.save()
    return HttpResponse(status=200)
'''


def test_completing_a_subscription_checkout_is_tracked_as_a_subscription_start_not_a_payment():
    flows = analyze_document("payments/views.py", SUBSCRIPTION_VIEWS, package=DJANGO).flows
    webhook = [f for f in flows if f.symbol.endswith("stripe_webhook")]
    assert [(str(f.kind), f.event) for f in webhook] == [("subscription_created", "subscription_created")]
    both = SUBSCRIPTION_VIEWS.replace(
        "    return HttpResponse(session.url)\n",
        "    return HttpResponse(session.url)\n\n\ndef buy_credits(request):\n"
        "    session = stripe.checkout.Session.create(mode=\"payment\", line_items=[])\n"
        "    return HttpResponse(session.url)\n",
        1,
    )
    flows = analyze_document("payments/views.py", both, package=DJANGO).flows
    assert [str(f.kind) for f in flows if f.symbol.endswith("stripe_webhook")] == ["payment_succeeded"]


def test_a_record_that_is_not_the_flask_login_user_keeps_its_id_field():
    text = FLASK_VIEWS.replace(
        "    login_user(user)\n    return \"ok\"",
        "    login_user(user)\n    return \"ok\"\n\n\n@app.route(\"/cancel\", methods=[\"POST\"])\n"
        "def cancel_subscription():\n    profile = Profile.query.get(1)\n"
        "    stripe.Subscription.delete(profile.subscription_id)\n    return \"cancelled\"",
    )
    flows = {str(f.kind): f for f in analyze_document("views.py", text, package=FLASK).flows}
    assert flows["subscription_cancelled"].user_id_expr == "str(profile.id)"  # a Profile has no get_id()
    assert flows["login"].user_id_expr == "user.get_id()"
