# Filled in by the comments API (comments/api.py).
urlpatterns = []
