import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from newsite.proxy import ForwardedFor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsite.settings")

application = ForwardedFor.wrap(get_wsgi_application())

# What every request uses is loaded now rather than by the first one (the URLconf
# imports every view), then set aside from the garbage collector. Otherwise a full
# collection walks those ~165,000 objects every thousand or so requests, stopping the
# worker for ~80 ms on a fast machine: the request in hand and everyone queued behind it
# wait (the slowest 1% of a busy article's posts). They live as long as the process.
get_resolver().url_patterns  # noqa: B018 - loaded for its side effect
gc.collect()
gc.freeze()
