from django.urls import path

from recognition import views

app_name = "recognition"
urlpatterns = [
    path("", views.index, name="index"),
    path("give/", views.give, name="give"),
    path("<int:pk>/second/", views.second, name="second"),
    path("<int:pk>/hide/", views.hide, name="hide"),
]
