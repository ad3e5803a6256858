"""The people CSV format, checked without HTTP or a database."""

from datetime import date

from portal.org import importer
from portal.org.import_lookup import Reference

HEADER = ",".join(importer.COLUMNS)


def reference(**overrides) -> Reference:
    values = dict(
        positions={"agent": 1, "supervisor": 2},
        markets={"hk": (10, "Asia/Hong_Kong"), "jp": (11, "Asia/Tokyo")},
        segments={"small": 20},
        teams={"team a": [(30, 10)], "shared": [(31, 10), (32, 11)]},
        people_by_email={"boss@example.com": (100, True), "gone@example.com": (101, False)},
        employee_ids=frozenset({"e-taken"}),
        languages={"en", "ja", "zh_Hant"},
        today=date(2026, 1, 15),
    )
    values.update(overrides)
    return Reference(**values)


def row(**cells) -> str:
    values = {
        "name": "Person",
        "email": "p@example.com",
        "employee_id": "E-1",
        "position": "agent",
        "manager_email": "boss@example.com",
        "hire_on": "2024-03-04",
        "position_since_on": "2024-03-04",
        "market": "HK",
        "active": "yes",
    }
    values.update(cells)
    return ",".join(values.get(c, "") for c in importer.COLUMNS)


def plan_for(*rows: str, header: str = HEADER, ref: Reference | None = None):
    parsed = importer.read_csv(("\n".join([header, *rows]) + "\n").encode())
    if parsed.problem:
        return importer.ImportPlan(problem=parsed.problem)
    return importer.check_rows(parsed.rows, ref or reference())


def errors_of(plan) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in plan.errors}


def test_a_good_row_becomes_a_new_person_with_defaults_filled_in():
    plan = plan_for(row(team="Team A", segment="small", locale="", time_zone="", active=""))
    assert plan.ok
    (person,) = plan.people
    assert person.row == 2
    assert (person.position_id, person.market_id, person.segment_id, person.team_id) == (
        1,
        10,
        20,
        30,
    )
    assert person.locale == "en" and person.time_zone == "Asia/Hong_Kong"  # the market's zone
    assert person.is_active and person.manager_email == "boss@example.com"
    assert person.hire_on == date(2024, 3, 4)


def test_every_bad_cell_is_reported_by_row_and_column():
    plan = plan_for(
        row(),
        row(
            email="not-an-email",
            employee_id="E-2",
            position="pilot",
            hire_on="04/03/2024",
            market="XX",
            locale="fr",
            time_zone="Mars/Base",
            active="maybe",
        ),
        row(email="c@example.com", employee_id="E-3", name="", position_since_on="2020-01-01"),
    )
    assert not plan.ok and plan.people == ()
    assert errors_of(plan) == {
        (3, "email"),
        (3, "position"),
        (3, "hire_on"),
        (3, "market"),
        (3, "locale"),
        (3, "time_zone"),
        (3, "active"),
        (4, "name"),
        (4, "position_since_on"),
    }


def test_duplicates_within_the_file_and_against_the_portal_are_errors():
    plan = plan_for(
        row(email="a@example.com", employee_id="E-1"),
        row(email="A@Example.com", employee_id="E-2"),
        row(email="b@example.com", employee_id="e-1"),
        row(email="boss@example.com", employee_id="E-TAKEN", manager_email=""),
    )
    messages = {(e.row, e.column): e.message for e in plan.errors}
    assert messages[(3, "email")] == "This e-mail is also in row 2."
    assert messages[(4, "employee_id")] == "This employee ID is also in row 2."
    assert "already in the portal" in messages[(5, "email")]
    assert "already in the portal" in messages[(5, "employee_id")]
    assert errors_of(plan) == {(3, "email"), (4, "employee_id"), (5, "email"), (5, "employee_id")}


