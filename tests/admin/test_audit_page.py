"""The HR audit-log page: filters, keyset paging, htmx fragment, constant query count."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from portal import audit
from portal.admin.audit_queries import changed_fields, utc_bounds
from portal.extensions import db
from tests.conftest import as_user, count_queries


def entry(actor, action: str, record_type: str = "person", record_id=None, before=None, after=None):
    made = audit.record(actor, action, record_type, record_id, before, after)
    db.session.commit()
    return made


def shown_ids(html: str) -> list[int]:
    """The audit entry ids on a page, in order."""
    return [int(i) for i in re.findall(r'data-entry="(\d+)"', html)]


def test_hr_sees_who_did_what_with_before_and_after(client, world):
    entry(
        world.hr,
        "person.edit",
        "person",
        world.agent_a1.id,
        {"name": "Old MK-OLDNAME", "team_id": 1, "locale": "en"},
        {"name": "New MK-NEWNAME", "team_id": 1, "locale": "ja"},
    )
    as_user(client, world.hr)
    response = client.get("/admin/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Person edited" in html and "hr@world.example.com" in html
    assert "MK-OLDNAME" in html and "MK-NEWNAME" in html
    assert "Language:" in html and "Team:" not in html, "only changed keys are shown"


def test_times_are_shown_in_the_viewers_time_zone(client, world, monkeypatch):
    monkeypatch.setattr("portal.audit.utcnow", lambda: datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    entry(world.hr, "person.edit", "person", world.agent_a1.id)
    monkeypatch.undo()
    as_user(client, world.hr)  # Asia/Hong_Kong: UTC+8, so already 2 March, 7:30 AM
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Mar 2, 2026, 7:30\u202fAM" in html and "7:30:00" not in html  # no seconds


def test_a_non_hr_viewer_is_refused(client, world):
    for person in (world.head, world.sup_a, world.qa, world.agent_a1):
        as_user(client, person)
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit?date_from=nonsense").status_code == 403


def test_filters_narrow_the_entries(client, world):
    grant = entry(world.qa, "grant.create", "staff_grant", 7)
    sign_in = entry(world.sup_a, "auth.sign_in", "person", world.sup_a.id)
    edit = entry(world.hr, "person.edit", "person", world.agent_a1.id)
    as_user(client, world.hr)

    def ids(query: str) -> set[int]:
        html = client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return set(shown_ids(html)) & {grant.id, sign_in.id, edit.id}

    assert ids("") == {grant.id, sign_in.id, edit.id}
    assert ids("actor=mk-supa") == {sign_in.id}
    assert ids("actor=QA%40WORLD") == {grant.id}
    assert ids("action=grant.") == {grant.id}
    assert ids("action=auth") == {sign_in.id}
    assert ids("record_type=staff_grant") == {grant.id}
    assert ids(f"record_type=person&record_id={world.agent_a1.id}") == {edit.id}
    assert ids("actor=%25") == set(), "a % is a character to find, not a wildcard"


def test_a_date_range_covers_whole_days_in_the_viewers_time_zone():
    start, end = utc_bounds(date(2026, 3, 2), date(2026, 3, 2), "Asia/Hong_Kong")
    assert start == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def test_the_date_filter_finds_entries_of_that_day(client, world):
    made = entry(world.hr, "person.edit", "person", world.agent_a1.id)
    as_user(client, world.hr)
    today = made.at.astimezone(ZoneInfo("Asia/Hong_Kong")).date()
    html = client.get(f"/admin/audit?date_from={today}&date_to={today}").get_data(as_text=True)
    assert made.id in shown_ids(html)
    html = client.get("/admin/audit?date_to=2000-01-01").get_data(as_text=True)
    assert shown_ids(html) == []


def test_bad_filters_are_refused_with_clear_messages(client, world):
    as_user(client, world.hr)
    response = client.get("/admin/audit?date_from=2026-02-30&record_id=abc&actor=typed-text")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid date value." in html and "Not a valid integer value." in html
    assert 'value="typed-text"' in html, "what was typed is kept"
    reversed_range = client.get("/admin/audit?date_from=2026-03-02&date_to=2026-03-01")
    assert reversed_range.status_code == 422
    assert "The end date is before the start date." in reversed_range.get_data(as_text=True)


def test_htmx_gets_only_the_results_fragment(client, world):
    entry(world.hr, "person.edit", "person", world.agent_a1.id)
    as_user(client, world.hr)
    response = client.get("/admin/audit?action=person", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="audit_results"')
    assert "<html" not in html
    full = client.get("/admin/audit?action=person").get_data(as_text=True)
    assert 'hx-target="#audit_results"' in full and '<section id="audit_results"' in full


def test_pages_follow_each_other_newest_first_by_keyset(app, client, world):
    made = [entry(world.hr, f"test.step{i}", "thing", i) for i in range(60)]
    as_user(client, world.hr)
    size = app.config["PAGE_SIZE"]
    seen: list[int] = []
    url = "/admin/audit?action=test."
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += shown_ids(html)
        match = re.search(r'href="([^"]+)"[^>]*rel="next"', html)
        url = match.group(1).replace("&amp;", "&") if match else None
        assert url is None or "action=test." in url, "paging keeps the filters"
    assert seen == sorted((m.id for m in made), reverse=True)
    assert len(seen) == 60 and size < 60


def test_the_query_count_does_not_grow_with_the_rows(app, client, world):
    for i in range(3):
        entry(world.hr, "person.edit", "person", world.agent_a1.id, {"n": i}, {"n": i + 1})
    as_user(client, world.hr)
    client.get("/admin/audit")
    with count_queries(app) as few:
        client.get("/admin/audit")
    for i in range(40):
        entry(world.sup_a, "person.edit", "person", world.agent_a2.id, {"n": i}, {"n": i + 1})
    with count_queries(app) as many:
        html = client.get("/admin/audit").get_data(as_text=True)
    assert len(shown_ids(html)) == app.config["PAGE_SIZE"]
    assert len(many) == len(few)


def test_changed_fields_handles_every_shape():
    assert [
        (c.key, c.before, c.after) for c in changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3})
    ] == [("b", 2, 3)]
    assert [c.key for c in changed_fields(None, {"z": 1, "a": 2})] == ["a", "z"]
    assert [(c.before, c.after) for c in changed_fields({"x": 1}, None)] == [(1, None)]
    assert changed_fields(None, None) == []
    assert [(c.key, c.before, c.after) for c in changed_fields(None, 5)] == [("value", None, 5)]
