"""Public streaming profiles and the public user analytics read.

A user opts in: they create a profile (a username unique across the platform, a display name,
partner/affiliate status) and record streaming sessions; only a *published* profile of an
*active* user is visible publicly.  Everything else -- unknown, unpublished, deleted, or a
deactivated user -- is the same 404, so the route cannot be used to probe which names exist.
The public answer carries no e-mail, no internal id and nothing the user did not publish.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import orjson
from tortoise.exceptions import IntegrityError

from models.usage import PublicProfile, StreamSession
from services.core.errors import Conflict, NotFound
from services.identity import Principal, Role, load_users, require_authenticated
from services.usage.schemas import ProfileInfo, ProfileInput, PublicAnalytics, SessionInfo, SessionInput

NOT_FOUND = "User not found"


async def _own(principal: Principal) -> PublicProfile:
    row = await PublicProfile.get_or_none(user_id=principal.user_id)
    if row is None:
        raise NotFound("You have no public profile yet")
    return row


async def _info(row: PublicProfile) -> ProfileInfo:
    sessions = await StreamSession.filter(profile_id=row.id).count()
    return ProfileInfo(
        username=row.username,
        display_name=row.display_name,
        partner_status=row.partner_status,
        published=row.published,
        sessions=sessions,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def get_profile(principal: Principal) -> ProfileInfo:
    principal = require_authenticated(principal)
    return await _info(await _own(principal))


async def put_profile(principal: Principal, data: ProfileInput) -> ProfileInfo:
    """Create or change the caller's own profile; usernames compare case-insensitively."""
    principal = require_authenticated(principal)
    username = data.username.lower()
    values = {
        "username": username,
        "display_name": data.display_name,
        "partner_status": data.partner_status,
        "published": data.published,
    }
    taken = await PublicProfile.filter(username=username).exclude(user_id=principal.user_id).exists()
    if taken:
        raise Conflict(f"Username {username} is taken")
    try:
        row, _ = await PublicProfile.update_or_create(
            defaults={**values, "organization_id": principal.organization_id}, user_id=principal.user_id
        )
    except IntegrityError:
        raise Conflict(f"Username {username} is taken") from None
    return await _info(row)


async def delete_profile(principal: Principal) -> None:
    """Delete the caller's profile and its sessions (the public route then answers 404)."""
    principal = require_authenticated(principal)
    row = await _own(principal)
    await row.delete()


async def add_session(principal: Principal, data: SessionInput) -> SessionInfo:
    principal = require_authenticated(principal)
    row = await _own(principal)
    s = await StreamSession.create(profile_id=row.id, **data.model_dump())
    return SessionInfo(
        id=s.id,
        started_at=s.started_at,
        duration_seconds=s.duration_seconds,
        views=s.views,
        followers_gained=s.followers_gained,
        average_viewers=s.average_viewers,
        peak_viewers=s.peak_viewers,
        category=s.category,
    )


async def public_analytics(username: str) -> PublicAnalytics:
    """The published profile's totals; 404 for anything not publicly visible."""
    row = await PublicProfile.get_or_none(username=username.lower(), published=True)
    if row is None:
        raise NotFound(NOT_FOUND)
    if not await _active(row):
        raise NotFound(NOT_FOUND)
    sessions = await StreamSession.filter(profile_id=row.id).values(
        "started_at", "duration_seconds", "views", "followers_gained", "average_viewers", "peak_viewers", "category"
    )
    seconds = sum(s["duration_seconds"] for s in sessions)
    weighted = sum(s["average_viewers"] * s["duration_seconds"] for s in sessions)
    hours_by_category: dict[str, int] = defaultdict(int)
    for s in sessions:
        if s["category"]:
            hours_by_category[s["category"]] += s["duration_seconds"]
    popular = max(sorted(hours_by_category), key=lambda c: hours_by_category[c]) if hours_by_category else None
    return PublicAnalytics(
        username=row.username,
        display_name=row.display_name,
        partner_status=row.partner_status,
        is_partner=row.partner_status == "partner",
        is_affiliate=row.partner_status == "affiliate",
        total_views=sum(s["views"] for s in sessions),
        total_followers=sum(s["followers_gained"] for s in sessions),
        average_concurrent_viewers=round(weighted / seconds, 4) if seconds else None,
        peak_concurrent_viewers=max((s["peak_viewers"] for s in sessions), default=0),
        total_stream_hours=round(seconds / 3600, 4),
        streams=len(sessions),
        most_popular_category=popular,
        last_stream_at=max((s["started_at"] for s in sessions), default=None),
    )


async def _active(row: PublicProfile) -> bool:
    """Whether the profile's owner exists and is active (identity's loader, read as the owner)."""
    owner = Principal(user_id=row.user_id, organization_id=row.organization_id, role=Role.MEMBER)
    user = (await load_users(owner, [row.user_id]))[0]
    return user is not None and user.is_active


def etag(data: PublicAnalytics) -> str:
    return '"' + hashlib.sha256(orjson.dumps(data.model_dump(mode="json"))).hexdigest()[:32] + '"'
