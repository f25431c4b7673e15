"""Flows in Django, Flask and FastAPI apps: views, flask_login, token routes, Stripe webhooks and account
deletion are found with the capture on the success path; post/comment deletes, unfollows, newsletter
unsubscribes, password changes and tests are not."""

from __future__ import annotations

import pytest

from tests.flows_support import flows_in_app, flows_in_source, line_of


@pytest.fixture(scope="module")
def django():
    return flows_in_app("django")


@pytest.fixture(scope="module")
def flask():
    return flows_in_app("flask")


@pytest.fixture(scope="module")
def fastapi():
    return flows_in_app("fastapi")


def test_django_finds_exactly_its_flows(django):
    assert set(django) == {
        ("accounts/views.py", "signup", "signup"),
        ("accounts/views.py", "login", "login_view"),
        ("accounts/views.py", "logout", "logout_view"),
        ("accounts/views.py", "account_deleted", "delete_account"),
        ("accounts/views.py", "signup", "RegisterView.form_valid"),
        ("accounts/views.py", "signup", "api_register"),
        ("billing/views.py", "checkout_started", "create_checkout_session"),
        ("billing/views.py", "subscription_cancelled", "cancel_subscription"),
        # the Checkout this file opens is mode="subscription": its completion starts a subscription (S4-11)
        ("billing/views.py", "subscription_created", "stripe_webhook"),
        ("billing/views.py", "payment_failed", "stripe_webhook"),
        ("billing/views.py", "subscription_cancelled", "stripe_webhook"),
    }


def test_django_login_goes_after_login_on_the_success_branch(django):
    flow = django[("accounts/views.py", "login", "login_view")]
    login_call = line_of("django", "accounts/views.py", "login(request, user)", after="def login_view")
    assert flow.insert_line == login_call + 1
    assert flow.insert_indent == " " * 12
    assert flow.user_id_expr == "str(user.pk)"
    assert flow.side == "server" and flow.needs_identify
    assert flow.confidence >= 0.9


def test_django_signup_that_logs_in_is_one_signup(django):
    assert ("accounts/views.py", "login", "signup") not in django
    assert ("accounts/views.py", "login", "RegisterView.form_valid") not in django
    flow = django[("accounts/views.py", "signup", "api_register")]
    assert flow.user_id_expr == "str(user.pk)"
    assert flow.insert_line == line_of("django", "accounts/views.py", "return redirect", after="def api_register")


def test_django_logout_and_delete_are_server_side_and_need_no_reset(django):
    logout = django[("accounts/views.py", "logout", "logout_view")]
    assert logout.side == "server" and not logout.needs_reset
    # before logout(request) / request.user.delete(), while request.user is still the user
    assert logout.insert_line == line_of("django", "accounts/views.py", "logout(request)", after="def logout_view")
    assert logout.user_id_expr == "request.user.pk"
    deleted = django[("accounts/views.py", "account_deleted", "delete_account")]
    assert deleted.insert_line == line_of("django", "accounts/views.py", "request.user.delete()")
    assert deleted.user_id_expr == "request.user.pk"


def test_django_checkout_wraps_the_request_user_pk(django):
    flow = django[("billing/views.py", "checkout_started", "create_checkout_session")]
    assert flow.user_id_expr == "str(request.user.pk)"
    assert flow.insert_line == line_of("django", "billing/views.py", 'return JsonResponse({"url": session.url})')


def test_django_webhook_elif_chain_inserts_in_each_branch(django):
    path = "billing/views.py"
    paid = django[(path, "subscription_created", "stripe_webhook")]
    failed = django[(path, "payment_failed", "stripe_webhook")]
    assert paid.insert_line == line_of("django", path, "fulfill_order(session") + 1
    assert paid.insert_indent == " " * 8
    assert paid.user_id_expr == 'session["client_reference_id"]'
    assert failed.insert_line == line_of("django", path, "notify_payment_failed(invoice") + 1
    assert failed.user_id_expr == 'invoice["customer"]'  # a Stripe customer id when no user id is known


@pytest.mark.parametrize(
    "symbol",
    ["delete_post", "delete_comment", "unfollow", "unsubscribe_newsletter", "change_password", "checkout_cancel"],
)
def test_django_look_alikes_are_not_flows(django, symbol):
    assert [key for key in django if key[2] == symbol] == []


def test_django_tests_are_not_flows(django):
    assert [key for key in django if key[0].startswith("accounts/tests")] == []


def test_flask_finds_exactly_its_flows(flask):
    assert set(flask) == {
        ("app/auth.py", "login", "login"),
        ("app/auth.py", "signup", "signup_post"),
        ("app/auth.py", "logout", "logout"),
        ("app/auth.py", "account_deleted", "delete_account"),
        ("app/auth.py", "password_reset", "forgot_password"),
        ("app/billing.py", "payment_succeeded", "webhook"),
        ("app/billing.py", "subscription_changed", "webhook"),
    }


