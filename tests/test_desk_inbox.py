"""The staff inbox: scopes per role, filters, keyset pagination, constant query counts."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from layanan.agencies.models import Unit
from layanan.requests import inbox as queries
from layanan.requests import lifecycle
from layanan.requests.models import Request, SlaStatus, State

from .conftest import login
from .test_desk_request_page import new_request, user

CODE = re.compile(r">([A-Z0-9-]+-\d{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</a>")


def codes(html: str) -> list[str]:
    return CODE.findall(html)


def inbox_codes(username, query="") -> list[str]:
    response = login(username).get(reverse("desk:inbox") + query)
    assert response.status_code == 200
    return codes(response.content.decode())


def ids(username, scope, **filters) -> set[int]:
    page = queries.inbox(user(username), scope=scope, filters=queries.InboxFilters(**filters),
                         page_size=500)
    return {r.pk for r in page.rows}


# ---------------------------------------------------------------- scopes


def test_scopes_per_role_on_the_dinsos_chain(demo):
    first = new_request("DINSOS-SEKADAU")  # step 4: front_desk in "Layanan Data dan Pengaduan"
    second = new_request("DINSOS-SEKADAU")
    lifecycle.perform(second, user("dinsos.petugas"), "advance")
    lifecycle.perform(second, user("dinsos.tu"), "advance")  # → step 6: the Kadis disposes
    second.refresh_from_db()
    both = {first.pk, second.pk}

    assert ids("dinsos.petugas", "saya") == {first.pk}
    assert ids("dinsos.kadis", "saya") == {second.pk}
    assert ids("dinsos.kadis", "instansi") == both
    assert ids("dinsos.sekretaris", "instansi") == both
    assert ids("dinsos.admin", "instansi") == both
    # The data officer works in the service unit: not his step yet, but his unit's.
    assert ids("dinsos.data", "saya") == set()
    assert ids("dinsos.data", "unit") == {first.pk}
    # The Kabid heads the bidang above the service unit: the subtree scope sees it, his own unit not.
    assert ids("dinsos.kabid", "unit") == set()
    assert first.pk in ids("dinsos.kabid", "instansi")

    seksi = Unit.objects.get(agency=first.agency, name__startswith="Seksi Rehabilitasi Sosial Penyandang")
    lifecycle.perform(second, user("dinsos.kadis"), "dispose", to_user=user("dinsos.kasi"), to_unit=seksi,
                      note="Verifikasi")
    assert ids("dinsos.kasi", "saya") == {second.pk}
    assert ids("dinsos.kasi", "unit") == {second.pk}
    assert ids("dinsos.kasi", "instansi") == {second.pk}  # his seksi has no units below
    assert ids("dinsos.kadis", "saya") == set()
    assert second.pk in ids("dinsos.kabid", "instansi")  # the seksi is under his bidang


def test_scope_tabs_follow_the_roles(demo):
    assert [k for k, _label in queries.scopes_for(user("dinsos.petugas"))] == ["saya", "unit"]
    assert [k for k, _label in queries.scopes_for(user("dinsos.kabid"))] == ["saya", "unit", "instansi"]
    assert [k for k, _label in queries.scopes_for(user("dinsos.kadis"))] == ["saya", "unit", "instansi"]
    # A scope the user may not open falls back to "my tasks" (never another's data).
    new_request("DINSOS-SEKADAU")
    assert inbox_codes("dinsos.data", "?lingkup=instansi") == []
    assert len(inbox_codes("dinsos.kadis", "?lingkup=instansi")) == 1


def test_the_inbox_shows_only_the_own_agency(demo):
    mine, theirs = new_request("DINSOS-SEKADAU"), new_request("DPMN-SOLOK")
    shown = inbox_codes("dinsos.kadis", "?lingkup=instansi&status=semua")
    assert mine.tracking_code in shown and theirs.tracking_code not in shown


# ---------------------------------------------------------------- filters


def test_filters_state_service_channel_sla_and_assignee(demo):
    kediri = [s for s in demo["ORGANISASI-KEDIRI"].services.filter(published_standard__isnull=False)
              .order_by("position")][:2]
    a = new_request("ORGANISASI-KEDIRI", kediri[0].code, channel="counter")
    b = new_request("ORGANISASI-KEDIRI", kediri[0].code, channel="whatsapp")
    c = new_request("ORGANISASI-KEDIRI", kediri[1].code, channel="letter")
    d = new_request("ORGANISASI-KEDIRI", kediri[1].code, channel="letter")
    lifecycle.perform(d, user("kediri.kabag"), "withdraw", note="Pemohon menelepon", confirmed=True)
    now = timezone.now()
    hour = timedelta(hours=1)
    Request.objects.filter(pk=a.pk).update(at_risk_at=now - hour, due_at=now + hour)
    Request.objects.filter(pk=b.pk).update(at_risk_at=now - 2 * hour, due_at=now - hour)
    Request.objects.filter(pk=c.pk).update(at_risk_at=now + timedelta(days=1), due_at=now + timedelta(days=2),
                                           assignee=user("kediri.pelaksana"))
    Request.objects.filter(pk=d.pk).update(sla_status=SlaStatus.BREACHED)

    head = "kediri.kabag"
    assert ids(head, "instansi") == {a.pk, b.pk, c.pk}  # default tab: open
    assert ids(head, "instansi", tab="semua") == {a.pk, b.pk, c.pk, d.pk}
    assert ids(head, "instansi", tab=State.WITHDRAWN) == {d.pk}
    assert ids(head, "instansi", service=kediri[1].pk) == {c.pk}
    assert ids(head, "instansi", channel="whatsapp") == {b.pk}
    assert ids(head, "instansi", sla="risiko") == {a.pk}
    assert ids(head, "instansi", sla="lewat") == {b.pk}
    assert ids(head, "instansi", sla="lewat", tab="semua") == {b.pk, d.pk}
    assert ids(head, "instansi", assignee=str(user("kediri.pelaksana").pk)) == {c.pk}
    assert ids(head, "instansi", assignee="kosong") == {a.pk, b.pk}

    # Through the view: GET parameters, tab counts, badges; a bad value is ignored, never a 500.
    client = login(head)
    html = client.get(reverse("desk:inbox") + f"?lingkup=instansi&layanan={kediri[0].pk}&kanal=whatsapp"
                      ).content.decode()
    assert codes(html) == [b.tracking_code]
    assert "Melewati tenggat" in html
    response = client.get(reverse("desk:inbox") + "?lingkup=instansi&layanan=abc&kanal=merpati&sla=x"
                          "&petugas=999999&status=zzz&setelah=!!")
    assert response.status_code == 200
    assert set(codes(response.content.decode())) == {a.tracking_code, b.tracking_code, c.tracking_code}
    counts = queries.inbox(user(head), scope="instansi").counts
    assert counts["terbuka"] == 3 and counts["withdrawn"] == 1 and counts["semua"] == 4


def test_tab_counts_are_one_aggregate_query(demo, django_assert_num_queries):
    for _i in range(3):
        new_request("DINSOS-SEKADAU")
    qs = queries.scope_queryset(user("dinsos.kadis"), "instansi")
    with django_assert_num_queries(2):  # the open states, and the finished ones (then cached)
        counts = queries.state_counts(qs)
    assert counts["received"] == 3 and counts["terbuka"] == 3
    with django_assert_num_queries(0):  # both cached for a while
        assert queries.state_counts(qs) == counts


# ---------------------------------------------------------------- keyset pagination


@pytest.fixture
def sixty(demo):
    """60 Dinsos requests: distinct due times, ties on the same due time, and no due time."""
    base = timezone.now().replace(microsecond=123456)
    made = [new_request("DINSOS-SEKADAU", subject=f"Permintaan {i}") for i in range(60)]
    for i, req in enumerate(made):
        if i % 6 == 0:
            due = None
        elif i % 4 == 0:
            due = base + timedelta(days=3)  # a tie shared by several requests
        else:
            due = base + timedelta(hours=i * 7 % 50, microseconds=i)
        Request.objects.filter(pk=req.pk).update(due_at=due, at_risk_at=None)
    rows = Request.objects.filter(pk__in=[r.pk for r in made])
    far = base + timedelta(days=3650)
    expected = sorted(rows.values_list("due_at", "id"), key=lambda t: (t[0] or far, t[1]))
    return [pk for _due, pk in expected]


def test_keyset_pagination_walks_every_request_once_in_due_order(sixty):
    kadis = user("dinsos.kadis")
    seen, cursor, pages = [], "", 0
    while True:
        page = queries.inbox(kadis, scope="instansi", cursor=cursor, page_size=7)
        seen += [r.pk for r in page.rows]
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == sixty  # no duplicates, no gaps, due time first (nulls last) then id
    assert pages == 9


def test_keyset_pagination_through_the_view(sixty):
    client = login("dinsos.kadis")
    url = reverse("desk:inbox") + "?lingkup=instansi"
    shown, pages = [], 0
    while url:
        html = client.get(url).content.decode()
        shown += codes(html)
        pages += 1
        nxt = re.search(r'rel="next" href="([^"]+)"', html)
        url = reverse("desk:inbox") + nxt.group(1).replace("&amp;", "&") if nxt else None
    expected = dict(Request.objects.filter(pk__in=sixty).values_list("id", "tracking_code"))
    assert shown == [expected[pk] for pk in sixty]
    assert pages == 3  # 60 requests, 25 a page


def test_the_cursor_survives_a_round_trip_and_rejects_garbage():
    now = timezone.now()
    assert queries.decode_cursor(queries.encode_cursor(now, 42)) == (now, 42)
    assert queries.decode_cursor(queries.encode_cursor(None, 7)) == (None, 7)
    for bad in ("", "!!", "bm9wZQ", "MTIzLmFiYw"):
        assert queries.decode_cursor(bad) is None


# ---------------------------------------------------------------- query counts


def _view_queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_query_counts_are_constant_for_the_first_and_a_deep_page(sixty, django_assert_num_queries):
    # The read itself: positions and the page (the unit head adds his unit tree); the tab
    # counts are cached after a scope's first load (two more queries then).
    for name, scope in [("dinsos.kadis", "instansi"), ("dinsos.kabid", "instansi"),
                        ("dinsos.kabid", "unit"), ("dinsos.kabid", "saya")]:
        queries.inbox(user(name), scope=scope)
    kadis = user("dinsos.kadis")
    with django_assert_num_queries(2):
        first = queries.inbox(kadis, scope="instansi", page_size=10)
    kadis = user("dinsos.kadis")
    with django_assert_num_queries(2):
        deep = queries.inbox(kadis, scope="instansi", page_size=10, cursor=first.next_cursor)
    kadis = user("dinsos.kadis")
    with django_assert_num_queries(2):
        queries.inbox(kadis, scope="instansi", page_size=50, cursor=deep.next_cursor)
    kabid = user("dinsos.kabid")
    with django_assert_num_queries(3):
        queries.inbox(kabid, scope="instansi", page_size=10)
    kabid = user("dinsos.kabid")
    with django_assert_num_queries(2):
        queries.inbox(kabid, scope="saya", page_size=10)

    # The whole view (session, user, filter choices, …): the same count on every page and page size.
    client = login("dinsos.kadis")
    url = reverse("desk:inbox") + "?lingkup=instansi&status=semua"
    client.get(url)  # the finished tabs' counts are cached after the first load
    on_first = _view_queries(client, url)
    html = client.get(url).content.decode()
    deep = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    on_deep = _view_queries(client, reverse("desk:inbox") + deep)
    assert len(on_first) == len(on_deep) <= 10
    assert not any("OFFSET" in sql.upper() for sql in on_first + on_deep)


def test_query_count_does_not_grow_with_rows(demo):
    client = login("dinsos.kadis")
    url = reverse("desk:inbox") + "?lingkup=instansi"
    new_request("DINSOS-SEKADAU")
    client.get(url)  # the finished tabs' counts are cached after the first load
    few = len(_view_queries(client, url))
    for _i in range(20):
        req = new_request("DINSOS-SEKADAU")
        Request.objects.filter(pk=req.pk).update(assignee=user("dinsos.data"))
    assert len(_view_queries(client, url)) == few


def test_request_page_query_count_is_bounded(demo):
    req = new_request("DINSOS-SEKADAU")
    client = login("dinsos.kadis")
    url = reverse("desk:request", args=[req.pk])
    client.get(url)  # the agency's unit tree and posts are cached after the first load
    before = len(_view_queries(client, url))
    for i in range(5):
        lifecycle.perform(req, user("dinsos.kadis"), "note", note=f"Catatan {i}", public=False)
    assert len(_view_queries(client, url)) == before <= 25
