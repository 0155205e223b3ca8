"""The maturity model of an organisation: its five levels, its management principles (with the hard and
soft controls that evidence them and the questions assessors ask) and its three-year cycle. Texts are
kept in Dutch (the stored language) with an English translation beside them; ``localized`` picks the
reader's. Rules in ``audits.services.model``."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from audits.choices import LEVEL_MAX, LEVEL_MIN, ControlKind
from qms.querysets import ScopedQuerySet


class Bilingual:
    """Models with ``<field>`` (Dutch) and ``<field>_en`` (English) text."""

    def localized(self, field: str) -> str:
        if translation.get_language() == "en":
            return getattr(self, f"{field}_en", "") or getattr(self, field)
        return getattr(self, field)


class OrganisationScopedQuerySet(ScopedQuerySet):
    unit_field = "organisation"


class MaturityLevel(Bilingual, models.Model):
    """One of the five levels of an organisation's maturity model (seed 001, appendix 1)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="maturity_levels"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), validators=[MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)

    history = HistoricalRecords()
    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("maturity level")
        verbose_name_plural = _("maturity levels")
        ordering = ["organisation_id", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "level"],
                name="maturity_level_unique",
                violation_error_message=_("This organisation already describes this level."),
            ),
            models.CheckConstraint(
                condition=models.Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX),
                name="maturity_level_range",
                violation_error_message=_("A level is 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.level} {self.localized('name')}"


class Principle(Bilingual, models.Model):
    """A management principle an audit assesses (the nine of seed 001 by default)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="principles"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Principles out of use are no longer planned or assessed.")
    )

    history = HistoricalRecords()
    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("management principle")
        verbose_name_plural = _("management principles")
        ordering = ["organisation_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "code"],
                name="principle_code_unique",
                violation_error_message=_("This organisation already has a principle with this code."),
            ),
        ]

    def __str__(self):
        return self.localized("name")


class PrincipleControlQuerySet(ScopedQuerySet):
    unit_field = "principle__organisation"


class PrincipleControl(Bilingual, models.Model):
    """A hard or soft control that evidences a principle."""

    principle = models.ForeignKey(
        Principle, verbose_name=_("principle"), on_delete=models.CASCADE, related_name="controls"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ControlKind.choices)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()
    objects = PrincipleControlQuerySet.as_manager()

    class Meta:
        verbose_name = _("control")
        verbose_name_plural = _("controls")
        ordering = ["principle_id", "kind", "position", "id"]

    def __str__(self):
        return self.localized("text")


class PrincipleQuestion(Bilingual, models.Model):
    """A question the assessors ask about a principle (the assessment framework)."""

    principle = models.ForeignKey(
        Principle, verbose_name=_("principle"), on_delete=models.CASCADE, related_name="questions"
    )
    text = models.TextField(_("question"))
    text_en = models.TextField(_("question (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()
    objects = PrincipleControlQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment question")
        verbose_name_plural = _("assessment questions")
        ordering = ["principle_id", "position", "id"]

    def __str__(self):
        return self.localized("text")


class AuditCycle(models.Model):
    """A three-year plan of an organisation: which principles are assessed in which year. Every active
    principle is planned exactly once in the cycle (``audits.services.model.cycle_save``)."""

    organisation = models.ForeignKey(
        "qms.OrganisationUnit", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="audit_cycles"
    )
    first_year = models.PositiveSmallIntegerField(
        _("first year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()
    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit cycle")
        verbose_name_plural = _("audit cycles")
        ordering = ["organisation_id", "-first_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "first_year"],
                name="audit_cycle_unique",
                violation_error_message=_("This organisation already has a cycle starting in this year."),
            ),
        ]

    def __str__(self):
        return f"{self.first_year}-{self.last_year}"

    @property
    def last_year(self) -> int:
        from audits.choices import CYCLE_YEARS

        return self.first_year + CYCLE_YEARS - 1


class CyclePrincipleQuerySet(ScopedQuerySet):
    unit_field = "cycle__organisation"


class CyclePrinciple(models.Model):
    """One principle planned in one year of a cycle."""

    cycle = models.ForeignKey(AuditCycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="entries")
    principle = models.ForeignKey(
        Principle, verbose_name=_("principle"), on_delete=models.CASCADE, related_name="cycle_entries"
    )
    year = models.PositiveSmallIntegerField(_("year"))

    history = HistoricalRecords()
    objects = CyclePrincipleQuerySet.as_manager()

    class Meta:
        verbose_name = _("planned principle")
        verbose_name_plural = _("planned principles")
        ordering = ["cycle_id", "year", "principle__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "principle"],
                name="cycle_principle_once",
                violation_error_message=_("A principle is planned once in a cycle."),
            ),
        ]

    def __str__(self):
        return f"{self.year}: {self.principle}"
