"""What curators did: the change history of each organization, and bulk import jobs."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profiles.models.organizations import Organization


class OrganizationChange(models.Model):
    """One save of an organization: who, when, how, and each changed field's old and new value.

    Values are stored as the text a curator would read (codes for related rows), so the
    history stays readable after the vocabularies change.
    """

    class Via(models.TextChoices):
        WORKSPACE = "workspace", _("workspace")
        WORKFLOW = "workflow", _("workflow")
        IMPORT = "import", _("import")
        ADMIN = "admin", _("admin")

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("organization"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices)
    # The organization's version after this change.
    version = models.PositiveIntegerField(_("version"))
    created = models.BooleanField(_("created"), default=False)
    # {field name: [old, new]}
    fields = models.JSONField(_("changed fields"), default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("organization change")
        verbose_name_plural = _("organization changes")
        constraints = [
            # One change per version: two writers that both read version n cannot both
            # record n + 1 (the second's transaction fails instead of forking the history).
            models.UniqueConstraint(
                fields=["organization", "version"], name="one_change_per_organization_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} v{self.version}"

    def field_rows(self) -> list[tuple[str, Any, Any]]:
        """Return (label, old, new) for each changed field, in the model's field order."""
        labels = {
            field.name: getattr(field, "verbose_name", field.name)
            for field in Organization._meta.get_fields()
        }
        return [
            (str(labels.get(name, name)), old, new)
            for name, (old, new) in sorted(self.fields.items(), key=lambda item: item[0])
        ]


# A running job's worker stamps it every HEARTBEAT_SECONDS; one silent for LEASE_SECONDS
# has lost its worker (killed for its time, out of memory, redeployed).
HEARTBEAT_SECONDS = 10
LEASE_SECONDS = 45


class ImportJobQuerySet(models.QuerySet["ImportJob"]):
    def orphaned(self) -> ImportJobQuerySet:
        """Running jobs whose worker has not been heard from within the lease."""
        cutoff = timezone.now() - datetime.timedelta(seconds=LEASE_SECONDS)
        return self.filter(state=ImportJob.State.RUNNING).filter(
            models.Q(heartbeat_at__lt=cutoff)
            | models.Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
        )

    def fail_orphaned(self) -> int:
        """Mark orphaned jobs failed. Their transaction died with the worker: nothing written."""
        return self.orphaned().update(state=ImportJob.State.FAILED, finished_at=timezone.now())


class ImportJob(models.Model):
    """One run of a file through the importer: a dry run, or a commit of the same file."""

    class Mode(models.TextChoices):
        DRY_RUN = "dry_run", _("preview")
        COMMIT = "commit", _("commit")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("by"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file content"), editable=False)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    # The report: counts, warnings and errors (see profiles.importing.report).
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Last sign of life of the worker running the job (see HEARTBEAT_SECONDS).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # A preview's commit: one per preview, so a double click commits the file once.
    commit_job = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="preview",
        verbose_name=_("commit"),
    )

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_mode_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED, self.State.CANCELLED}

    @property
    def can_cancel(self) -> bool:
        """A job no worker has taken yet (a running one is past stopping: it finishes or
        fails, all or nothing)."""
        return self.state == self.State.QUEUED

    @property
    def can_retry(self) -> bool:
        """A failed job still holds its file (only a committed file is dropped)."""
        return self.state == self.State.FAILED

    def fail_if_orphaned(self) -> None:
        if ImportJob.objects.filter(pk=self.pk).fail_orphaned():
            self.refresh_from_db(fields=["state", "finished_at"])

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0 if not self.is_finished else 100
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def error_count(self) -> int:
        return len(self.report.get("errors", []))

    @property
    def can_commit(self) -> bool:
        return (
            self.mode == self.Mode.DRY_RUN
            and self.state == self.State.DONE
            and not self.report.get("errors")
            and bool(self.report.get("created") or self.report.get("updated"))
        )
