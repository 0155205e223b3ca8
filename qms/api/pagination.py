from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

# Beyond this an offset is no page of anything (and would overflow the database's integer).
MAX_NUMBER = 2**31 - 1


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``?limit=&offset=`` with a default page of 50 and a hard maximum of 500 (a larger limit gives 500).

    DRF reads a limit or offset that is not a whole number as if it were not given; the schema says they
    are integers, so a client sending ``offset=0.95`` or ``limit=-1`` hears so (400) instead of getting
    the first page as if nothing were wrong."""

    default_limit = settings.API_PAGE_SIZE
    max_limit = settings.API_MAX_PAGE_SIZE

    def _whole_number(self, request, name: str, minimum: int) -> int | None:
        text = request.query_params.get(name)
        if text is None:
            return None
        if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= MAX_NUMBER:
            raise ValidationError({name: [_("Give a whole number of at least %(minimum)s.") % {"minimum": minimum}]})
        return int(text)

    def get_limit(self, request):
        limit = self._whole_number(request, self.limit_query_param, 1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request):
        return self._whole_number(request, self.offset_query_param, 0) or 0
