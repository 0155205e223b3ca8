from django.conf import settings
from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """``?limit=&offset=`` with a default page of 50 and a hard maximum of 500."""

    default_limit = settings.API_PAGE_SIZE
    max_limit = settings.API_MAX_PAGE_SIZE
