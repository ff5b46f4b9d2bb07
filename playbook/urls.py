from django.urls import path

from playbook import views

app_name = "playbook"
urlpatterns = [
    path("", views.index, name="index"),
]
