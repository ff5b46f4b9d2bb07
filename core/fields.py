"""Serializer fields shared by the apps' APIs."""

from rest_framework import serializers


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's slug lookup, refusing a NUL character as an unknown slug before it
    reaches the database (PostgreSQL cannot compare text holding NUL)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", "\\x00"))
        return super().to_internal_value(data)
