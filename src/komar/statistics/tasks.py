"""Background work for statistics (django-tasks API; run by `komar worker`)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task

from komar.audit import services as audit
from komar.statistics.importer import ImportFileError, run_import
from komar.statistics.models import ImportJob


@task()
def import_returns(job_id: int) -> str:
    """Check and write one uploaded file. Idempotent: a finished job is not run again."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.done:
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)

    def progress(line: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=line)

    with translation.override(job.language):
        try:
            result = run_import(
                Path(job.stored_path),
                job.file_name,
                actor=job.created_by,
                organisation_id=job.organisation_id,
                progress=progress,
            )
        except ImportFileError as exc:
            job.status, job.message = ImportJob.Status.FAILED, str(exc)
        else:
            job.rows, job.processed = result.rows, result.rows
            job.created, job.updated, job.unchanged = (
                result.created,
                result.updated,
                result.unchanged,
            )
            job.error_count = result.error_count
            job.errors = [
                {"row": e.row, "column": e.column, "message": e.message} for e in result.errors
            ]
            job.status = (
                ImportJob.Status.FAILED if result.error_count else ImportJob.Status.SUCCEEDED
            )
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save()
        audit.record(
            actor=job.created_by,
            action="count_return.import",
            target=audit.Target.of(job, job.file_name),
            changes={
                "status": {"new": job.status},
                "sha256": {"new": job.sha256},
                "created": {"new": job.created},
                "updated": {"new": job.updated},
                "unchanged": {"new": job.unchanged},
                "errors": {"new": job.error_count},
            },
            organisation_id=job.organisation_id,
        )
    return job.status
