from django.urls import register_converter


class AgencyCodeConverter:
    """Agency codes are upper case (DINSOS-SEKADAU), so they never clash with
    the lower-case prefixes of the rest of the site (/api/, /kelola/…)."""

    regex = "[A-Z0-9][A-Z0-9-]*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AgencyCodeConverter, "agency")
