"""What learner pages read that changes only when an editor publishes: kept in Django's cache.

Every learner page used to rebuild the same things from the database on every request: the
site's root page, the path from the address to the page, the course's modules in order, the
catalogue's courses and their prerequisites, the catalogue's address, which pages are
unpublished, and the films that module blocks point to. None of that changes between
publishes, so it is cached here, in Django's default cache (Redis in production, shared by
every web process; local memory in the one-process demo).

Invalidation is one *generation* number in the same cache: every entry's key carries it, and
publishing, unpublishing, moving, reordering or deleting a page, changing a film or a site
bumps it (`bump`, wired to Wagtail's and Django's signals in `connect`). The next request in
any process then misses and rebuilds, so a change shows on the next request for every learner.
The bump is repeated when the transaction commits: a request that read the old rows before
the commit, and cached them under the new number, is outdated again at once.

Nothing here decides who may see what: the per-learner state (progress, locks, assignments)
is always read fresh, and the services that write progress read the structure from the
database (`course_structure(..., fresh=True)`).
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction

logger = logging.getLogger(__name__)

GENERATION_KEY = "content:generation"
# Entries also expire on their own, so that a cache that missed a bump (a lost Redis write,
# a second process with only local memory) heals within the hour.
TIMEOUT_SECONDS = 60 * 60

# The page fields the course and module pages show of a course's modules. The body (the
# heavy StreamField) is left out: it is read only for the module being shown.
MODULE_FIELDS = (
    "id",
    "title",
    "draft_title",
    "slug",
    "url_path",
    "path",
    "depth",
    "numchild",
    "live",
    "content_type_id",
    "locale_id",
    "translation_key",
    "intro",
    "estimated_minutes",
    "is_required",
)


# Within one request the generation is read once (`request_scope`): a page reads a dozen
# entries, and each read of the number is a round trip to Redis.
_request_memo: ContextVar[dict | None] = ContextVar("content_generation", default=None)


@contextlib.contextmanager
def request_scope() -> Iterator[None]:
    """Read the generation at most once until the block ends (one request: see
    lms.middleware.ContentCacheScopeMiddleware); a bump in the block reads it again."""
    token = _request_memo.set({})
    try:
        yield
    finally:
        _request_memo.reset(token)


def generation() -> int:
    """The current content generation; started from the clock so that entries written before
    a cache flush can never match a restarted counter."""
    memo = _request_memo.get()
    if memo and "value" in memo:
        return memo["value"]
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    value = int(value or 0)
    if memo is not None:
        memo["value"] = value
    return value


def _bump_now() -> None:
    memo = _request_memo.get()
    if memo is not None:
        memo.pop("value", None)
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (a fresh cache): start one
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def bump(reason: str = "") -> None:
    """Make every cached entry outdated, now and again when the transaction commits."""
    logger.debug("content cache generation bumped: %s", reason)
    _bump_now()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump_now)


# What this process has read from the cache, kept in its own memory for the current
# generation: a learner page reads a dozen entries, each a round trip to Redis otherwise. The
# generation itself is still read from the shared cache once per request, so a publish in any
# process shows on the next request here too. Kept pickled, so that every read gets its own
# objects (as from Redis: a request may set attributes on the pages it gets), unless the caller
# says the value is immutable (`shared`: frozen dataclasses, strings). Kept only a few minutes
# and for few entries, so that it heals with the shared cache and stays small.
LOCAL_SECONDS = 5 * 60
LOCAL_MAX_ENTRIES = 5_000
_local: dict[str, tuple[float, bool, Any]] = {}
_local_generation: list[int | None] = [None]


def _remember(values: dict[str, Any], *, shared: bool = False) -> None:
    if len(_local) + len(values) > LOCAL_MAX_ENTRIES:
        _local.clear()
    expires = time.monotonic() + LOCAL_SECONDS
    for key, value in values.items():
        kept = value if shared else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
        _local[key] = (expires, shared, kept)


def _read(current: int, keys: list[str], *, shared: bool = False) -> dict[str, Any]:
    """The entries of `keys` (all of generation `current`) found here or in the shared cache."""
    if _local_generation[0] != current:
        _local.clear()
        _local_generation[0] = current
    now = time.monotonic()
    found = {}
    for key in keys:
        hit = _local.get(key)
        if hit is not None and hit[0] > now:
            # Bytes this process pickled itself (_remember), never input from outside.
            found[key] = hit[2] if hit[1] else pickle.loads(hit[2])  # noqa: S301
    missing = [key for key in keys if key not in found]
    if missing:
        from_cache = cache.get_many(missing)
        if from_cache:
            _remember(from_cache, shared=shared)
            found.update(from_cache)
    return found


def _write(values: dict[str, Any], *, shared: bool = False) -> None:
    cache.set_many(values, TIMEOUT_SECONDS)
    _remember(values, shared=shared)


def cached(name: str, key: Any, build: Callable[[], Any], *, shared: bool = False) -> Any:
    """`build()`'s result, kept under the current generation. `shared`: the value cannot be
    changed (a frozen dataclass, a string, tuples of them), so every reader in this process
    may get the same object."""
    current = generation()
    full_key = f"content:{current}:{name}:{key}"
    value = _read(current, [full_key], shared=shared).get(full_key)
    if value is None:
        value = build()
        _write({full_key: value}, shared=shared)
    return value


# Sites and routing --------------------------------------------------------------------------


def site_for_request(request) -> Any:
    """The request's Wagtail site with its root page already specific, in no query once cached.

    Wagtail reads the site, its root page and that page's specific row on every request.
    """
    from wagtail.models import Site

    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    from django.http.request import split_domain_port

    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()

    def build():
        site = Site._find_for_request(request)
        if site is None:
            return False  # cached as "no site" (None would mean "not cached")
        root = site.root_page.specific
        site.root_page = root
        return site

    site = cached("site", f"{hostname}:{port}", build) or None
    request._wagtail_site = site
    return site


def route_map(root) -> dict[str, tuple[int, int]]:
    """{url_path: (page id, content type id)} of the pages below `root`."""
    from wagtail.models import Page

    def build():
        return {
            url_path: (pk, ct)
            for pk, url_path, ct in Page.objects.descendant_of(root).values_list(
                "pk", "url_path", "content_type_id"
            )
        }

    return cached("routes", root.pk, build)


def page_for_path(root, path_components: list[str]):
    """The specific page at `path_components` below `root`, in one query, or None when the
    cached route does not lead there (the caller falls back to Wagtail's routing)."""
    from django.contrib.contenttypes.models import ContentType

    wanted = root.url_path + "".join(f"{c}/" for c in path_components)
    hit = route_map(root).get(wanted)
    if hit is None:
        return None
    pk, content_type_id = hit
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    page = model.objects.filter(pk=pk).first() if model is not None else None
    # The map is a hint: a page moved or renamed since is routed the slow way.
    if page is None or page.url_path != wanted:
        return None
    return page


def unpublished_paths() -> tuple[str, ...]:
    """Tree paths of the pages that are not live: what is below them is not open either."""
    from wagtail.models import Page

    return cached(
        "unpublished",
        "all",
        lambda: tuple(Page.objects.filter(live=False, depth__gt=1).values_list("path", flat=True)),
    )


def ancestors_live(page) -> bool:
    """Whether every page above `page` (below the tree's root) is published."""
    return not any(
        page.path.startswith(path) and len(path) < len(page.path) for path in unpublished_paths()
    )


def parent_page(page):
    """The specific page above `page` (a module's course, a course's catalogue), or None."""
    from wagtail.models import Page

    parent_path = page.path[: -Page.steplen]

    def build():
        parent = Page.objects.filter(path=parent_path).first()
        return parent.specific if parent is not None else False

    return cached("page-at", parent_path, build) or None


class CachedRouteMixin:
    """For the site's root page: find the page at an address in one query instead of two per
    level of the tree (Wagtail's `route` reads each level's child and then its specific row).

    Falls back to Wagtail's own routing for any address the cached map does not lead to, so
    unpublished, renamed or moved pages answer exactly as before.
    """

    def route(self, request, path_components):
        if path_components:
            page = page_for_path(self, list(path_components))
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)


