"""The demo site's accessibility statement, written as a municipality would publish it."""

from __future__ import annotations

from datetime import date

from wagtail.models import Site

from .models import AccessibilitySettings, AccessibilityStatementPage, Compliance

INTRO = (
    "<p>Demokommunen står bakom den här lärplattformen. Vi vill att alla medarbetare ska kunna "
    "gå kurserna, oavsett funktionsförmåga. Här beskriver vi hur plattformen uppfyller lagen "
    "(2018:1937) om tillgänglighet till digital offentlig service, vilka brister vi känner till "
    "och hur du kan rapportera problem till oss.</p>"
)
KNOWN_PROBLEMS = (
    "<ul><li>Några äldre filmer i kurserna har textning men saknar syntolkning. Vi lägger till "
    "syntolkning när filmerna spelas in på nytt.</li>"
    "<li>PDF-filer som laddas upp som kursmaterial kan sakna rubrikstruktur. Redaktörerna "
    "går igenom dokumenten under året.</li></ul>"
)
HOW_TO_REPORT = (
    "<p>Om du stöter på något som hindrar dig från att använda plattformen vill vi veta det. "
    "Beskriv vad du försökte göra och vad som hände. Ange din e-postadress om du vill ha svar. "
    "Vi svarar normalt inom fem arbetsdagar.</p>"
)
ASSESSMENT = (
    "<p>Vi har själva granskat plattformen mot WCAG 2.1 nivå AA med automatiska tester "
    "(axe-core) på alla sidor i kursflödet och med manuella tester med tangentbord och "
    "skärmläsare.</p>"
)


def ensure_statement(home) -> AccessibilityStatementPage:
    page = AccessibilityStatementPage.objects.child_of(home).first()
    if page is None:
        page = AccessibilityStatementPage(
            title="Tillgänglighetsredogörelse",
            slug="tillganglighetsredogorelse",
            compliance=Compliance.PARTIAL,
            intro=INTRO,
            known_problems=KNOWN_PROBLEMS,
            how_to_report=HOW_TO_REPORT,
            assessment=ASSESSMENT,
            assessed_on=date(2026, 11, 2),
            statement_updated_on=date(2026, 11, 30),
            show_in_menus=False,
        )
        home.add_child(instance=page)
        page.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        settings = AccessibilitySettings.for_site(site)
        if not settings.responsible_email:
            settings.responsible_email = "tillganglighet@demokommunen.se"
            settings.save()
    return page
