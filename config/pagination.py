from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination with a client-chosen page size, capped so one request stays cheap."""

    page_size_query_param = "page_size"
    max_page_size = 500
