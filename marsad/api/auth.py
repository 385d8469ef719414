"""Who is asking: bearer tokens of the store's accounts, and the server's own MARSAD_API_TOKEN.

Accounts are made with ``marsad users add NAME --role reader|editor|admin``; the store keeps
only a hash of each token. Readers see, editors also correct events and post articles, admins
also list the accounts. ``MARSAD_API_TOKEN`` keeps working as it did for ``POST /documents``:
it is an admin account named ``server`` that lives in the server's environment, not the store.
Tokens travel in the ``Authorization`` header, never in a cookie, so no other site can make a
signed-in browser write. A server started private (``marsad serve --private``) answers reads
only to a signed-in reader; otherwise reads are open and writes need an editor.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from marsad.store import review

RANK = {role: i for i, role in enumerate(review.ROLES)}
SERVER = {"name": "server", "role": "admin"}
_INVALID = object()

bearer = HTTPBearer(
    auto_error=False, description="An account's token (marsad users add), or MARSAD_API_TOKEN"
)


class Auth:
    """The app's dependencies for each role, over one store."""

    def __init__(
        self,
        server_token: str | None,
        private: bool,
        using_store: Callable[[], AbstractContextManager[Any]],
    ) -> None:
        self.server_token = server_token
        self.private = private
        self.using_store = using_store
        self.reader = self._needs("reader")
        self.editor = self._needs("editor")
        self.admin = self._needs("admin")

    def who(self, credentials: HTTPAuthorizationCredentials | None) -> Any:
        """The account of a token; None without one; ``_INVALID`` for a token nobody holds."""
        if credentials is None:
            return None
        token = credentials.credentials
        if self.server_token and hmac.compare_digest(
            token.encode("utf-8"), self.server_token.encode("utf-8")
        ):
            return SERVER
        with self.using_store() as s:
            return review.user_for_token(s.db, token) or _INVALID

    def writes_enabled(self) -> bool:
        if self.server_token:
            return True
        with self.using_store() as s:
            return review.has_users(s.db)

    def _needs(self, role: str) -> Callable[..., dict[str, str] | None]:
        def dependency(
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
        ) -> dict[str, str] | None:
            user = self.who(credentials)
            if role == "reader" and not self.private:
                return user if isinstance(user, dict) else None
            if not isinstance(user, dict):
                if role != "reader" and not self.writes_enabled():
                    raise HTTPException(
                        403, "writes are disabled: the server has no API token and the store no account"
                    )
                raise HTTPException(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
            if RANK[user["role"]] < RANK[role]:
                raise HTTPException(403, f"this needs an {role} account; {user['name']} is a {user['role']}")
            return user

        return dependency
