"""URL configuration of the bare floor: startproject's admin, and the floor view."""

from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("floor/", views.floor),
]
