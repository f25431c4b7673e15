"""Invoke the Python airplane's Lambda handler, then die without atexit: only the handler's flush sends events."""

import os
import sys

from scenario import enter

enter(sys.argv[1])
from billing_webhook import lambda_handler  # noqa: E402

for line in sys.stdin:
    print(lambda_handler({"body": line}, None)["body"], flush=True)
os._exit(0)  # a frozen Lambda container runs no exit hooks
