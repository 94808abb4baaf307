"""The item catalogue: categories, items with their base unit, and the units a quantity
may be entered in (斤 = 0.5 kg, a box of 20 masks = 20 pieces).

Quantities are stored in the item's base unit as decimals with three places; a unit of
measure converts to the base unit by its ``factor``. Reference data: every member reads it.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Localised(models.Model):
    """A row with a Chinese name and an optional English one."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class ItemCategory(Localised):
    SCOPE_PUBLIC_TO_MEMBERS = True

    code = models.CharField(_("code"), max_length=24, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("item category")
        verbose_name_plural = _("item categories")


class Item(Localised):
    """Something stocked and handed out. ``base_unit`` is a unit code (``piece``, ``kg``,
    ``bottle`` ...): every quantity of the item is kept in it."""

    SCOPE_PUBLIC_TO_MEMBERS = True

    code = models.CharField(_("code"), max_length=32, unique=True)
    category = models.ForeignKey(
        ItemCategory, on_delete=models.PROTECT, related_name="items", verbose_name=_("category")
    )
    base_unit = models.ForeignKey(
        "supplies.MeasureUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("base unit"),
    )
    tracks_expiry = models.BooleanField(_("has an expiry date"), default=False)
    tracks_lot = models.BooleanField(_("has a lot number"), default=False)
    unit_value = models.DecimalField(
        _("value per base unit (yuan)"), null=True, blank=True, max_digits=14, decimal_places=2
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__code", "code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")


class MeasureUnit(Localised):
    """A unit a quantity may be given in. A general unit (``item`` empty) converts to the
    units with the same ``dimension`` (斤 → kg); an item's own pack (a box of 20) converts
    to that item's base unit only."""

    SCOPE_PUBLIC_TO_MEMBERS = True

    code = models.CharField(_("code"), max_length=24, unique=True)
    dimension = models.CharField(_("dimension"), max_length=16)
    factor = models.DecimalField(
        _("base units in one"), max_digits=14, decimal_places=6, default=Decimal(1)
    )
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="packs",
        verbose_name=_("only for item"),
    )

    class Meta:
        ordering = ["dimension", "factor", "code"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        constraints = [
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="measureunit_factor_pos")
        ]
