"""JSON views of the Django shop. Each business action sends one PostHog event as the logged-in user."""

import json

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from shop.analytics import posthog
from shop.models import Company, Profile

PRICES = {"starter": 900, "pro": 2900}
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _body(request: HttpRequest) -> dict:
    return json.loads(request.body or b"{}")


@require_POST
def signup(request: HttpRequest) -> JsonResponse:
    data = _body(request)
    user = User.objects.create_user(username=data["email"], email=data["email"], password=data["password"])
    company = Company.objects.create(name=data.get("company", ""))
    profile = Profile.objects.create(user=user, company=company)
    login(request, user, backend=AUTH_BACKEND)

    distinct_id, company_id = str(user.pk), str(company.pk)
    # B2B: the company is a group; later events carry groups={"company": ...}.
    posthog.group_identify("company", company_id, {"name": company.name}, distinct_id=distinct_id)
    # The primary key is the distinct id; the email is a person property ($set), never an event property.
    posthog.capture(
        "user_signed_up",
        distinct_id=distinct_id,
        properties={"signup_method": "email", "$set": {"email": user.email, "plan": profile.plan}},
        groups={"company": company_id},
    )
    return JsonResponse({"id": user.pk}, status=201)


@require_POST
def login_view(request: HttpRequest) -> JsonResponse:
    data = _body(request)
    user = User.objects.filter(username=data["email"]).first()
    if user is None:  # this demo accepts any password for a known email
        return JsonResponse({"error": "unknown user"}, status=401)
    login(request, user, backend=AUTH_BACKEND)

    # The middleware saw an anonymous request: pass the id explicitly.
    posthog.capture(
        "user_logged_in",
        distinct_id=str(user.pk),
        properties={"login_method": "password", "$set": {"email": user.email}},
        groups={"company": str(user.profile.company_id)},
    )
    return JsonResponse({"id": user.pk})


@require_POST
def logout_view(request: HttpRequest) -> JsonResponse:
    if request.user.is_authenticated:
        # Capture before logout(): afterwards the request no longer knows the user.
        posthog.capture(
            "user_logged_out",
            distinct_id=str(request.user.pk),
            groups={"company": str(request.user.profile.company_id)},
        )
    logout(request)
    return JsonResponse({}, status=200)


@require_POST
@login_required
def checkout(request: HttpRequest) -> JsonResponse:
    plan = _body(request)["plan"]
    profile = request.user.profile
    posthog.capture(
        "checkout_started",
        distinct_id=str(request.user.pk),
        properties={"plan": plan, "amount_cents": PRICES[plan], "currency": "usd"},
        groups={"company": str(profile.company_id)},
    )
    profile.plan = plan
    profile.save()
    return JsonResponse({"plan": plan})


@require_POST
@login_required
def cancel_subscription(request: HttpRequest) -> JsonResponse:
    profile = request.user.profile
    posthog.capture(
        "subscription_cancelled",
        distinct_id=str(request.user.pk),
        properties={"plan": profile.plan, "reason": _body(request).get("reason", "unspecified"), "$set": {"plan": "free"}},
        groups={"company": str(profile.company_id)},
    )
    profile.plan = "free"
    profile.save()
    return JsonResponse({"plan": "free"})


@require_POST
@login_required
def delete_account(request: HttpRequest) -> JsonResponse:
    user = request.user
    posthog.capture("account_deleted", distinct_id=str(user.pk), groups={"company": str(user.profile.company_id)})
    logout(request)
    user.delete()
    return JsonResponse({}, status=200)
