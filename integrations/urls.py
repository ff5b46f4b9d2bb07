from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("sources/new/", views.source_create, name="source-create"),
    path("sources/<str:pk>/", views.source_detail, name="source"),
    path("sources/<str:pk>/rotate/", views.source_rotate, name="source-rotate"),
    path("deliveries/<str:pk>/", views.delivery_detail, name="delivery"),
    path("deliveries/<str:pk>/retry/", views.delivery_retry, name="delivery-retry"),
    path("link/<str:review_pk>/", views.record_link, name="link"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/new/", views.webhook_create, name="webhook-create"),
    path("webhooks/<str:pk>/", views.webhook_detail, name="webhook"),
    path("webhooks/<str:pk>/remove/", views.webhook_remove, name="webhook-remove"),
    path("trackers/send/<str:item_pk>/", views.send_to_tracker, name="send-to-tracker"),
    path("trackers/<str:name>/webhook/", views.tracker_webhook, name="tracker-webhook"),
    path("in/<str:token>/", views.receive, name="receive"),
]
