from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from config import views
from config.api import APIDocsView, router
from core import audit_views, error_views, inbox_views
from core import people as people_views
from reviews.api import LanguageCheckView

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("reviews/", include("reviews.urls")),
    path("playbook/", include("playbook.urls")),
    path("recognition/", include("recognition.urls")),
    path("", include("insights.urls")),
    path("teams/", include("teams.urls")),
    path("integrations/", include("integrations.urls")),
    path("audit/", audit_views.audit_log, name="audit"),
    path("people/", people_views.people_search, name="people"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/unread/", inbox_views.unread, name="inbox-unread"),
    path("inbox/read/", inbox_views.mark_read, name="inbox-read"),
    path("inbox/settings/", inbox_views.settings_page, name="notification-settings"),
    path("inbox/<str:notification_id>/", inbox_views.follow, name="inbox-follow"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", APIDocsView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/language-check/", LanguageCheckView.as_view(), name="api-language-check"),
    path("api/", include(router.urls)),
]

# Errors: a page of the site for people, JSON under /api/ (core/error_views.py).
handler400 = error_views.bad_request
handler403 = error_views.permission_denied
handler404 = error_views.page_not_found
handler500 = error_views.server_error
