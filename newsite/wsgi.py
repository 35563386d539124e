import os

from django.core.wsgi import get_wsgi_application

from newsite.proxy import ForwardedFor

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsite.settings")

application = ForwardedFor.wrap(get_wsgi_application())
