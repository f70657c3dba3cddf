"""The person's pages (/mon-passeport/): their skills (DigComp self-assessment, one
question per screen; evaluations and progress) and their badges (wallet, shareable
links, downloads, import of a badge held elsewhere)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from passeport.core.errors import PasseportError
from passeport.skills import credentials as cr
from passeport.skills import digcomp
from passeport.skills.openbadges.baking import BakingError, extract_any
from passeport.skills.referentials import (
    DIGCOMP_ANSWERS,
    DIGCOMP_CODE,
    SELF_ANSWERS,
    TRANSVERSAL_CODE,
)
from passeport.skills.selectors import (
    evaluations_of,
    grid_by_code,
    imported_of,
    progress,
    wallet_of,
)
from passeport.skills.services import badge_import, self_assessment_record
from passeport.web.context import actor_for
from passeport.web.decorators import person_required
from passeport.web.forms import add_service_error

from .charts import geometry
from .forms import ImportForm

SESSION_KEY = "skills_digcomp_answers"


@person_required
def skills(request):
    person = request.person
    evaluations = list(evaluations_of(person))
    grid = grid_by_code(DIGCOMP_CODE)
    chart = progress(evaluations, grid)
    latest = next((e for e in evaluations if e.grid_id == grid.pk), None)
    areas = digcomp.score({s.item.code: s.level for s in latest.scores.all()}) if latest else []
    others = [progress(evaluations, g) for g in {e.grid for e in evaluations if e.grid_id != grid.pk}]
    for c in [chart, *others]:
        if c:
            c.geometry = geometry(c)
    return render(request, "skills/me_skills.html", {
        "evaluations": evaluations, "chart": chart, "areas": areas, "latest": latest,
        "other_charts": [c for c in others if c], "question_count": digcomp.QUESTION_COUNT,
        "transversal_count": grid_by_code(TRANSVERSAL_CODE).items.count()})


@person_required
def digcomp_question(request, number: int):
    if number < 1 or number > digcomp.QUESTION_COUNT:
        return redirect("skills:me_digcomp", 1)
    answers = request.session.get(SESSION_KEY, {})
    code, text = digcomp.question(number)
    error = ""
    if request.method == "POST":
        value = request.POST.get("answer", "")
        if value.isdigit() and int(value) in digcomp.ANSWER_VALUES:
            answers[code] = int(value)
            request.session[SESSION_KEY] = answers
            if number < digcomp.QUESTION_COUNT:
                return redirect("skills:me_digcomp", number + 1)
            try:
                self_assessment_record(actor=actor_for(request), person=request.person,
                                       answers={c: answers[c] for c in answers})
            except PasseportError as exc:
                error = exc.message
            else:
                request.session.pop(SESSION_KEY, None)
                messages.success(request, _("Merci ! Voici vos résultats."))
                return redirect("skills:me")
        else:
            error = _("Choisissez une réponse.")
    return render(request, "skills/me_digcomp.html", {
        "number": number, "count": digcomp.QUESTION_COUNT, "text": text,
        "answers": DIGCOMP_ANSWERS, "current": answers.get(code), "error": error,
        "previous_url": reverse("skills:me_digcomp", args=[number - 1]) if number > 1 else None},
        status=400 if error else 200)


@person_required
def transversal_question(request, number: int):
    """The person's own look at their transversal skills: one skill per screen."""
    items = list(grid_by_code(TRANSVERSAL_CODE).items.all())
    if number < 1 or number > len(items):
        return redirect("skills:me_transversal", 1)
    key = f"{SESSION_KEY}:{TRANSVERSAL_CODE}"
    answers = request.session.get(key, {})
    item = items[number - 1]
    error = ""
    if request.method == "POST":
        value = request.POST.get("answer", "")
        if value.isdigit() and int(value) in {v for v, _label in SELF_ANSWERS}:
            answers[item.code] = int(value)
            request.session[key] = answers
            if number < len(items):
                return redirect("skills:me_transversal", number + 1)
            try:
                self_assessment_record(actor=actor_for(request), person=request.person,
                                       answers=answers, grid_code=TRANSVERSAL_CODE)
            except PasseportError as exc:
                error = exc.message
            else:
                request.session.pop(key, None)
                messages.success(request, _("Merci ! Votre référent pourra en parler avec vous."))
                return redirect("skills:me")
        else:
            error = _("Choisissez une réponse.")
    return render(request, "skills/me_digcomp.html", {
        "number": number, "count": len(items), "text": _("%(skill)s : où en êtes-vous ?") % {"skill": item.label},
        "answers": SELF_ANSWERS, "current": answers.get(item.code), "error": error,
        "previous_url": reverse("skills:me_transversal", args=[number - 1]) if number > 1 else None},
        status=400 if error else 200)


@person_required
def wallet(request):
    form = ImportForm()
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload, url = form.cleaned_data["file"], form.cleaned_data["url"]
            try:
                if upload is not None:
                    if upload.size > 2_000_000:
                        raise PasseportError(_("Le fichier est trop gros (2 Mo au plus)."), field="file")
                    try:
                        text = extract_any(upload.read())
                    except (BakingError, UnicodeDecodeError):
                        raise PasseportError(_("Ce fichier ne contient pas de badge."), field="file") from None
                elif url:
                    text = url
                else:
                    raise PasseportError(_("Choisissez le fichier du badge ou donnez son adresse web."),
                                         field="file")
                badge = badge_import(actor=actor_for(request), person=request.person, text=text)
                messages.success(request, _("Le badge « %(name)s » est ajouté à votre portefeuille.")
                                 % {"name": badge.name})
                return redirect("skills:me_wallet")
            except PasseportError as exc:
                add_service_error(form, exc)
        status = 400
    return render(request, "skills/me_wallet.html", {
        "wallet": [(a, v, cr.verify_page_url(a.uid)) for a, v in wallet_of(request.person)],
        "imported": imported_of(request.person), "import_form": form,
        "import_url": request.path}, status=status)
