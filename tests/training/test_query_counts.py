"""The list pages issue the same number of statements whatever the number of rows."""

from datetime import date

from portal.training import kudos
from tests.conftest import as_user, count_queries
from tests.factories import PersonFactory
from tests.training import helpers


def statements(app, client, url):
    client.get(url)  # warm caches (policy, translations) out of the count
    with count_queries(app) as stmts:
        assert client.get(url).status_code == 200
    return len(stmts)


def grow(world, n, start):
    for i in range(n):
        c = helpers.course(world.hr, title=f"Course {start + i}")
        helpers.with_assessment(c, world.hr)
        helpers.assign(world.hr, c, due_on=date(2020, 1, 1), team_id=world.team_a.id)
        helpers.assign(world.hr, c, person_id=world.agent_a1.id)
        PersonFactory(manager=world.sup_a, team=world.team_a, market=world.hk)
        kudos.give_kudos(
            world.agent_b1, world.agent_a1.id, "Teamwork", "x", True, f"t{start + i}", "/"
        )


def test_list_pages_do_not_grow_with_rows(app, client, world, no_panel_cache):
    urls = [
        "/training/",
        "/training/courses",
        "/training/assignments",
        "/training/team",
        "/training/team/export.csv",
        f"/training/people/{world.agent_a1.id}",
        "/recognition/",
    ]
    grow(world, 2, 0)
    as_user(client, world.hr)
    small = {u: statements(app, client, u) for u in urls}
    grow(world, 6, 100)
    large = {u: statements(app, client, u) for u in urls}
    assert small == large


def test_own_training_page_does_not_grow(app, client, world):
    grow(world, 1, 0)
    as_user(client, world.agent_a1)
    small = statements(app, client, "/training/")
    grow(world, 5, 100)
    assert statements(app, client, "/training/") == small
