from django.urls import path

from staff import views

app_name = "staff"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/undo/", views.undo, name="undo"),
    path("<int:pk>/ban/", views.ban, name="ban"),
    path("bulk/", views.bulk, name="bulk"),
    path("authors/<int:comment_id>/", views.author, name="author"),
    path("authors/<int:comment_id>/trust/", views.trust, name="trust"),
]
