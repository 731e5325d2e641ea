from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Subquery
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..http import HtmxHttpRequest
from ..models import Cohort, Membership, Venture


@require_safe
@login_required
def home(request: HtmxHttpRequest):
    """The signed-in person's ventures (with role and score) and cohorts."""
    user = request.user
    my_role = Membership.objects.filter(venture=OuterRef("pk"), user=user).values("role")[:1]
    ventures = (
        Venture.objects.visible_to(user)
        .select_related("canvas", "cohort")
        .annotate(my_role=Subquery(my_role))
        .order_by("name")
    )
    own = [v for v in ventures if v.my_role]
    cohorts = Cohort.objects.visible_to(user).order_by("name")
    return render(request, "canvas/home.html", {"ventures": own, "cohorts": cohorts})
