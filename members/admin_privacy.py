"""The admin side of members.privacy: phone and ID numbers in every ModelAdmin go through the same policy
as the pages and the API (next to `Scope`, so core's admin plumbing imports no domain app)."""

from . import privacy


class MaskedPersonalDataAdminMixin:
    """Phone and ID numbers in the admin go through members.privacy like every page: a user without 'full
    personal data' for the row sees them masked in the list and read-only (masked) in the change form, and
    searches by name only.

    `masked_fields` maps a field to how it is masked ("mobile" or "id_number"); `personal_data_subject(obj)`
    is what the policy is asked about (a Person, or a community id)."""

    masked_fields: dict[str, str] = {}
    # leads from a row to the community whose policy decides its numbers (for searching by number)
    personal_data_community_field = "community_id"

    def personal_data_subject(self, obj):
        return obj.community_id

    def _sees_full(self, request, obj) -> bool:
        return obj is not None and privacy.sees_full(request.user, self.personal_data_subject(obj))

    def _masked_display(self, request, name):
        """One callable per request, field and admin (the change form matches readonly fields by identity)."""
        cache = request.__dict__.setdefault("_masked_admin_displays", {})
        key = (id(self), name)
        if key not in cache:
            shown = (
                privacy.shown_id_number if self.masked_fields[name] == "id_number" else privacy.shown_mobile
            )

            def display(obj):
                return shown(request.user, self.personal_data_subject(obj), getattr(obj, name))

            display.short_description = self.model._meta.get_field(name).verbose_name
            display.__name__ = name
            cache[key] = display
        return cache[key]

    def _hide(self, request, obj) -> bool:
        return obj is not None and not self._sees_full(request, obj)

    def get_list_display(self, request):
        return [
            self._masked_display(request, name) if name in self.masked_fields else name
            for name in super().get_list_display(request)
        ]

    def get_search_fields(self, request):
        # Numbers are not searched like other text: get_search_results adds them, per community.
        return [f for f in super().get_search_fields(request) if f.lstrip("^=@") not in self.masked_fields]

    def get_search_results(self, request, queryset, search_term):
        """Names (and other text) as the admin searches them; a number matches only the rows of the
        communities whose numbers this user sees in full (members.privacy.number_search_q)."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number_fields = [f.lstrip("^=@") for f in self.search_fields if f.lstrip("^=@") in self.masked_fields]
        if number_fields and search_term.strip():
            numbers = privacy.number_search_q(
                request.user,
                search_term,
                fields=number_fields,
                community_field=self.personal_data_community_field,
            )
            results = results | queryset.filter(numbers)
        return results, may_have_duplicates

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self._hide(request, obj):
            return fields
        shown = [self._masked_display(request, f) if f in self.masked_fields else f for f in fields]
        return list(dict.fromkeys(shown))  # the readonly display is listed once

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._hide(request, obj):
            return fieldsets
        return [
            (
                title,
                {
                    **options,
                    "fields": [
                        self._masked_display(request, f) if f in self.masked_fields else f
                        for f in options.get("fields", ())
                    ],
                },
            )
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self._hide(request, obj):
            return readonly
        return [f for f in readonly if f not in self.masked_fields] + [
            self._masked_display(request, name) for name in self.masked_fields
        ]
