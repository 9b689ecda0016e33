"""The reports' pure parts: SVG charts, periods, percentiles, formats, complaint topics, zones."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from layanan.reports import charts, metrics, periods

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str):
    return ET.fromstring(svg)


def bars(root):
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("height") and r.get("width")]


# ---------------------------------------------------------------- charts


def test_hbar_is_accessible_svg_with_the_numbers_in_its_description():
    svg = charts.hbar([("Situs web", 40), ("Loket", 20)], title="Per kanal")
    root = parse(svg)
    assert root.get("role") == "img"
    labelled = root.get("aria-labelledby").split()
    assert root.find("svg:title", NS).text == "Per kanal"
    assert root.find("svg:desc", NS).text == "Situs web: 40; Loket: 20"
    assert {root.find("svg:title", NS).get("id"), root.find("svg:desc", NS).get("id")} == set(labelled)
    widths = [float(r.get("width")) for r in bars(root)]
    assert widths[0] == pytest.approx(2 * widths[1])  # proportional


def test_charts_use_no_style_script_or_external_resource():
    for svg in (
        charts.hbar([("a", 1)], title="t"),
        charts.columns([("1 Okt", 3)], title="t"),
        charts.split_bars([("a", 1, 2)], title="t"),
        charts.histogram([("1–2", 4)], title="t", markers=[("median", 0.5, "#000")]),
    ):
        assert "style=" not in svg and "<script" not in svg and "href" not in svg and "url(" not in svg
        parse(svg)


def test_labels_are_escaped_and_shortened():
    svg = charts.hbar(
        [("<script>alert(1)</script> & a very long service name indeed, really", 3)], title="x<y"
    )
    root = parse(svg)  # well-formed despite the markup in the label
    assert "<script>" not in svg
    text = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")][0]
    assert len(text) <= charts.LABEL_CHARS and text.endswith("…")


def test_empty_zero_and_odd_values_give_a_readable_chart():
    assert "Tidak ada data" in charts.hbar([], title="Kosong")
    assert "Tidak ada data" in charts.columns([], title="Kosong")
    zero = parse(charts.hbar([("a", 0), ("b", 0)], title="Nol"))
    assert all(float(r.get("width")) == 0 for r in bars(zero))
    odd = parse(charts.columns([("a", None), ("b", float("nan")), ("c", -5), ("d", 2)], title="Aneh"))
    assert len(bars(odd)) == 4


def test_the_same_input_gives_the_same_bytes():
    rows = [("Januari", 3), ("Februari", 5)]
    assert charts.columns(rows, title="t") == charts.columns(rows, title="t")
    assert charts.columns(rows, title="t") != charts.columns(rows, title="u")


def test_columns_write_at_most_about_twelve_x_labels():
    rows = [(f"{d} Okt", d) for d in range(1, 32)]
    root = parse(charts.columns(rows, title="Oktober"))
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text and "Okt" in t.text]
    assert 10 <= len(labels) <= 16 and labels[0] == "1 Okt"


def test_split_bars_draw_both_parts_and_a_legend():
    root = parse(charts.split_bars([("Layanan A", 7, 3)], title="Tepat waktu"))
    widths = [float(r.get("width")) for r in bars(root) if float(r.get("height")) > 12]
    assert widths[0] == pytest.approx(7 / 3 * widths[1])
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "tepat waktu" in texts and "terlambat" in texts and "7 / 3" in texts


def test_histogram_markers_sit_inside_their_bin():
    edges = [0, 0.5, 1, 2, 3, 5, 10, 20, 60]
    assert charts.bin_position(2.5, edges) == pytest.approx(3.5)  # middle of "2–3"
    assert charts.bin_position(0.25, edges) == pytest.approx(0.5)
    assert charts.bin_position(100, edges) == pytest.approx(len(edges) - 0.5)
    assert charts.bin_position(None, edges) is None
    svg = charts.histogram([("a", 1), ("b", 2)], title="Waktu", markers=[("median 2,5", 1.5, "#000")])
    assert "median 2,5" in svg and "stroke-dasharray" in svg


def test_nice_max():
    assert [charts.nice_max(v) for v in (0, 0.3, 1, 7, 12, 51, 100, 101)] == [
        1,
        0.5,
        1,
        10,
        20,
        100,
        100,
        200,
    ]


# ---------------------------------------------------------------- periods


def test_periods_and_their_labels():
    oct_ = periods.month(2026, 10)
    assert (oct_.start, oct_.end, oct_.label, oct_.slug) == (
        date(2026, 10, 1),
        date(2026, 11, 1),
        "Oktober 2026",
        "2026-10",
    )
    q4 = periods.quarter(2026, 4)
    assert (q4.start, q4.end, q4.label, q4.slug) == (
        date(2026, 10, 1),
        date(2027, 1, 1),
        "Triwulan IV 2026",
        "2026-T4",
    )
    assert periods.year(2026).label == "Tahun 2026"
    assert periods.previous("month", date(2026, 1, 15)) == periods.month(2025, 12)
    assert periods.previous("quarter", date(2026, 2, 1)) == periods.quarter(2025, 4)
    assert periods.parse_slug("2026-T4") == q4 and periods.parse_slug("2026") == periods.year(2026)
    for bad in ("", "2026-13", "2026-T5", "abc", "26-1"):
        with pytest.raises(ValueError):
            periods.parse_slug(bad)
    custom = periods.Period(date(2026, 10, 5), date(2026, 10, 20))
    assert custom.label == "5 Oktober 2026 – 19 Oktober 2026" and custom.bucket() == "day"
    assert periods.year(2026).bucket() == "month" and q4.bucket() == "week"


def test_bounds_are_local_midnights_in_utc():
    start, end = periods.month(2026, 10).bounds("Asia/Makassar")  # WITA, UTC+8
    assert start.isoformat() == "2026-09-30T16:00:00+00:00" and end.isoformat() == "2026-10-31T16:00:00+00:00"


def test_buckets_cover_the_period_without_gaps():
    q = periods.quarter(2026, 4)
    weeks = periods.buckets(q, "week")
    assert weeks[0] == date(2026, 9, 28) and all(w.weekday() == 0 for w in weeks)
    assert len(periods.buckets(periods.year(2026), "month")) == 12
    assert len(periods.buckets(periods.month(2026, 2), "day")) == 28


# ---------------------------------------------------------------- metrics


def test_percentile_is_linear_interpolation():
    assert metrics.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert metrics.percentile([0.5, 1, 1.5, 2, 2.5, 2.5, 3, 6.5, 7, 8], 0.9) == pytest.approx(7.1)
    assert metrics.percentile([5], 0.9) == 5 and metrics.percentile([], 0.5) is None


def test_sla_figures_count_only_promised_requests_for_met():
    f = metrics.SlaFigures()
    f.add(has_promise=True, breached=False, working_days=1)
    f.add(has_promise=True, breached=True, working_days=3)
    f.add(has_promise=False, breached=False, working_days=2)
    assert (f.finished, f.with_promise, f.met, f.breached) == (3, 2, 1, 1)
    assert f.met_pct == 50.0 and f.median == 2
    assert metrics.SlaFigures().met_pct is None


def test_indonesian_number_formats():
    assert metrics.fmt_num(1234) == "1.234"
    assert metrics.fmt_num(12.345, 1) == "12,3"
    assert metrics.fmt_num(1234.5, 2) == "1.234,50"
    assert metrics.fmt_pct(70) == "70,0 %" and metrics.fmt_pct(None) == "—"
    assert metrics.fmt_days(2.5) == "2,5 hari kerja"
    assert metrics.fmt_duration(0.1, 51) == "51 menit kerja"
    assert metrics.fmt_duration(0.5, 255) == "4,2 jam kerja"
    assert metrics.fmt_duration(3, 1530) == "3,0 hari kerja"


def test_topics_count_each_word_once_per_complaint_without_stop_words():
    subjects = [
        "Antrean loket terlalu lama",
        "Loket perizinan tutup, antrean panjang",
        "Petugas loket tidak ramah",
        "Pengaduan: jalan rusak di desa 12",
    ]
    found = dict(metrics.topics(subjects))
    assert found["loket"] == 3 and found["antrean"] == 2
    assert "pengaduan" not in found and "di" not in found and "tidak" not in found and "12" not in found
    assert metrics.topics(["Loket loket LOKET"]) == [("loket", 1)]


def test_zones_follow_the_thresholds():
    assert [metrics.zone(v, 81, 51) for v in (100, 81, 80.99, 51, 50.99, 0)] == [
        "green",
        "green",
        "yellow",
        "yellow",
        "red",
        "red",
    ]
    assert metrics.zone(75, 70, 40) == "green" and metrics.zone(None, 81, 51) is None
    assert metrics.composite({"a": 100, "b": None, "c": 50}) == 75 and metrics.composite({"a": None}) is None


# ---------------------------------------------------------------- working days (facts.py)


def test_working_days_count_parts_of_days_holidays_and_weekends():
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from layanan.reports.facts import working_days_between, working_time
    from layanan.sla import WorkingCalendar

    wib = ZoneInfo("Asia/Jakarta")
    calendar = WorkingCalendar.from_config("Asia/Jakarta", {}, [date(2026, 10, 7)])  # a Wednesday closed
    monday = datetime(2026, 10, 5, 7, 30, tzinfo=wib)
    assert working_days_between(calendar, monday, monday.replace(hour=11, minute=45)) == pytest.approx(0.5)
    # Mon 07:30 → Thu 11:45: Mon, Tue, (Wed closed), half of Thu.
    assert working_days_between(calendar, monday, datetime(2026, 10, 8, 11, 45, tzinfo=wib)) == pytest.approx(
        2.5
    )
    # A Friday (07:30–16:30) still counts 1; the weekend 0.
    assert working_days_between(
        calendar, datetime(2026, 10, 9, 7, 30, tzinfo=wib), datetime(2026, 10, 12, 7, 30, tzinfo=wib)
    ) == pytest.approx(1)
    # Counting agrees with walking the days, over years (weeks by arithmetic).
    start = datetime(2024, 3, 14, 10, 0, tzinfo=wib)
    for span in (1, 6, 13, 100, 800):
        end = start + timedelta(days=span, hours=3)
        walked, day = 0.0, start.date()
        while day <= end.date():
            if calendar.is_working_day(day):
                o, c = (datetime.combine(day, t, tzinfo=wib) for t in calendar.office_hours[day.isoweekday()])
                lo, hi = max(start, o), min(end, c)
                walked += max(0.0, (hi - lo) / (c - o))
            day += timedelta(days=1)
        assert working_days_between(calendar, start, end) == pytest.approx(walked)
    # Pauses are not working time.
    minutes, days = working_time(
        calendar, monday, monday.replace(hour=16), [(monday.replace(hour=9), monday.replace(hour=10))]
    )
    assert (minutes, days) == (450, pytest.approx(7.5 / 8.5, abs=1e-4))
    assert working_days_between(calendar, monday, monday) == 0
