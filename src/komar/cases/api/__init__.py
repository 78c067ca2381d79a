"""The cases API: case records, their legal timeline, the deadline watch, referrals and rules.

A case someone may not see does not exist for them (404, never 403); a case they may see but not
change answers 403. The child's identity is only ever returned by `/cases/{code}/identity`, and
each read of a case (or of an identity) is written to the access log by the selectors/services.
"""

from komar.cases.api.cases import router
from komar.cases.api.referrals import referrals_router
from komar.cases.api.rules import rules_router
from komar.cases.api.watch import watch_router

__all__ = ["referrals_router", "router", "rules_router", "watch_router"]
