"""Pages of the safe: the person's space (mon-passeport/documents/) and the
professional's view of a person's documents (pro/personnes/<public_id>/documents/)."""

from django.urls import path

from . import me, pro

ME = "mon-passeport/documents/"
PRO = "pro/personnes/<str:public_id>/documents/"

urlpatterns = [
    path(ME, me.documents, name="me_documents"),
    path(f"{ME}ajouter/", me.document_add, name="me_document_add"),
    path(f"{ME}partages/", me.shares, name="me_shares"),
    path(f"{ME}partages/<int:share_id>/arreter/", me.share_revoke, name="me_share_revoke"),
    path(f"{ME}journal/", me.log, name="me_log"),
    path(f"{ME}tout-telecharger/", me.export, name="me_export"),
    path(f"{ME}importer/", me.import_view, name="me_import"),
    path(f"{ME}<uuid:uid>/", me.document_detail, name="me_document"),
    path(f"{ME}<uuid:uid>/modifier/", me.document_edit, name="me_document_edit"),
    path(f"{ME}<uuid:uid>/nouvelle-version/", me.version_add, name="me_version_add"),
    path(f"{ME}<uuid:uid>/supprimer/", me.document_delete, name="me_document_delete"),
    path(f"{ME}<uuid:uid>/partager/", me.document_share, name="me_document_share"),
    path(f"{ME}<uuid:uid>/v<int:number>/telecharger/", me.download, name="me_download"),
    path(PRO, pro.documents, name="pro_documents"),
    path(f"{PRO}deposer/", pro.document_add, name="pro_document_add"),
    path(f"{PRO}<uuid:uid>/", pro.document_detail, name="pro_document"),
    path(f"{PRO}<uuid:uid>/nouvelle-version/", pro.version_add, name="pro_version_add"),
    path(f"{PRO}<uuid:uid>/v<int:number>/telecharger/", pro.download, name="pro_download"),
]
