"""What a user may see: the one place that decides it, by role.

- PPL: the SLS actively assigned to them; of staff, themselves.
- PML: the SLS actively assigned to their team's PPL; themselves and their team.
- Koseka: every SLS of their kecamatan; themselves, their PML and those PML's PPL.
- BPS Kota admin: everything.
- Pemkot staff: area names and codes (public), no field staff.

Every selector, API and page narrows its querysets through these functions; nothing else
decides scope (tests/enumeration/test_scoping.py pins the rules).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from enumeration.models import SLS, Kecamatan, Kelurahan, Role, User


def _is_active_user(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sls_scope_q(user: User, *, prefix: str = "") -> Q:
    """A filter on SLS (or on any model reaching SLS through `prefix`, e.g. "sls__")."""
    if not _is_active_user(user):
        return Q(pk__in=[])
    role = user.role
    if role in (Role.BPS_ADMIN, Role.PEMKOT):
        return Q()
    if role == Role.PPL:
        return Q(**{f"{prefix}assignments__ppl": user, f"{prefix}assignments__ended_at__isnull": True})
    if role == Role.PML:
        return Q(
            **{
                f"{prefix}assignments__ppl__supervisor": user,
                f"{prefix}assignments__ended_at__isnull": True,
            }
        )
    if role == Role.KOSEKA and user.kecamatan_id:
        return Q(**{f"{prefix}kelurahan__kecamatan_id": user.kecamatan_id})
    return Q(pk__in=[])


def visible_sls(user: User) -> QuerySet[SLS]:
    # Filtering through the assignment join can repeat an SLS only if it had two active
    # assignments, which a constraint forbids; distinct() keeps it safe regardless.
    return SLS.objects.filter(sls_scope_q(user)).distinct()


def visible_kelurahan(user: User) -> QuerySet[Kelurahan]:
    if not _is_active_user(user):
        return Kelurahan.objects.none()
    if user.role in (Role.BPS_ADMIN, Role.PEMKOT):
        return Kelurahan.objects.all()
    if user.role == Role.KOSEKA:
        return Kelurahan.objects.filter(kecamatan_id=user.kecamatan_id)
    return Kelurahan.objects.filter(bps_code__in=visible_sls(user).values("kelurahan_id"))


def visible_kecamatan(user: User) -> QuerySet[Kecamatan]:
    if not _is_active_user(user):
        return Kecamatan.objects.none()
    if user.role in (Role.BPS_ADMIN, Role.PEMKOT):
        return Kecamatan.objects.all()
    if user.role == Role.KOSEKA:
        return Kecamatan.objects.filter(bps_code=user.kecamatan_id)
    return Kecamatan.objects.filter(bps_code__in=visible_kelurahan(user).values("kecamatan_id"))


def visible_staff(user: User) -> QuerySet[User]:
    if not _is_active_user(user):
        return User.objects.none()
    role = user.role
    if role == Role.BPS_ADMIN:
        return User.objects.all()
    if role == Role.PML:
        return User.objects.filter(Q(pk=user.pk) | Q(supervisor=user))
    if role == Role.KOSEKA:
        return User.objects.filter(Q(pk=user.pk) | Q(supervisor=user) | Q(supervisor__supervisor=user))
    return User.objects.filter(pk=user.pk)


def can_see_field_staff(user: User) -> bool:
    """Whether the user may see who works where (PPL and PML of an SLS, assignment history).
    Pemkot staff see area names and codes only (docs/privacy.md)."""
    return _is_active_user(user) and user.role in (Role.PPL, Role.PML, Role.KOSEKA, Role.BPS_ADMIN)


def can_see_sls(user: User, sls: SLS) -> bool:
    return visible_sls(user).filter(pk=sls.pk).exists()


def can_use_admin(user: User) -> bool:
    """The Django admin is for BPS Kota admins only (and the technical superuser)."""
    return bool(_is_active_user(user) and (user.is_superuser or user.role == Role.BPS_ADMIN))


def can_manage_assignments(user: User, sls: SLS) -> bool:
    """BPS admins anywhere; a Koseka within their kecamatan."""
    if not _is_active_user(user):
        return False
    if user.role == Role.BPS_ADMIN or user.is_superuser:
        return True
    return user.role == Role.KOSEKA and sls.kelurahan.kecamatan_id == user.kecamatan_id


def can_view_rankings(user: User) -> bool:
    """Ranking runs: BPS admins and Pemkot staff (the kota), a Koseka (their kecamatan's families)."""
    if not _is_active_user(user):
        return False
    if user.role in (Role.BPS_ADMIN, Role.PEMKOT):
        return True
    return user.role == Role.KOSEKA and bool(user.kecamatan_id)


def can_run_rankings(user: User) -> bool:
    """Starting, cancelling and finalising ranking runs: BPS admins only."""
    return bool(_is_active_user(user) and user.role == Role.BPS_ADMIN)


def ranking_area_q(user: User, *, prefix: str = "") -> Q:
    """A filter on rows carrying a `kecamatan` (ranked and unranked families): what the user may see."""
    if not can_view_rankings(user):
        return Q(pk__in=[])
    if user.role == Role.KOSEKA:
        return Q(**{f"{prefix}kecamatan_id": user.kecamatan_id})
    return Q()
