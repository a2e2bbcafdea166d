from members.roles import scope_for


def test_secretary_scope_is_her_community_only(cast):
    scope = scope_for(cast.secretary)
    assert scope.managed_community_ids == {cast.beijie.pk}


def test_town_supervisor_manages_every_community_of_the_town(cast):
    scope = scope_for(cast.town)
    assert scope.managed_community_ids == {cast.beijie.pk, cast.changcheng.pk}
