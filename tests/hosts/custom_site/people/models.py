from django.contrib.auth.models import AbstractUser
from django.db import models


class Person(AbstractUser):
    """The site's own user: a username, an email unique to one person, a nickname."""

    email = models.EmailField(unique=True)
    nickname = models.CharField(max_length=50, blank=True)
