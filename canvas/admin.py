from django.contrib import admin

from . import models


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0


@admin.register(models.Venture)
class VentureAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "solution_type", "market_stage", "cohort"]
    list_filter = ["solution_type", "market_stage", "cohort"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


class CohortStaffInline(admin.TabularInline):
    model = models.CohortStaff
    extra = 0


@admin.register(models.Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    inlines = [CohortStaffInline]


class EntryInline(admin.StackedInline):
    extra = 0


def _inline(entry_model):
    return type(f"{entry_model.__name__}Inline", (EntryInline,), {"model": entry_model})


@admin.register(models.Canvas)
class CanvasAdmin(admin.ModelAdmin):
    list_display = ["venture", "score", "error_count", "warning_count", "updated_at"]
    readonly_fields = ["evaluation", "score", "error_count", "warning_count", "info_count"]
    inlines = [_inline(m) for m in models.ENTRY_MODELS.values()]


@admin.register(models.CanvasVersion)
class CanvasVersionAdmin(admin.ModelAdmin):
    list_display = ["canvas", "number", "label", "source", "author", "score", "created_at"]
    readonly_fields = ["document", "evaluation"]


for model in (
    models.Membership,
    models.CohortStaff,
    models.ChannelEntry,
    models.PartnerEntry,
    models.ActivityEntry,
    models.ResourceEntry,
    models.ActivityLog,
    models.Comment,
    models.ShareLink,
    models.Invitation,
    models.BulkExport,
):
    admin.site.register(model)
