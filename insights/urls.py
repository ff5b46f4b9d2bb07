from django.urls import path

from insights import views

# No namespace: the route names predate the app ("insights", "snapshot", "shared-snapshot", …).
urlpatterns = [
    path("insights/", views.dashboard, name="insights"),
    path("insights/snapshot/", views.snapshot_page, name="snapshot"),
    path("insights/snapshot.pdf", views.snapshot_pdf, name="snapshot-pdf"),
    path("insights/customer/", views.customer_page, name="snapshot-customer"),
    path("insights/figures.csv", views.figures_csv, name="figures-csv"),
    path("insights/incidents.csv", views.incidents_csv, name="incidents-csv"),
    path("s/<str:token>/", views.shared_snapshot, name="shared-snapshot"),
    path("api/insights/", views.InsightsView.as_view(), name="api-insights"),
]
