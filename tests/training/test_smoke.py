from tests.conftest import as_user
from tests.training import helpers


def test_pages_render_for_trainer_and_agent(app, client, world):
    c = helpers.course(world.trainer)
    c = helpers.with_assessment(c, world.trainer)
    helpers.assign(world.trainer, c, team_id=world.team_c.id)
    as_user(client, world.trainer)
    for url in [
        "/training/",
        "/training/courses",
        f"/training/courses/{c.id}",
        f"/training/courses/{c.id}/edit",
        "/training/courses/new",
        f"/training/courses/{c.id}/assign",
        "/training/assignments",
        "/training/team",
        "/training/team/export.csv",
        f"/training/people/{world.agent_c1.id}",
        "/training/skill-gaps",
        "/recognition/",
    ]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:3000])
