"""Hospitals' capabilities were written as needs (critical, pregnant, ...); they are now
the capability vocabulary (``health.vocab.Capability``). Each need becomes the capabilities
it calls for; the mapping is written out here, as migrations import no app code."""

from django.db import migrations

NEED_CAPABILITIES = {
    "critical": ["emergency", "icu"],
    "dialysis": ["dialysis"],
    "pregnant": ["obstetrics"],
    "newborn": ["paediatrics"],
    "chemo": ["oncology"],
    "fever": ["infectious"],
}


def forwards(apps, schema_editor):
    hospital_model = apps.get_model("health", "DesignatedHospital")
    for hospital in hospital_model.objects.exclude(capabilities=[]):
        mapped: list[str] = []
        for value in hospital.capabilities or []:
            for capability in NEED_CAPABILITIES.get(value, [value]):
                if capability not in mapped:
                    mapped.append(capability)
        if mapped != hospital.capabilities:
            hospital.capabilities = mapped
            hospital.save(update_fields=["capabilities"])


class Migration(migrations.Migration):
    dependencies = [("health", "0005_hospital_names_phones_capabilities")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
