from sqlalchemy import select

from portal import policy
from portal.errors import ValidationFailed
from portal.extensions import db
from portal.org import tree
from portal.org.models import Person
from tests.factories import PersonFactory


def subtree_ids(root: Person) -> set[int]:
    stmt = select(Person.id).where(policy.subtree_condition(root.path))
    return set(db.session.execute(stmt).scalars())


def test_subtree_of_a_manager_is_everyone_below_them(world):
    ids = subtree_ids(world.manager_hk)
    expected = {
        world.manager_hk.id,
        world.sup_a.id,
        world.sup_b.id,
        world.agent_a1.id,
        world.agent_a2.id,
        world.agent_b1.id,
    }
    assert ids == expected


def test_subtree_is_correct_in_a_deep_chain():
    people = [PersonFactory()]
    for _ in range(30):
        people.append(PersonFactory(manager=people[-1]))
    assert subtree_ids(people[10]) == {p.id for p in people[10:]}
    assert people[-1].depth == 30


def test_subtree_is_correct_in_a_wide_tree():
    root = PersonFactory()
    children = [PersonFactory(manager=root) for _ in range(40)]
    grandchildren = [PersonFactory(manager=children[i % 5]) for i in range(20)]
    assert subtree_ids(root) == {root.id} | {p.id for p in children + grandchildren}
    assert subtree_ids(children[0]) == {children[0].id} | {
        g.id for i, g in enumerate(grandchildren) if i % 5 == 0
    }


def test_moving_a_person_moves_their_subtree(world):
    tree.move(world.sup_a, world.manager_jp)
    db.session.commit()
    assert world.agent_a1.id in subtree_ids(world.manager_jp)
    assert world.agent_a1.id not in subtree_ids(world.manager_hk)
    db.session.refresh(world.agent_a1)
    assert (
        world.agent_a1.path
        == f"/{world.head.id}/{world.manager_jp.id}/{world.sup_a.id}/{world.agent_a1.id}/"
    )
    assert world.agent_a1.depth == 3


def test_a_move_that_would_create_a_cycle_is_refused(world):
    try:
        tree.move(world.manager_hk, world.agent_a1)
    except ValidationFailed as error:
        assert "manager_id" in error.field_errors
    else:
        raise AssertionError("cycle was accepted")
    try:
        tree.move(world.sup_a, world.sup_a)
    except ValidationFailed:
        pass
    else:
        raise AssertionError("self-manager was accepted")


def test_sees_only_own_subtree_matches_the_visible_people(world):
    """The rule read by the 1:1 counts per node: exactly the subtree, or not (HR sees everyone;
    a grant reaching the area adds its team or market)."""
    from portal.policy import Area

    def visible(viewer, area):
        return set(db.session.scalars(policy.visible_person_ids(viewer, area)))

    def subtree(viewer):
        return set(
            db.session.scalars(select(Person.id).where(policy.subtree_condition(viewer.path)))
        )

    cases = [
        (world.manager_hk, Area.COACHING, True),
        (world.sup_a, Area.QA, True),
        (world.hr, Area.COACHING, False),
        (world.qa, Area.QA, False),  # granted team A
        (world.qa, Area.COACHING, True),  # the grant does not reach 1:1s
        (world.trainer, Area.TRAINING, False),  # granted market JP
    ]
    for viewer, area, expected in cases:
        assert policy.sees_only_own_subtree(viewer, area) is expected
        if expected:
            assert visible(viewer, area) == subtree(viewer)
        else:
            assert visible(viewer, area) != subtree(viewer)


def test_child_segment_names_the_direct_report_a_path_falls_under(world):
    segment = tree.child_segment(Person.path, len(world.head.path))
    found = dict(
        db.session.execute(
            select(Person.id, segment).where(policy.subtree_condition(world.head.path))
        ).all()
    )
    assert found[world.head.id] == ""
    assert found[world.agent_a1.id] == str(world.manager_hk.id)
    assert found[world.sup_c.id] == str(world.manager_jp.id)
    assert found[world.manager_hk.id] == str(world.manager_hk.id)