def test_managers_later_in_the_file_come_first_in_the_plan():
    plan = plan_for(
        row(email="agent@example.com", employee_id="E-1", manager_email="sup@example.com"),
        row(email="sup@example.com", employee_id="E-2", manager_email="mgr@example.com"),
        row(email="mgr@example.com", employee_id="E-3", manager_email="boss@example.com"),
        row(email="other@example.com", employee_id="E-4", manager_email=""),
    )
    assert plan.ok
    order = [p.email for p in plan.people]
    assert order.index("mgr@example.com") < order.index("sup@example.com")
    assert order.index("sup@example.com") < order.index("agent@example.com")
    assert len(order) == 4


def test_loops_of_managers_within_the_file_are_row_errors():
    plan = plan_for(
        row(email="x@example.com", employee_id="E-1", manager_email="y@example.com"),
        row(email="y@example.com", employee_id="E-2", manager_email="z@example.com"),
        row(email="z@example.com", employee_id="E-3", manager_email="x@example.com"),
        row(email="self@example.com", employee_id="E-4", manager_email="self@example.com"),
        row(email="fine@example.com", employee_id="E-5"),
    )
    assert errors_of(plan) == {
        (2, "manager_email"),
        (3, "manager_email"),
        (4, "manager_email"),
        (5, "manager_email"),
    }
    assert "Rows 2, 3, 4 name each other" in plan.errors[0].message


def test_unknown_and_deactivated_managers_are_row_errors():
    plan = plan_for(
        row(email="a@example.com", employee_id="E-1", manager_email="who@example.com"),
        row(email="b@example.com", employee_id="E-2", manager_email="gone@example.com"),
    )
    assert [(e.row, e.message) for e in plan.errors] == [
        (2, "No one has this e-mail, here or in the file."),
        (3, "This manager is deactivated."),
    ]


def test_a_team_name_shared_by_markets_needs_the_market():
    assert not plan_for(row(market="", team="Shared")).ok
    assert plan_for(row(market="JP", team="Shared")).people[0].team_id == 32
    wrong_market = plan_for(row(market="JP", team="Team A"))
    assert errors_of(wrong_market) == {(2, "team")}


def test_a_bom_and_windows_line_ends_are_accepted():
    data = ("\ufeff" + HEADER + "\r\n" + row() + "\r\n").encode()
    parsed = importer.read_csv(data)
    assert parsed.problem is None and len(parsed.rows) == 1


def test_a_file_that_is_not_utf8_gets_one_clear_message():
    data = (HEADER + "\n" + row(name="Nguyễn")).encode("utf-16")
    parsed = importer.read_csv(data)
    assert parsed.rows == () and "not UTF-8" in parsed.problem
    latin1 = (HEADER + "\n" + row(name="José")).encode("latin-1")
    assert "not UTF-8" in importer.read_csv(latin1).problem


def test_missing_unknown_and_repeated_columns_get_one_clear_message():
    problem = plan_for(row(), header=HEADER.replace("email,", "e_mail,")).problem
    assert "missing: email" in problem and "not known: e_mail" in problem
    assert "repeated: name" in plan_for(header="name," + HEADER).problem
    assert importer.read_csv(b"").problem == "The file is empty."
    assert "no people" in importer.read_csv((HEADER + "\n").encode()).problem


def test_only_the_required_columns_are_needed():
    plan = plan_for("Ana,ana@example.com,E-9,agent", header="name,email,employee_id,position")
    assert plan.ok and plan.people[0].manager_email is None


def test_a_row_with_more_cells_than_columns_is_an_error():
    plan = plan_for(row() + ",surplus")
    assert errors_of(plan) == {(2, "")}


def test_an_exported_row_reads_back_as_the_same_facts(world):
    values = importer.export_row(world.agent_a1, "supa@world.example.com")
    assert dict(zip(importer.COLUMNS, values, strict=True)) == {
        "name": "A1 MK-A1",
        "name_romanised": "",
        "email": "a1@world.example.com",
        "employee_id": "W-A1",
        "position": "agent",
        "manager_email": "supa@world.example.com",
        "hire_on": "2023-01-09",
        "position_since_on": "2024-01-08",
        "market": "HK",
        "segment": "SMALL",
        "team": "Team A",
        "locale": "en",
        "time_zone": "Asia/Hong_Kong",
        "active": "yes",
    }
