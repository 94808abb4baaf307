"""Core tables: the audit chain, idempotency records and the notification outbox."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lifeline.core import clock
from lifeline.core.personal import mask_phone


class AuditChain(models.Model):
    """Head of one of the N audit hash chains (row-locked while appending)."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # Records up to this seq were written before the log was keyed (plain SHA-256). The
    # seal, an HMAC of that seq and its record's hash made when the log was keyed, stops
    # the boundary from being moved or the records below it rewritten without the key.
    unkeyed_until = models.BigIntegerField(default=0)
    unkeyed_seal = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"chain {self.id} @ {self.last_seq}"


class AuditRecord(models.Model):
    """One write or reveal. Never updated or deleted; never holds a personal value."""

    chain = models.PositiveSmallIntegerField()
    seq = models.BigIntegerField()
    at = models.DateTimeField()
    # No index of its own: audit_actor_idx (actor, at) serves it.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    area_path = models.CharField(max_length=255, blank=True)
    purpose = models.CharField(max_length=255, blank=True)
    # Made by the server for every request; what the client sent as X-Request-ID is kept
    # apart, so that a client cannot choose the chain its records go to or pass its own id
    # off as the server's.
    request_id = models.CharField(max_length=64, blank=True)
    client_request_id = models.CharField(max_length=64, blank=True, default="")
    fields = models.JSONField(default=list, blank=True)
    # Which key the hash was made with (``core.audit.hashing``); empty for records written
    # before the chain was keyed, whose hash is a plain SHA-256.
    key_id = models.CharField(max_length=16, blank=True, default="")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
            models.Index(fields=["at"], name="audit_at_idx"),
        ]
        ordering = ["chain", "seq"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self) -> str:
        return f"{self.chain}:{self.seq} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit records are append-only")


class IdempotencyRecord(models.Model):
    """The stored answer to a create, so a retried POST returns it instead of doubling."""

    owner = models.CharField(max_length=80)
    key = models.CharField(max_length=128)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner}:{self.key}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    # The dead-letter list: every attempt failed (or the provider refused the message for
    # good); it waits for an operator's retry or for its retention to run out.
    FAILED = "failed", _("failed")


class OutboxMessage(models.Model):
    """A notification written in the writer's transaction and sent later by the worker."""

    channel = models.CharField(max_length=20, default="sms")
    recipient = models.CharField(max_length=200)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # A pending message is due once this has passed: the backoff after a failed attempt,
    # or the end of a worker's claim (a worker that dies leaves it to expire).
    next_attempt_at = models.DateTimeField(default=clock.now)
    # The worker holding the message and until when (empty when nobody holds it).
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Retention of sent messages and the dead-letter list.
            models.Index(fields=["status", "created_at"], name="outbox_pending_idx"),
            # The worker's claim: pending messages whose time has come.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")

    def __str__(self) -> str:
        return f"{self.channel} to {mask_phone(self.recipient)} ({self.status})"


class ConfigStamp(models.Model):
    """A random value rewritten whenever a group of configuration tables changes, so each
    process can keep those tables in memory and reread them only after a change (see
    ``lifeline.core.config_cache``)."""

    name = models.CharField(max_length=64, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class RateCounter(models.Model):
    """How often one key (a user, a phone, an address, an ID-search) was used in one fixed
    time window. Shared by every process; incremented atomically (``core.ratelimit``)."""

    key = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratecounter_key_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratecounter_window_idx")]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.count}"
