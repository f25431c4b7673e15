"""Turn billing-provider webhooks into PostHog events: a worker script and an AWS Lambda handler.

Worker:  POSTHOG_PROJECT_TOKEN=phc_... python billing_webhook.py < events.jsonl
Lambda:  handler = billing_webhook.lambda_handler
"""

import json
import sys

from analytics import posthog

# Billing event type -> PostHog event (names from the taxonomy).
EVENTS = {
    "customer.subscription.created": "subscription_created",
    "customer.subscription.updated": "subscription_changed",
    "customer.subscription.deleted": "subscription_cancelled",
    "invoice.paid": "payment_succeeded",
    "invoice.payment_failed": "payment_failed",
}

# The provider knows its customer id; analytics needs our user id. A real app looks this up in its database.
CUSTOMERS = {"cus_123": {"user_id": "42", "company_id": "7"}}


def handle(webhook: dict) -> str | None:
    """Capture the PostHog event for one verified webhook; returns the event name, or None if untracked."""
    event = EVENTS.get(webhook["type"])
    owner = CUSTOMERS.get(webhook["data"]["customer"])
    if event is None or owner is None:
        return None
    data = webhook["data"]
    properties = {"plan": data.get("plan"), "amount_cents": data.get("amount"), "currency": data.get("currency")}
    posthog.capture(
        event,
        distinct_id=owner["user_id"],
        properties={k: v for k, v in properties.items() if v is not None},
        groups={"company": owner["company_id"]},
        uuid=webhook.get("uuid"),  # the provider's event id as a UUID keeps retried deliveries from double counting
    )
    return event


def lambda_handler(event: dict, context: object) -> dict:
    """AWS Lambda entry point: the container may freeze after returning, so flush before that."""
    tracked = handle(json.loads(event["body"]))
    posthog.flush()
    return {"statusCode": 200, "body": json.dumps({"tracked": tracked})}


if __name__ == "__main__":
    for line in sys.stdin:
        if line.strip():
            handle(json.loads(line))
    # analytics.py registered posthog.shutdown with atexit: the queue is sent on exit.
