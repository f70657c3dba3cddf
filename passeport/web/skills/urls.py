"""Pages of skills and Open Badges (included at the site root by passeport/web/urls.py)."""

from django.urls import path, re_path

from . import me, pro, public

app_name = "skills"

urlpatterns = [
    # Public, no login: what an outside verifier needs.
    path("badges/emetteurs/<uuid:uid>", public.issuer_profile, name="issuer"),
    path("badges/emetteurs/<uuid:uid>/cle", public.issuer_key, name="issuer_key"),
    path("badges/emetteurs/<uuid:uid>/cles/<int:number>", public.issuer_key, name="issuer_key_numbered"),
    path("badges/emetteurs/<uuid:uid>/jwks", public.issuer_jwks, name="issuer_jwks"),
    path("badges/statut/<uuid:uid>", public.status_list, name="status_list"),
    path("badges/credentials/<uuid:uid>.jwt", public.credential_jwt, name="credential_jwt"),
    path("badges/credentials/<uuid:uid>", public.credential, name="credential"),
    re_path(r"^badges/credentials/(?P<uid>[0-9a-f-]{36})/badge\.(?P<fmt>png|svg)$", public.baked,
            name="baked"),
    path("badges/classes/<uuid:uid>", public.achievement, name="achievement"),
    path("badges/classes/<uuid:uid>/image.svg", public.achievement_image, name="achievement_image"),
    path("badges/verifier/", public.verify_any, name="verify_any"),
    path("badges/verifier/<uuid:uid>/", public.verify_page, name="verify"),
    path("badges/verifier/<uuid:uid>.json", public.verify_json, name="verify_json"),
    # Professionals.
    path("pro/badges/", pro.badges, name="pro_badges"),
    path("pro/badges/cles/rotation/", pro.key_rotate, name="pro_key_rotate"),
    path("pro/badges/cles/compromission/", pro.key_compromise, name="pro_key_compromise"),
    path("pro/competences/<str:public_id>/", pro.person, name="pro_person"),
    path("pro/competences/<str:public_id>/badges/", pro.award, name="pro_award"),
    path("pro/competences/<str:public_id>/badges/<uuid:uid>/retrait/", pro.revoke, name="pro_revoke"),
    path("pro/competences/<str:public_id>/evaluer/<slug:grid_code>/", pro.evaluate, name="pro_evaluate"),
    path("pro/competences/<str:public_id>/metier/", pro.rome, name="pro_rome"),
    # The person.
    path("mon-passeport/competences/", me.skills, name="me"),
    path("mon-passeport/competences/numerique/<int:number>/", me.digcomp_question, name="me_digcomp"),
    path("mon-passeport/competences/au-travail/<int:number>/", me.transversal_question,
         name="me_transversal"),
    path("mon-passeport/badges/", me.wallet, name="me_wallet"),
]
