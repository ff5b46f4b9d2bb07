from django.urls import path

from reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.review_list, name="index"),
    path("new/", views.review_create, name="create"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/amend/", views.review_amend, name="amend"),
    path("<int:pk>/roles/", views.assign_role, name="assign-role"),
    path("<int:pk>/roles/<int:assignment_pk>/", views.role_correct, name="role-correct"),
    path("<int:pk>/roles/<int:assignment_pk>/end/", views.role_end, name="role-end"),
    path("<int:pk>/roles/<int:assignment_pk>/remove/", views.role_remove, name="role-remove"),
    path("<int:pk>/timeline/", views.add_entry, name="add-entry"),
    path("<int:pk>/timeline/<int:entry_pk>/", views.entry_correct, name="entry-correct"),
    path("<int:pk>/timeline/<int:entry_pk>/remove/", views.entry_remove, name="entry-remove"),
    path("<int:pk>/participants/", views.invite, name="invite"),
    path("<int:pk>/scores/", views.scores, name="scores"),
    path("<int:pk>/participants/<int:participant_pk>/remove/", views.participant_remove, name="participant-remove"),
    path("<int:pk>/findings/", views.add_finding, name="add-finding"),
    path("<int:pk>/findings/<int:finding_pk>/", views.finding_correct, name="finding-correct"),
    path("<int:pk>/findings/<int:finding_pk>/remove/", views.finding_remove, name="finding-remove"),
    path("<int:pk>/actions/", views.add_action, name="add-action"),
    path("<int:pk>/actions/<int:item_pk>/", views.action_correct, name="action-correct"),
    path("<int:pk>/actions/<int:item_pk>/state/", views.action_state, name="action-state"),
    path("<int:pk>/language/dismiss/", views.dismiss, name="dismiss"),
    path("<int:pk>/mute/", views.mute, name="mute"),
    path("<int:pk>/publish/confirm/", views.publish_confirm, name="publish-confirm"),
    path("<int:pk>/<slug:action>/", views.transition, name="transition"),
]
