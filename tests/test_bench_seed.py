"""The benchmarks' seeder (``bench/seed.py``, PostgreSQL COPY) writes rows every model accepts:
a column added to a model without a database default must be added there too."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_seed_fills_every_table_it_writes():
    from bench.seed import seed
    from tracker_accounts.models import Profile
    from tracker_projects.models import Activity, Membership, Project, Task

    info = seed(users=20, projects=4, tasks=60, due_today_share=0.2, late_share=0.2, hot_tasks=20)
    assert info["tasks"] == 60
    assert Task.objects.count() == 60
    assert Project.objects.count() == 4
    assert Membership.objects.filter(role="manager").count() == 4
    assert Profile.objects.filter(role="manager").count() == 2
    assert Activity.objects.filter(verb="task.created").count() == 60
    assert Activity.objects.filter(verb="project.created").count() == 4
