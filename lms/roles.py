"""Roles as Django groups, with the permissions each role needs. Kept in sync after migrate.

Object-level scope (which units a manager or HR person sees) is enforced in selectors; these
groups only say which kinds of thing a role may touch.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

EDITOR_MODEL_PERMISSIONS = [
    "wagtailadmin.access_admin",
    *[
        f"quizzes.{action}_{model}"
        for model in ("quiz", "question")
        for action in ("add", "change", "delete", "view")
    ],
    "quizzes.view_quizattempt",
    *[f"modules.{action}_film" for action in ("add", "change", "delete", "view")],
    "diplomas.change_diplomasettings",  # the issuer's name and logo on diplomas
]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = [
    "add_image",
    "change_image",
    "choose_image",
    "add_document",
    "change_document",
    "choose_document",
]

EXTERNAL_COORDINATOR_PERMISSIONS = [
    "external_organisations.view_externalorganisation",
    "external_organisations.change_externalorganisation",
    *[
        f"external_organisations.{action}_courseoffering"
        for action in ("add", "change", "delete", "view")
    ],
]

ROLES: dict[str, dict[str, list[str]]] = {
    "Editors": {
        "model": EDITOR_MODEL_PERMISSIONS,
        "page": EDITOR_PAGE_PERMISSIONS,
        "collection": EDITOR_COLLECTION_PERMISSIONS,
    },
    "Moderators": {
        # Moderators keep the accessibility statement and follow up the problems reported.
        "model": [
            *EDITOR_MODEL_PERMISSIONS,
            "accessibility.view_problemreport",
            "accessibility.change_problemreport",
            "accessibility.change_accessibilitysettings",
        ],
        "page": [*EDITOR_PAGE_PERMISSIONS, "publish_page", "bulk_delete_page"],
        "collection": [*EDITOR_COLLECTION_PERMISSIONS, "delete_image", "delete_document"],
    },
    "HR": {
        "model": [
            "wagtailadmin.access_admin",
            "quizzes.view_quizattempt",
            "people.view_person",
            "people.view_orgunit",
            "people.add_employeeimport",
            "people.view_employeeimport",
            *[
                f"assignments.{action}_assignmentrule"
                for action in ("add", "change", "delete", "view")
            ],
            "assignments.view_assignment",
            "assignments.change_assignment",
            *[f"reports.{action}_coveragegoal" for action in ("add", "change", "delete", "view")],
            *[
                f"certification.{action}_certificationprogramme"
                for action in ("add", "change", "delete", "view")
            ],
            *EXTERNAL_COORDINATOR_PERMISSIONS,
        ]
    },
    # Decides registrations of external organisations and opens courses to them; sees no
    # employee data (no people.* permission, no HR scope).
    "External coordinators": {
        "model": ["wagtailadmin.access_admin", *EXTERNAL_COORDINATOR_PERMISSIONS]
    },
    "Managers": {"model": []},
}


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def sync_roles() -> dict[str, Group]:
    """Create the role groups and grant what each needs. Adds; never removes what admins gave."""
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    groups = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    page_type = ContentType.objects.get_for_model(Page)
    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        groups[name] = group
        group.permissions.add(*[p for p in map(_permission, grants.get("model", [])) if p])
        if root_page is not None:
            for codename in grants.get("page", []):
                permission = Permission.objects.filter(
                    content_type=page_type, codename=codename
                ).first()
                if permission:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root_page, permission=permission
                    )
        if root_collection is not None:
            for codename in grants.get("collection", []):
                permission = Permission.objects.filter(codename=codename).first()
                if permission:
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )
    return groups


def sync_roles_after_migrate(sender, **kwargs) -> None:
    # Permissions of apps later in INSTALLED_APPS are created by their own post_migrate
    # signal, after this one: create them all now (idempotent), then grant.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    sync_roles()
