"""The commitments tracker's API: sources, items, actions and assessments, for signed-in members
and token holders (anonymous callers get 401). The same permission rules as the web: reads need
`commitments.view`; an item or assessment the caller may not see answers 404; a change they may
not make answers 403. Bilingual fields come as `*_en` / `*_km` pairs; vocabularies as codes."""

from komar.commitments.api.items import items_router, sources_router
from komar.commitments.api.workflow import actions_router, assessments_router

__all__ = ["actions_router", "assessments_router", "items_router", "sources_router"]