def test_flask_login_user_inserts_before_the_redirect(flask):
    flow = flask[("app/auth.py", "login", "login")]
    assert flow.insert_line == line_of("flask", "app/auth.py", "login_user(user") + 1
    assert flow.user_id_expr == "user.get_id()"  # the id Flask-Login keeps, as current_user.get_id() at logout
    signup = flask[("app/auth.py", "signup", "signup_post")]
    assert signup.user_id_expr == "new_user.get_id()"


def test_flask_account_deletion_wins_over_its_logout(flask):
    assert ("app/auth.py", "logout", "delete_account") not in flask
    assert flask[("app/auth.py", "account_deleted", "delete_account")].user_id_expr == "user.get_id()"


def test_fastapi_finds_exactly_its_flows(fastapi):
    assert set(fastapi) == {
        ("app/routers/auth.py", "login", "login_for_access_token"),
        ("app/routers/auth.py", "signup", "register"),
        ("app/routers/users.py", "account_deleted", "delete_me"),
        ("app/routers/webhooks.py", "subscription_created", "stripe_webhook"),
        ("app/routers/webhooks.py", "payment_succeeded", "stripe_webhook"),
    }


def test_fastapi_token_route_captures_before_returning_the_token(fastapi):
    flow = fastapi[("app/routers/auth.py", "login", "login_for_access_token")]
    assert flow.insert_line == line_of("fastapi", "app/routers/auth.py", 'return {"access_token"')
    assert flow.user_id_expr == "str(user.id)"
    assert flow.side == "server"


def test_fastapi_match_case_webhook_and_current_user_deletion(fastapi):
    created = fastapi[("app/routers/webhooks.py", "subscription_created", "stripe_webhook")]
    assert created.insert_line == line_of("fastapi", "app/routers/webhooks.py", "await activate(") + 1
    assert created.insert_indent == " " * 12
    assert created.user_id_expr == 'subscription["metadata"]["user_id"]'
    deleted = fastapi[("app/routers/users.py", "account_deleted", "delete_me")]
    assert deleted.user_id_expr == "str(current_user.id)"
    assert ("app/routers/users.py", "account_deleted", "delete_item") not in fastapi


def test_login_required_decorator_is_not_login_evidence():
    flows = flows_in_source(
        "app/views.py",
        """from django.contrib.auth.decorators import login_required

@login_required
def dashboard(request):
    return render(request, "dashboard.html")
""",
    )
    assert flows == []


def test_python_password_reset_request_and_completion_get_their_events():
    flows = flows_in_source(
        "users/auth.py",
        """from firebase_admin import auth

def request_reset(email):
    link = auth.generate_password_reset_link(email)
    send_mail(email, link)
""",
    )
    assert [(f.kind.value, f.event) for f in flows] == [("password_reset", "password_reset_requested")]


def test_a_login_page_view_that_only_renders_is_not_a_login():
    flows = flows_in_source(
        "accounts/views.py",
        """from django.shortcuts import render


def login_page(request):
    return render(request, "accounts/login.html")


def signup(request):
    return render(request, "accounts/signup.html", {"next": request.GET.get("next")})
""",
    )
    assert flows == []


def test_class_based_signup_view_that_logs_in_is_a_signup():
    source = """from django.contrib.auth import authenticate, login
from django.views.generic import CreateView


class SignUp(CreateView):
    def form_valid(self, form):
        response = super().form_valid(form)
        user = authenticate(username=form.cleaned_data["username"], password=form.cleaned_data["password1"])
        login(self.request, user)
        return response
"""
    flows = flows_in_source("users/views.py", source)
    assert [(f.kind.value, f.symbol) for f in flows] == [("signup", "SignUp.form_valid")]


def test_simplejwt_token_blacklist_is_a_logout():
    source = """from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken


class BlacklistTokenUpdateView(APIView):
    def post(self, request):
        token = RefreshToken(request.data["refresh_token"])
        token.blacklist()
        return Response(status=205)
"""
    flows = flows_in_source("auth/views.py", source)
    assert [(f.kind.value, f.symbol, f.insert_line) for f in flows] == [("logout", "BlacklistTokenUpdateView.post", 8)]


def test_test_routes_and_email_previews_are_not_flows():
    source = """from fastapi import APIRouter

router = APIRouter()


@router.post("/login/test-token")
def test_token(current_user: CurrentUser):
    return current_user


@router.post("/password-recovery-html-content/{email}")
def recover_password_html_content(email: str, session: SessionDep):
    user = crud.get_user_by_email(session=session, email=email)
    html = generate_reset_password_email(email_to=user.email, email=email, token=token)
    return HTMLResponse(content=html.html_content)
"""
    assert flows_in_source("app/api/routes/login.py", source) == []
