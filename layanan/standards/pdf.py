"""The standard as an A4 PDF, from the same rows as the web page.

WeasyPrint renders HTML+CSS to PDF without a browser; the flow chart goes in
as an SVG data URI so the PDF needs no network and no temporary files.
"""

import base64

from django.template.loader import render_to_string

from .flowchart import render_swimlane_svg
from .interchange import step_dict


def render_standard_pdf(context: dict) -> bytes:
    from weasyprint import HTML  # imported lazily: heavy, and only this view needs it

    std = context["std"]
    svg = render_swimlane_svg([step_dict(s) for s in std.steps.all()], title=std.service.name)
    flow_uri = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    html = render_to_string("portal/standard_pdf.html", {**context, "flow_uri": flow_uri})
    return HTML(string=html).write_pdf()
