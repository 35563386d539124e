"""What the ratings app tells apps above it (see comments/signals.py for the rules)."""

from django.dispatch import Signal

# A voter's vote on an article was made, changed or withdrawn. Arguments: ``article``,
# ``stars`` (None when withdrawn).
rating_changed = Signal()
