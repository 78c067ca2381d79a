"""The Komar JSON API (django-ninja). Each app owns its router; this module only mounts them.

Every route states who may use it: `auth=None` marks a public route; the default is a signed-in
user (session or bearer token), and routes check the permission table for more."""

from django.conf import settings
from ninja import NinjaAPI

from komar.api import errors
from komar.api.auth import session_or_token

api = NinjaAPI(
    title="Komar API",
    version="1",
    description=(
        "Komar's JSON API. Authenticate with your browser session or an API token "
        "(`Authorization: Bearer kmr_…`). Errors share one format: "
        '`{"error": {"status", "code", "message", "fields": [{"path", "message"}]}}`.'
    ),
    auth=session_or_token,
    urls_namespace="api",
)
errors.install(api)


def mount() -> NinjaAPI:
    from komar.accounts.api import router as accounts_router
    from komar.audit.api import router as audit_router
    from komar.cases.api import referrals_router, rules_router, watch_router
    from komar.cases.api import router as cases_router
    from komar.commitments.api import (
        actions_router,
        assessments_router,
        items_router,
        sources_router,
    )
    from komar.geo.api import router as geo_router
    from komar.organisations.api import router as organisations_router
    from komar.participation.api import events_router, themes_router
    from komar.places.api import places_router
    from komar.places.api import router as situations_router
    from komar.statements.api import endorsements_router, statements_router
    from komar.statistics.api import indicators_router
    from komar.statistics.api import router as returns_router

    api.add_router("/organisations", organisations_router)
    api.add_router("/provinces", geo_router)
    api.add_router("/situations", situations_router)
    api.add_router("/places", places_router)
    api.add_router("/returns", returns_router)
    api.add_router("/indicators", indicators_router)
    api.add_router("/me", accounts_router)
    api.add_router("/audit", audit_router)
    api.add_router("/cases", cases_router)
    api.add_router("/watch", watch_router)
    api.add_router("/referrals", referrals_router)
    api.add_router("/rules", rules_router)
    api.add_router("/commitments/sources", sources_router)
    api.add_router("/commitments/items", items_router)
    api.add_router("/commitments/actions", actions_router)
    api.add_router("/commitments/assessments", assessments_router)
    api.add_router("/statements/endorsements", endorsements_router)
    api.add_router("/statements", statements_router)
    api.add_router("/events", events_router)
    api.add_router("/feedback-themes", themes_router)
    return api


PAGE_SIZE = settings.KOMAR_API_PAGE_SIZE
