from django.urls import path

from komar.statistics import views

urlpatterns = [
    path("", views.national_picture_view, name="national_picture"),
    path("children-held.csv", views.national_picture_csv, name="national_picture_csv"),
    path("returns/", views.return_list, name="return_list"),
    path("population/", views.population, name="population"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_job, name="import_job"),
    path("import/template.<slug:kind>", views.import_template, name="import_template"),
    path("returns/new/", views.return_create, name="return_create"),
    path("returns/validate/", views.returns_validate_many, name="returns_validate_many"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/edit/", views.return_edit, name="return_edit"),
    path("returns/<int:pk>/<slug:action>/", views.return_transition, name="return_transition"),
]
