from django.urls import path

from . import views

urlpatterns = [
    path("min-enhet/certifiering/<int:unit_id>/", views.unit_page, name="certification_unit"),
    path(
        "min-enhet/certifiering/<int:unit_id>/kriterier/<int:criterion_id>/underlag/",
        views.submit_evidence,
        name="certification_submit_evidence",
    ),
    path(
        "min-enhet/certifiering/underlag/<int:evidence_id>/",
        views.evidence_file,
        name="certification_evidence_file",
    ),
    path(
        "min-enhet/certifiering/certifikat/<int:certification_id>/",
        views.certificate_pdf,
        name="certification_certificate",
    ),
]
