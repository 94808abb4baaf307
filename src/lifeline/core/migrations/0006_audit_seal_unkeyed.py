"""Seal the audit records written before the log was keyed.

Each chain's head gets ``unkeyed_until`` (its last seq so far) and an HMAC, under the
audit key, of that seq and the record's hash: from now on every record past it must be
keyed, and the ones before it cannot be rewritten without the key (verify checks the seal).
The HMAC is made here with the standard library rather than the app's code, as
migrations must not import the app; ``lifeline.core.audit.hashing`` checks it.

Stop every app server and worker of the old version before migrating: an unkeyed record
appended after this ran is reported by ``lifeline audit verify``.
"""

import hmac

from django.conf import settings
from django.db import migrations

LABEL = "lifeline audit unkeyed until"


def seal_unkeyed(apps, schema_editor):
    AuditChain = apps.get_model("core", "AuditChain")
    key = settings.AUDIT_KEY.strip().encode()
    for head in AuditChain.objects.select_for_update().filter(last_seq__gt=0).order_by("id"):
        message = f"{LABEL}|{head.id}|{head.last_seq}|{head.last_hash}".encode()
        head.unkeyed_until = head.last_seq
        head.unkeyed_seal = hmac.new(key, message, "sha256").hexdigest()
        head.save(update_fields=["unkeyed_until", "unkeyed_seal"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_audit_keyed"),
    ]

    operations = [
        migrations.RunPython(seal_unkeyed, migrations.RunPython.noop),
    ]
