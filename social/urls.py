app_name = "social"

urlpatterns = []