# View restrictions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Restrictions:
    """Every page view restriction of the site (few: they are set per section by editors),
    with its groups loaded, and the alias pages (whose restrictions are their source's)."""

    by_path: dict  # page path → [PageViewRestriction]
    by_page_id: dict  # page id → [PageViewRestriction]
    alias_sources: dict  # alias page path → source page id


def _all_restrictions() -> _Restrictions:
    def build():
        from wagtail.models import Page, PageViewRestriction

        by_path: dict[str, list] = {}
        by_page_id: dict[int, list] = {}
        for restriction in PageViewRestriction.objects.select_related("page").prefetch_related(
            "groups"
        ):
            by_path.setdefault(restriction.page.path, []).append(restriction)
            by_page_id.setdefault(restriction.page_id, []).append(restriction)
        aliases = dict(
            Page.objects.filter(alias_of__isnull=False).values_list("path", "alias_of_id")
        )
        return _Restrictions(by_path, by_page_id, aliases)

    return cached("view-restrictions", "all", build)


class CachedViewRestrictionsMixin:
    """Wagtail reads a page's view restrictions (its own and its ancestors') in two queries on
    every request, and a module's open check asked again. They change only when an editor
    sets a page's privacy (which bumps the generation), so they come from the cache.

    Returns Wagtail's own query (the same pages, aliases resolved to their sources, read afresh
    by anything that changes it, such as the admin's `.order_by()`) with its rows already
    filled in from the cache."""

    def get_view_restrictions(self):
        from wagtail.models import Page, PageViewRestriction

        known = _all_restrictions()
        paths = [self.path[:end] for end in range(Page.steplen, len(self.path) + 1, Page.steplen)]
        sources = [known.alias_sources[p] for p in paths if p in known.alias_sources]
        own = [p for p in paths if p not in known.alias_sources]
        rows = [r for p in own for r in known.by_path.get(p, [])]
        rows += [r for pk in sources for r in known.by_page_id.get(pk, [])]
        queryset = PageViewRestriction.objects.filter(
            models.Q(page__path__in=own) | models.Q(page_id__in=sources)
        )
        queryset._result_cache = rows  # iterated without a query; a changed copy queries
        queryset._prefetch_done = True
        return queryset


