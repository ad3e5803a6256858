from tests.coaching.helpers import meetings_of, setup_series
from tests.conftest import as_user


def test_smoke(app, world):
    found = setup_series(world)
    assert set(found) == {world.agent_a1.id, world.agent_a2.id}
    ms = meetings_of(found[world.agent_a1.id])
    assert len(ms) == 4, ms
    client = as_user(app.test_client(), world.sup_a)
    for url in [
        "/coaching/",
        f"/coaching/meetings/{ms[0].id}",
        f"/coaching/series/{ms[0].series_id}",
        "/coaching/actions",
        "/coaching/completion",
        "/coaching/sessions",
        "/coaching/calendar",
        f"/coaching/sessions/new/{world.agent_a1.id}",
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[-3000:])
