"""`/api/v1/tokens/`: HR lists, creates and revokes API tokens. The token itself is
in the answer to its creation only."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import StrictCharField
from api.models import ApiToken, Scope
from api.permissions import ManagesPeople
from api.tokens import api_token_create, api_token_list, api_token_revoke


class TokenSerializer(serializers.ModelSerializer):
    owner = serializers.EmailField(source="owner.email", read_only=True)
    live = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "owner",
            "scope",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "live",
        ]
        read_only_fields = fields

    def get_live(self, token: ApiToken) -> bool:
        return token.is_live(timezone.now())


class TokenCreateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    owner = serializers.EmailField(help_text="The email of the account it acts as.")
    scope = serializers.ChoiceField(choices=Scope.choices, default=Scope.READ)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The token: shown this once, never again."
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class TokenList(generics.ListAPIView):
    """Every API token, newest first (HR). POST creates one."""

    permission_classes = [ManagesPeople]
    serializer_class = TokenSerializer

    def get_queryset(self):
        return api_token_list()

    @extend_schema(
        request=TokenCreateSerializer, responses={201: TokenCreatedSerializer}
    )
    def post(self, request: Request) -> Response:
        incoming = TokenCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        owner = get_user_model().objects.filter(email__iexact=data["owner"]).first()
        if owner is None:
            raise ApiValidationError({"owner": "No account with this email."})
        try:
            created = api_token_create(
                owner=owner,
                name=data["name"],
                scope=data["scope"],
                now=timezone.now(),
                expires_at=data.get("expires_at"),
                by=request.user,
            )
        except DjangoValidationError as error:
            raise ApiValidationError(error.message_dict) from error
        created.token.key = created.key
        return Response(
            TokenCreatedSerializer(created.token).data, status=status.HTTP_201_CREATED
        )


class TokenDetail(generics.RetrieveAPIView):
    permission_classes = [ManagesPeople]
    serializer_class = TokenSerializer

    def get_queryset(self):
        return api_token_list()


class TokenRevoke(APIView):
    """Revoke a token: from now on it is refused (401). Again changes nothing."""

    permission_classes = [ManagesPeople]
    serializer_class = TokenSerializer

    @extend_schema(request=None, responses=TokenSerializer)
    def post(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(api_token_list(), pk=pk)
        token = api_token_revoke(token=token, now=timezone.now())
        return Response(TokenSerializer(token).data)
