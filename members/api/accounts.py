"""Who am I: the login, its roles and the linked person."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..roles import scope_for


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    must_change_password = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.DictField())
    person = serializers.IntegerField(allow_null=True)


class MeView(APIView):
    """Who am I: the login, its roles (with the organisation of each) and the linked person."""

    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        user = request.user
        roles = [
            {"role": r.role, "town": r.town_id, "community": r.community_id, "employer": r.employer_id}
            for r in user.role_assignments.all()
        ]
        data = {
            "id": user.pk,
            "username": user.username,
            "display_name": user.display_name,
            "must_change_password": user.must_change_password,
            "roles": roles,
            "person": scope_for(user).person_id,
        }
        return Response(MeSerializer(data).data)