# The catalogue and courses --------------------------------------------------------------------


def catalogue_address() -> tuple[int, str] | None:
    """(page id, address) of the course catalogue, for the menu on every page."""

    def build():
        CourseIndexPage = apps.get_model("courses", "CourseIndexPage")
        page = CourseIndexPage.objects.live().order_by("path").first()
        return (page.pk, page.url) if page else False

    return cached("catalogue", "first", build) or None


def menu_pages() -> list[tuple[str, str, bool]]:
    """(title, address, public) of the live pages directly under a site's home page that
    editors marked "show in menus" (Promote tab), in tree order; the catalogue has its own
    link. Public ones are shown to visitors who have not logged in too."""

    def build():
        Page = apps.get_model("wagtailcore", "Page")
        CourseIndexPage = apps.get_model("courses", "CourseIndexPage")
        Site = apps.get_model("wagtailcore", "Site")
        under_a_home = Page.objects.none()
        for root in Site.objects.values_list("root_page__path", flat=True).distinct():
            under_a_home |= Page.objects.filter(
                path__startswith=root, depth=len(root) // Page.steplen + 1
            )
        pages = under_a_home.live().in_menu().not_type(CourseIndexPage).order_by("path").specific()
        return [
            (p.title, p.url, bool(getattr(type(p), "is_public", False)))
            for p in pages
            if p.url and not p.get_view_restrictions().exists()
        ]

    return cached("menu", "pages", build)


@dataclass(frozen=True)
class CoursePrerequisite:
    pk: int
    title: str
    live: bool


@dataclass(frozen=True)
class CatalogueCourse:
    """What the catalogue needs of a course besides its rendered card top."""

    pk: int
    title: str
    audience: str
    level: int
    prerequisite_refs: tuple[CoursePrerequisite, ...]


