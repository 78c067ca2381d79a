"""Joint statements (/statements/)."""

from django.urls import path

from komar.statements.views import drafting, endorsing, exports, pages

urlpatterns = [
    path("", pages.statement_list, name="statement_list"),
    path("new/", drafting.statement_create, name="statement_create"),
    path(
        "endorsements/<int:pk>/withdraw/",
        endorsing.endorsement_withdraw,
        name="endorsement_withdraw",
    ),
    path(
        "endorsements/<int:pk>/reconfirm/",
        endorsing.endorsement_reconfirm,
        name="endorsement_reconfirm",
    ),
    path("endorsements/<int:pk>/decide/", endorsing.endorsement_decide, name="endorsement_decide"),
    path("endorsements/<int:pk>/move/", endorsing.endorsement_move, name="endorsement_move"),
    path("<slug:slug>/", pages.statement_detail, name="statement_detail"),
    path("<slug:slug>/versions/", pages.statement_versions, name="statement_versions"),
    path("<slug:slug>/pdf/", pages.statement_pdf, name="statement_pdf"),
    path(
        "<slug:slug>/signatories.csv",
        exports.signatories_csv,
        name="statement_signatories_csv",
    ),
    path("<slug:slug>/edit/", drafting.statement_edit, name="statement_edit"),
    path("<slug:slug>/committee/", drafting.committee_add, name="statement_committee_add"),
    path(
        "<slug:slug>/committee/<int:org_id>/remove/",
        drafting.committee_remove,
        name="statement_committee_remove",
    ),
    path("<slug:slug>/items/", drafting.item_link, name="statement_item_link"),
    path(
        "<slug:slug>/items/<int:item_id>/remove/",
        drafting.item_unlink,
        name="statement_item_unlink",
    ),
    path("<slug:slug>/move/<str:step>/", drafting.statement_move, name="statement_move"),
    path("<slug:slug>/endorse/", endorsing.endorse, name="statement_endorse"),
    path("<slug:slug>/manage/", endorsing.statement_manage, name="statement_manage"),
]
