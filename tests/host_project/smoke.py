"""A short API flow against the host project, through Django's test client."""

import django

django.setup()

from django.core import mail  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
client = Client()

health = client.get("/tracker-api/health/")
assert health.status_code == 200, health.content
assert health.json()["database"] == "ok", health.json()

missing = client.get("/tracker-api/nothing-here/")
assert missing.status_code == 404 and missing.json()["code"] == "not_found", missing.content

sent = client.post(
    "/tracker-api/auth/send-otp/", {"email": "host@example.com"}, content_type="application/json"
)
assert sent.status_code == 202, sent.content
assert len(mail.outbox) == 1 and "host@example.com" in mail.outbox[0].to
print("host project: health, envelope and send-otp OK under /tracker-api/")
