"""Pages of the library part: the good examples (practices other units can learn from) of every audit
the reader sees, searchable and filtered by organisation, principle, theme, year and unit, with export.
Starts from ``Finding.objects.visible_to(user)``: an assessor sees those of the audits they assess and
of their own units, nothing else."""

from django.utils.translation import gettext_lazy as _

from audits.filtersets.library import GoodExampleFilterSet, good_examples
from audits.models import Finding
from audits.tables.library import GoodExampleTable
from audits.views.model import AuditNavMixin
from qms.views.generic import ObjectListView

FINDINGS = Finding.objects.select_related("audit__unit", "audit__organisation", "principle", "theme")


class GoodExampleListView(AuditNavMixin, ObjectListView):
    queryset = FINDINGS
    filterset_class = GoodExampleFilterSet
    table_class = GoodExampleTable
    template_name = "audits/library/good_example_list.html"
    title = _("Good examples")
    export_name = "good-examples"
    nav = "good_examples"

    def get_queryset(self):
        return good_examples(super().get_queryset())
