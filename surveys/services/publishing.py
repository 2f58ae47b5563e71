"""Sharing a round's results with everyone: HR publishes a closed round, and from
then on employees see its organisation-wide figures on the dashboards."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from org.models import Person
from surveys.models import Round, Survey

log = logging.getLogger(__name__)

PUBLISH_PERMISSION = "org.view_org_results"


def round_publish(*, round: Round, by: Person, now: dt.datetime | None = None) -> Round:
    """Publish a round's results; publishing it again changes nothing.

    Only a closed round: figures that still move after they are shared would let a
    reader work out the late answers by comparing the two.
    """
    if not by.user.has_perm(PUBLISH_PERMISSION):
        raise PermissionDenied("Only HR can publish results.")
    if round.survey.audience != Survey.Audience.EMPLOYEES:
        raise ValidationError("Only employee surveys' results are shared with staff.")
    if round.closed_at is None:
        raise ValidationError(
            "This round is still open: publish its results once it has closed."
        )
    now = now or timezone.now()
    if Round.objects.filter(pk=round.pk, results_published_at=None).update(
        results_published_at=now
    ):
        log.info("Results of round %s published by person %s", round.pk, by.pk)
    round.refresh_from_db(fields=["results_published_at"])
    return round
