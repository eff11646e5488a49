"""A short API flow against the host project (the two wheels alone, mounted under
/tracker-api/), through Django's test client: sign up by code, sign in, a project, a task."""

import re

import django

django.setup()

from django.core import mail  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()
client = Client()
JSON = "application/json"
PREFIX = "/tracker-api"


def call(method, path, body=None, token=None, expect=200):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    fn = getattr(client, method)
    response = (
        fn(PREFIX + path, body, content_type=JSON, headers=headers)
        if body is not None
        else fn(PREFIX + path, headers=headers)
    )
    assert response.status_code == expect, (method, path, response.status_code, response.content[:300])
    return response.json() if response.content else None


assert call("get", "/health/")["database"] == "ok"
missing = client.get(PREFIX + "/nothing-here/")
assert missing.status_code == 404 and missing.json()["code"] == "not_found", missing.content

call("post", "/auth/send-otp/", {"email": "host@example.com"}, expect=202)
code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
email_token = call("post", "/auth/verify-otp/", {"email": "host@example.com", "otp": code})["email_token"]
pair = call(
    "post",
    "/auth/register/manager/",
    {
        "email_token": email_token,
        "password": "Corr3ct-Horse-Battery",
        "first_name": "Host",
        "last_name": "Site",
    },
    expect=201,
)
assert pair["user"]["role"] == "manager"
login = call("post", "/auth/login/", {"email": "HOST@example.com", "password": "Corr3ct-Horse-Battery"})
token = login["access"]
project = call("post", "/projects/create/", {"name": "Host project"}, token=token, expect=201)
task = call(
    "post", f"/projects/{project['slug']}/tasks/add/", {"title": "First task"}, token=token, expect=201
)
listed = call("get", f"/projects/{project['slug']}/task_list/", token=token)
assert [t["slug"] for t in listed["items"]] == [task["slug"]]
assert call("get", "/projects/", token=token)["count"] == 1
print("host project: sign-up, login, project and task OK under /tracker-api/")
