from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..http import HtmxHttpRequest
from ..models import Cohort
from ..review import home_ventures


@require_safe
@login_required
def home(request: HtmxHttpRequest):
    """The signed-in person's ventures (role, score, open comments, what others changed since
    their last visit) and cohorts."""
    ventures = home_ventures(request.user)
    cohorts = Cohort.objects.visible_to(request.user).order_by("name")
    return render(request, "canvas/home.html", {"ventures": ventures, "cohorts": cohorts})
