from django.urls import path

from playbook import views

app_name = "playbook"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.propose, name="propose-new"),
    path("revisions/", views.revision_list, name="revisions"),
    path("revisions/<int:pk>/", views.revision_detail, name="revision"),
    path("revisions/<int:pk>/edit/", views.revision_edit, name="revision-edit"),
    path("revisions/<int:pk>/rebase/", views.rebase_view, name="rebase"),
    path("revisions/<int:pk>/<slug:action>/", views.revision_action, name="revision-action"),
    path("cycle/", views.cycle, name="cycle"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/<slug:action>/", views.task_action, name="task-action"),
    path("<slug:slug>/", views.section, name="section"),
    path("<slug:slug>/v<int:number>/", views.section, name="version"),
    path("<slug:slug>/v<int:number>/restore/", views.restore, name="restore"),
    path("<slug:slug>/compare/", views.compare_versions, name="compare"),
    path("<slug:slug>/propose/", views.propose, name="propose"),
]
