"""API: logging in, and the accounts an admin manages.

POST /api/v1/login {email, password} -> {token, expires_at, role}   (5 failures per email and
address in 15 minutes -> 429)
POST /api/v1/users {email, role, team, password}   (admin)
GET  /api/v1/users   (admin)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from clinic import accounts, ratelimit
from clinic.auth import Principal, audit, user
from clinic.db import engine_of
from clinic.errors import TooManyRequests, Unauthorized

router = APIRouter(prefix="/api/v1", tags=["accounts"])
Admin = Annotated[Principal, Depends(user("admin"))]


class LoginBody(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)


class LoginAnswer(BaseModel):
    token: str
    expires_at: str
    role: str


class NewUser(BaseModel):
    email: str = Field(max_length=254)
    role: str
    team: str | None = Field(default=None, max_length=100)
    password: str = Field(max_length=1024)


class UserOut(BaseModel):
    id: int
    email: str
    role: str
    team: str | None
    created_at: str
    disabled: bool


def client_address(request: Request) -> str:
    """The peer's address. Behind a proxy this is the proxy's: the limits then count per proxy,
    which is stricter, never looser (X-Forwarded-For is not trusted: a client can write it)."""
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=LoginAnswer)
def login(body: LoginBody, request: Request) -> LoginAnswer:
    key = ratelimit.LOGIN.key(body.email.strip().lower(), client_address(request))
    engine = engine_of(request)
    # counted and committed before the password is checked: guesses sent at once cannot all pass a
    # check made before any of them was counted
    with engine.begin() as conn:
        tries = ratelimit.hit(conn, ratelimit.LOGIN, key)
    if tries > ratelimit.LOGIN.attempts:
        raise TooManyRequests("too many failed logins: wait 15 minutes and try again")
    with engine.begin() as conn:
        done = accounts.login(conn, body.email, body.password)
        if done is not None:  # only failures count: a right password gives its attempt back
            ratelimit.forgive(conn, ratelimit.LOGIN, key)
    if done is None:
        raise Unauthorized("wrong email or password")
    return LoginAnswer(token=done.token, expires_at=done.expires_at, role=done.role)


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: NewUser, request: Request, who: Admin) -> UserOut:
    with engine_of(request).begin() as conn:
        made = accounts.add_user(conn, body.email, body.role, body.password, body.team)
        audit(conn, who, "add user", None, f"{made.email} as {made.role}")
    return UserOut(**made.to_dict())  # type: ignore[arg-type]


@router.get("/users", response_model=list[UserOut])
def list_users(request: Request, who: Admin) -> list[UserOut]:
    with engine_of(request).begin() as conn:
        return [UserOut(**found.to_dict()) for found in accounts.list_users(conn)]  # type: ignore[arg-type]
