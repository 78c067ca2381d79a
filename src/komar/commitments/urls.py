"""The tracker inside Komar (/commitments/) and the public progress site (/progress/)."""

from django.urls import path

from komar.commitments.views import dashboard, items, public, transfer, workflow

urlpatterns = [
    path("", items.item_list, name="commitments_list"),
    path("new/", items.item_create, name="commitments_item_create"),
    path("items/<int:pk>/", items.item_detail, name="commitments_item"),
    path("items/<int:pk>/edit/", items.item_edit, name="commitments_item_edit"),
    path("items/<int:pk>/archive/", items.item_archive, name="commitments_item_archive"),
    path("items/<int:pk>/publish/", items.item_publish, name="commitments_item_publish"),
    path("items/<int:pk>/actors/", items.actor_add, name="commitments_actor_add"),
    path(
        "items/<int:pk>/actors/<int:actor_id>/remove/",
        items.actor_remove,
        name="commitments_actor_remove",
    ),
    path("items/<int:pk>/links/", items.link_add, name="commitments_link_add"),
    path("items/<int:pk>/actions/", workflow.action_add, name="commitments_action_add"),
    path(
        "actions/<int:action_id>/status/", workflow.action_status, name="commitments_action_status"
    ),
    path("items/<int:pk>/assess/", workflow.assessment_add, name="commitments_assessment_add"),
    path("assessments/<int:aid>/", workflow.assessment_detail, name="commitments_assessment"),
    path(
        "assessments/<int:aid>/move/", workflow.assessment_move, name="commitments_assessment_move"
    ),
    path("assessments/<int:aid>/evidence/", workflow.evidence_add, name="commitments_evidence_add"),
    path("evidence/<int:eid>/", workflow.evidence_download, name="commitments_evidence"),
    path("review/", workflow.review, name="commitments_review"),
    path("changes/", items.changes, name="commitments_changes"),
    path("sources/", items.source_list, name="commitments_sources"),
    path("sources/new/", items.source_create, name="commitments_source_create"),
    path("sources/<int:pk>/edit/", items.source_edit, name="commitments_source_edit"),
    path("dashboard/", dashboard.dashboard, name="commitments_dashboard"),
    path("import/", transfer.import_items, name="commitments_import"),
    path("import/template.<str:fmt>", transfer.import_template, name="commitments_import_template"),
    path("export.<str:fmt>", transfer.export_items, name="commitments_export"),
]

public_urlpatterns = [
    path("", public.progress_home, name="progress_home"),
    path("items/", public.progress_list, name="progress_list"),
    path("items/<int:pk>/", public.progress_item, name="progress_item"),
    path("changes/", public.progress_changes, name="progress_changes"),
    path("evidence/<int:eid>/", public.progress_evidence, name="progress_evidence"),
]
