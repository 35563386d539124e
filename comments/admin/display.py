"""Helpers the admin's columns share."""

from django.urls import reverse
from django.utils.text import Truncator


def excerpt(text: str, chars: int = 80) -> str:
    return Truncator(" ".join(text.split())).chars(chars)


def comment_admin_url(pk: int) -> str:
    return reverse("admin:comments_comment_change", args=[pk])
