from django.urls import include, path, re_path

from komar.api.api import mount
from komar.api.errors import not_found_view
from komar.commitments.urls import public_urlpatterns as progress_urls
from komar.core import views as core_views

api = mount()

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("komar.accounts.urls")),
    path("directory/", include("komar.organisations.urls")),
    path("audit/", include("komar.audit.urls")),
    path("places/", include("komar.places.urls")),
    path("statistics/", include("komar.statistics.urls")),
    path("cases/", include("komar.cases.urls")),
    path("notifications/", include("komar.notifications.urls")),
    path("commitments/", include("komar.commitments.urls")),
    path("progress/", include(progress_urls)),
    path("", include("komar.participation.urls")),
    path("statements/", include("komar.statements.urls")),
    path("account/", include("allauth.urls")),
    path("api/v1/", not_found_view, name="api_root"),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found_view),
]

handler400 = "komar.core.views.error_400"
handler403 = "komar.core.views.error_403"
handler404 = "komar.core.views.error_404"
handler500 = "komar.core.views.error_500"