def _catalogue_pages(catalogue) -> list:
    CoursePage = apps.get_model("courses", "CoursePage")
    return list(
        CoursePage.objects.live()
        .child_of(catalogue)
        .select_related("cover_image")
        .prefetch_related("prerequisites")
        .order_by("path")
    )


def catalogue_courses(catalogue) -> tuple[CatalogueCourse, ...]:
    """The live courses of a catalogue in order, with their prerequisites."""

    def build():
        return tuple(
            CatalogueCourse(
                pk=course.pk,
                title=course.title,
                audience=course.audience,
                level=course.level,
                prerequisite_refs=tuple(
                    CoursePrerequisite(pk=p.pk, title=p.title, live=p.live)
                    for p in course.prerequisites.all()
                ),
            )
            for course in _catalogue_pages(catalogue)
        )

    return cached("catalogue-entries", catalogue.pk, build, shared=True)


def _rendered(template_name: str, context: dict) -> str:
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    return mark_safe(render_to_string(template_name, context))  # noqa: S308 - our templates


def catalogue_card_heads(catalogue, request) -> dict[int, str]:
    """{course id: the static top of its catalogue card} (cover image, title, link, summary,
    audience, level, length) in the request's language: rendering twenty of these was a third
    of the catalogue's time. The learner's own badges are rendered fresh by the caller."""
    from django.utils.translation import get_language

    site = site_for_request(request)

    def build():
        return {
            course.pk: _rendered(
                "courses/includes/course_card_head.html", {"course": course, "request": request}
            )
            for course in _catalogue_pages(catalogue)
        }

    return cached(
        "catalogue-cards", f"{catalogue.pk}:{get_language()}:{site.pk if site else 0}", build
    )


def static_fragment(template_name: str, context: Callable[[], dict]) -> str:
    """A template's output that depends only on the language (an empty form, say), rendered
    once per language and generation; `context()` is called only to render it."""
    from django.utils.translation import get_language

    return cached(
        "fragment",
        f"{template_name}:{get_language()}",
        lambda: _rendered(template_name, context()),
        shared=True,
    )


@dataclass
class CourseStructure:
    """A course's live modules in order (without their bodies) and its prerequisites."""

    modules: list = field(default_factory=list)
    prerequisites: list = field(default_factory=list)


def _build_structure(course) -> CourseStructure:
    ModulePage = apps.get_model("modules", "ModulePage")
    CoursePage = apps.get_model("courses", "CoursePage")
    modules = list(ModulePage.objects.live().child_of(course).order_by("path").only(*MODULE_FIELDS))
    prerequisites = (
        list(CoursePage.objects.filter(required_by=course.pk).order_by("path"))
        if isinstance(course, CoursePage) or getattr(course, "specific_class", None) is CoursePage
        else []
    )
    return CourseStructure(modules=modules, prerequisites=prerequisites)


def course_structure(course, *, fresh: bool = False) -> CourseStructure:
    """The course's structure; `fresh` reads the database (for the services that write)."""
    if fresh:
        return _build_structure(course)
    return cached("course", course.pk, lambda: _build_structure(course))


