"""What the newsletter app tells apps above it (see comments/signals.py for the rules)."""

from django.dispatch import Signal

# A subscriber confirmed subscriptions. Arguments: ``subscriber``, ``lists``.
subscription_confirmed = Signal()
