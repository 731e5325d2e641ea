from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # versions, comparison and JSON in the browser (issue #6)
    path("ventures/<slug:slug>/versions/", views.versions, name="versions"),
    path("ventures/<slug:slug>/versions/<int:number>/", views.version_detail, name="version"),
    path("ventures/<slug:slug>/versions/<int:number>.json", views.version_json, name="version_js"),
    path("ventures/<slug:slug>/versions/<int:number>/restore/", views.restore, name="restore"),
    path("ventures/<slug:slug>/compare/", views.compare, name="compare"),
    path("ventures/<slug:slug>/canvas.json", views.canvas_json, name="canvas_json"),
    path("ventures/<slug:slug>/canvas.pdf", views.canvas_pdf, name="canvas_pdf"),  # issue #4
    path("ventures/<slug:slug>/upload/", views.upload, name="upload"),
    path("schema/canvas.json", views.schema_json, name="schema_json"),
    path("schema/", views.schema_page, name="schema"),
    # people, invitations, share links and the activity log (issue #5)
    path("ventures/<slug:slug>/people/", views.people, name="people"),
    path("ventures/<slug:slug>/people/invite/", views.invite, name="invite"),
    path(
        "ventures/<slug:slug>/people/invitations/<int:pk>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path(
        "ventures/<slug:slug>/people/members/<int:pk>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path("ventures/<slug:slug>/share/", views.share, name="share"),
    path("ventures/<slug:slug>/share/<int:pk>/revoke/", views.revoke_share, name="revoke_share"),
    path("ventures/<slug:slug>/activity/", views.activity, name="activity"),
    path("ventures/<slug:slug>/comments/<str:block>/", views.comments, name="comments"),
    path("ventures/<slug:slug>/comments/<int:pk>/reply/", views.reply, name="comment_reply"),
    path("ventures/<slug:slug>/comments/<int:pk>/resolve/", views.resolve, name="comment_resolve"),
    path("ventures/<slug:slug>/comments/<int:pk>/reopen/", views.reopen, name="comment_reopen"),
    path("cohorts/<slug:slug>/invite/", views.cohort_invite, name="cohort_invite"),
    path(
        "cohorts/<slug:slug>/invitations/<int:pk>/revoke/",
        views.revoke_cohort_invitation,
        name="revoke_cohort_invitation",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("s/<str:token>/", views.shared_canvas, name="shared_canvas"),
    path("s/<str:token>/canvas.pdf", views.shared_pdf, name="shared_pdf"),
    # the canvas editor and viewer, and the rule table (issue #3)
    path("ventures/<slug:slug>/canvas/", views.canvas_page, name="canvas"),
    path("ventures/<slug:slug>/canvas/header/", views.header, name="canvas_header"),
    path("ventures/<slug:slug>/canvas/header/edit/", views.header_edit, name="canvas_header_edit"),
    path("ventures/<slug:slug>/canvas/finances/", views.finances, name="canvas_finances"),
    path(
        "ventures/<slug:slug>/canvas/finances/edit/",
        views.finances_edit,
        name="canvas_finances_edit",
    ),
    path("ventures/<slug:slug>/canvas/readiness/", views.readiness, name="canvas_readiness"),
    path(
        "ventures/<slug:slug>/canvas/readiness/edit/",
        views.readiness_edit,
        name="canvas_readiness_edit",
    ),
    path(
        "ventures/<slug:slug>/canvas/partners/<int:pk>/to-vendor/",
        views.partner_to_vendor,
        name="partner_to_vendor",
    ),
    path("ventures/<slug:slug>/canvas/<str:block>/", views.entry_create, name="entry_create"),
    path("ventures/<slug:slug>/canvas/<str:block>/new/", views.entry_new, name="entry_new"),
    path("ventures/<slug:slug>/canvas/<str:block>/<int:pk>/", views.entry, name="entry"),
    path(
        "ventures/<slug:slug>/canvas/<str:block>/<int:pk>/edit/",
        views.entry_edit,
        name="entry_edit",
    ),
    path(
        "ventures/<slug:slug>/canvas/<str:block>/<int:pk>/delete/",
        views.entry_delete,
        name="entry_delete",
    ),
    path(
        "ventures/<slug:slug>/canvas/<str:block>/<int:pk>/move/",
        views.entry_move,
        name="entry_move",
    ),
    path("rules/", views.rules, name="rules"),
    path("admin/", admin.site.urls),
    path("cohorts/<slug:slug>/", views.cohort_dashboard, name="cohort"),
    path("cohorts/<slug:slug>/canvases.csv", views.cohort_csv, name="cohort_csv"),
    path("cohorts/<slug:slug>/compare/", views.cohort_compare, name="cohort_compare"),
    path("cohorts/<slug:slug>/exports/", views.cohort_export_start, name="cohort_export_start"),
    path(
        "cohorts/<slug:slug>/exports/<int:export_id>/",
        views.cohort_export_status,
        name="cohort_export_status",
    ),
    path(
        "cohorts/<slug:slug>/exports/<int:export_id>/download/",
        views.cohort_export_download,
        name="cohort_export_download",
    ),
]