def required_module_ids(course_ids: list[int]) -> dict[int, list[tuple[int, bool]]]:
    """{course id: [(module id, is_required), …]} of the live modules, for many courses at once."""
    from wagtail.models import Page

    ModulePage = apps.get_model("modules", "ModulePage")
    current = generation()
    keys = {cid: f"content:{current}:course-modules:{cid}" for cid in course_ids}
    found = _read(current, list(keys.values()))
    result = {cid: found[key] for cid, key in keys.items() if key in found}
    missing = [cid for cid in course_ids if cid not in result]
    if missing:
        courses = dict(Page.objects.filter(pk__in=missing).values_list("path", "pk"))
        built: dict[int, list[tuple[int, bool]]] = {cid: [] for cid in missing}
        if courses:
            depths = {len(path) // Page.steplen + 1 for path in courses}
            from django.db.models import Q

            parents = Q()
            for path in courses:
                parents |= Q(path__startswith=path)
            for pk, path, required in (
                ModulePage.objects.live()
                .filter(parents, depth__in=depths)
                .order_by("path")
                .values_list("pk", "path", "is_required")
            ):
                course_id = courses.get(path[: -Page.steplen])
                if course_id is not None:
                    built[course_id].append((pk, required))
        _write({keys[cid]: value for cid, value in built.items()})
        result.update(built)
    return result


def pages(ids: list[int]) -> dict[int, Any]:
    """{page id: Page} (Wagtail's base type: title and address) for many pages at once, such
    as the courses of a learner's assignments."""
    from wagtail.models import Page

    return _many("page", ids, lambda missing: Page.objects.in_bulk(missing))


def courses(ids: list[int]) -> dict[int, Any]:
    """{course id: CoursePage} (cover image and prerequisites loaded) for many courses at once,
    published or not, such as the courses a learner has started."""
    CoursePage = apps.get_model("courses", "CoursePage")

    def load(missing: list[int]) -> dict[int, Any]:
        return {
            course.pk: course
            for course in CoursePage.objects.filter(pk__in=missing)
            .select_related("cover_image")
            .prefetch_related("prerequisites")
        }

    return _many("course-page", ids, load)


def _many(name: str, ids: list[int], load: Callable[[list[int]], dict[int, Any]]) -> dict:
    wanted = sorted({int(i) for i in ids if i not in (None, "")})
    if not wanted:
        return {}
    current = generation()
    keys = {pk: f"content:{current}:{name}:{pk}" for pk in wanted}
    found = _read(current, list(keys.values()))
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in wanted if pk not in result]
    if missing:
        loaded = load(missing)
        _write({keys[pk]: value for pk, value in loaded.items()})
        result.update(loaded)
    return result


# Films ---------------------------------------------------------------------------------------


def films(ids: list[int]) -> dict[int, Any]:
    """{film id: Film} (poster loaded) for module blocks, shared by every module page."""
    Film = apps.get_model("modules", "Film")
    return _many(
        "film", ids, lambda missing: Film.objects.select_related("poster").in_bulk(missing)
    )


# Invalidation ---------------------------------------------------------------------------------


def _on_page_change(sender, instance=None, **kwargs) -> None:
    bump(f"{sender.__name__} {getattr(instance, 'pk', '')}")


def _on_record_change(sender, instance=None, **kwargs) -> None:
    bump(f"{sender.__name__} {getattr(instance, 'pk', '')}")


def connect() -> None:
    """Wire the bumps: Wagtail's publish/unpublish/move (reordering is a move), page deletion,
    films, images and sites. Called from `LmsConfig.ready`."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Page, Site, get_page_models
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_on_page_change, dispatch_uid="content_cache_published")
    page_unpublished.connect(_on_page_change, dispatch_uid="content_cache_unpublished")
    post_page_move.connect(_on_page_change, dispatch_uid="content_cache_moved")
    # Per page model rather than for every model: a receiver for all senders would turn off
    # Django's fast (set-based) deletes everywhere.
    for model in {Page, *get_page_models()}:
        post_delete.connect(
            _on_page_change, sender=model, dispatch_uid=f"content_cache_del_{model._meta.label}"
        )
        # Any write of a page row too (a page created live in code, a draft saved): rebuilding
        # is cheap, a stale tree is not.
        post_save.connect(
            _on_page_change, sender=model, dispatch_uid=f"content_cache_save_{model._meta.label}"
        )
    from django.db.models.signals import m2m_changed
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction

    Film = apps.get_model("modules", "Film")
    # Images too: cached catalogue cards carry a cover image's rendition address. View
    # restrictions and their groups: pages are served with the cached ones.
    m2m_changed.connect(
        _on_record_change,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="content_cache_restriction_groups",
    )
    for model in (Film, Site, get_image_model(), PageViewRestriction):
        post_save.connect(
            _on_record_change, sender=model, dispatch_uid=f"content_cache_save_{model._meta.label}"
        )
        post_delete.connect(
            _on_record_change, sender=model, dispatch_uid=f"content_cache_del_{model._meta.label}"
        )
