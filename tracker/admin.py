from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from legacy.admin import ReadOnlyAdmin

from .models import (
    ApiToken,
    Challenge,
    Evidence,
    IntegratedCareSystem,
    Invitation,
    Membership,
    MembershipEvent,
    Notification,
    Person,
    ProgressChange,
    ProgressRecord,
    PublishedDataset,
    QuarterlyReturn,
    Region,
    ReturnEvent,
    SignOff,
    SignOnIdentity,
)
from .services import teams


def _save_memberships(request, memberships, deleted):
    """Memberships changed in the admin go through the team services: history written, a removed member's sessions
    and API tokens ended at once."""
    for membership in deleted:
        teams.membership_remove(membership=membership, actor=request.user)
    for membership in memberships:
        teams.membership_save_by_admin(membership=membership, actor=request.user)


class MembershipInline(admin.StackedInline):
    """Where superusers give a user their role: approver, editor or viewer of one ICS, reviewer of one region, or
    the national team."""

    model = Membership
    can_delete = True
    autocomplete_fields = ["system"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithMembershipAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = [*UserAdmin.list_display, "membership"]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        memberships = formset.save(commit=False)
        _save_memberships(request, memberships, formset.deleted_objects)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "system", "region"]
    list_filter = ["role", "system__region", "region"]
    autocomplete_fields = ["user", "system"]

    def save_model(self, request, obj, form, change):
        _save_memberships(request, [obj], [])

    def delete_model(self, request, obj):
        _save_memberships(request, [], [obj])

    def delete_queryset(self, request, queryset):
        _save_memberships(request, [], list(queryset.select_related("user", "system")))


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(IntegratedCareSystem)
class IntegratedCareSystemAdmin(ReadOnlyAdmin):
    list_display = ["ods_code", "short_name", "region", "established_on", "dissolved_on"]
    list_filter = ["region"]
    search_fields = ["ods_code", "name", "short_name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "job_title", "email", "system", "user"]
    list_filter = ["system__region"]
    search_fields = ["name", "email"]


# Records, history and evidence change only through the app, where every write leaves history.
@admin.register(ProgressRecord)
class ProgressRecordAdmin(ReadOnlyAdmin):
    list_display = ["system", "recommendation", "status", "target_date", "updated_at", "is_demo"]
    list_filter = ["status", "is_demo", "system__region"]


@admin.register(ProgressChange)
class ProgressChangeAdmin(ReadOnlyAdmin):
    list_display = ["changed_at", "system", "recommendation", "kind", "changed_by_name", "period"]
    list_filter = ["kind", "period"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "record", "refers_to", "withdrawn_at"]


# Returns change only through the app's services, which check roles and rules and keep the return's history.
@admin.register(QuarterlyReturn)
class QuarterlyReturnAdmin(ReadOnlyAdmin):
    list_display = ["system", "period", "state", "submitted_by_name", "sign_off", "is_demo"]
    list_filter = ["state", "period", "system__region", "is_demo"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["quarterly_return", "number", "signed_off_at", "signed_off_by_name"]


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = ["quarterly_return", "recommendation", "raised_by_name", "raised_at", "answered_at"]


@admin.register(ReturnEvent)
class ReturnEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "quarterly_return", "kind", "by_name"]
    list_filter = ["kind"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at"]


# Teams change through their pages, which check who may act, keep the team's history and end a removed member's
# sessions and tokens. (Removing a membership here, as a superuser may, does neither: prefer the team pages.)
@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "role", "system", "region", "invited_by_name", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email"]
    exclude = ["token_hash"]


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "email", "system", "region", "old_role", "new_role", "actor_name"]
    list_filter = ["action"]
    search_fields = ["email"]


@admin.register(SignOnIdentity)
class SignOnIdentityAdmin(ReadOnlyAdmin):
    """Which NHS account each user signs in with. Deleting a binding is how a superuser lets an address that was
    handed to somebody else sign in again (as its new owner's account, once they have been invited)."""

    list_display = ["user", "issuer", "subject", "first_signed_in_at"]
    search_fields = ["user__email", "user__username", "subject"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# The outbox, to see what was sent to whom and what is failing (last_error, next attempt). Delivery alone writes it.
@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "recipient_email", "system", "sent_at", "attempts", "next_attempt_at"]
    list_filter = ["kind", "digest", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient_email", "subject", "dedupe_key"]


# Published open data never changes: the audit trail of who published what, when and why.
@admin.register(PublishedDataset)
class PublishedDatasetAdmin(ReadOnlyAdmin):
    list_display = ["period", "version", "published_at", "published_by_name", "signed_off_systems", "is_demo"]
    list_filter = ["period"]
