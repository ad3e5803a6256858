from tests.conftest import login
from tests.goals.helpers import ready_review


def test_every_goals_page_renders_for_the_people_involved(app, world):
    ready = ready_review(world)
    goal = ready.goals[0]
    for person, urls in [
        (
            world.hr,
            [
                "/goals/cycles",
                "/goals/cycles/new",
                f"/goals/cycles/{ready.cycle.id}",
                "/goals/calibration",
            ],
        ),
        (
            world.sup_a,
            [
                "/goals/",
                "/goals/team",
                f"/goals/plans/{ready.review.id}",
                f"/goals/{goal.id}",
                "/goals/reviews",
                f"/goals/reviews/{ready.review.id}",
                f"/goals/reviews/{ready.review.id}/print",
            ],
        ),
        (world.agent_a1, ["/goals/", f"/goals/{goal.id}", f"/goals/reviews/{ready.review.id}"]),
        (world.manager_hk, ["/goals/calibration", "/goals/team"]),
    ]:
        client = app.test_client()
        login(client, person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (
                person.name,
                url,
                response.get_data(as_text=True)[:3000],
            )
