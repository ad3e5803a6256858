"""Sign-in, sign-out, own password and own sessions."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.auth import services, sessions
from portal.blueprints.auth.forms import EmptyForm, LoginForm, PasswordChangeForm
from portal.db import utcnow
from portal.errors import ValidationFailed
from portal.extensions import limiter
from portal.htmx import hx_redirect, render_view

bp = Blueprint("auth", __name__, url_prefix="/auth")

TOKEN_KEY = "_user_id"  # where Flask-Login keeps get_id(): our session token


def safe_next(target: str | None) -> str | None:
    """Only a path on this portal is a valid "next" (no scheme, no host, no //)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return None
    return target


# Password guesses are throttled the same way wherever a password is checked: at sign-in and
# in the password change (a stolen session must not become a known password). The limits are
# shared (one budget per account, one per address, whichever form the guesses come through);
# only wrong passwords count, and over the limit the answer is 429.
ACCOUNT_SCOPE = "password-guess-account"
ADDRESS_SCOPE = "password-guess-address"


def _account(email: str | None) -> str:
    return "account:" + (email or "").strip().lower()


def _login_account_key() -> str:
    return _account(request.form.get("email"))


def _own_account_key() -> str:
    return _account(getattr(current_user, "email", None) or "anonymous")


def _failed(response) -> bool:
    # Only failed sign-ins (answered 422) count towards the limits.
    return response.status_code == 422


def _wrong_current_password(_response) -> bool:
    # Only a wrong current password counts (not a weak or mistyped new one).
    return bool(g.get("wrong_current_password"))


def _guess_limits(account_key, deduct_when):
    """The two shared limits (per account, per address) on a view's POSTs."""

    def decorate(view):
        view = limiter.shared_limit(
            lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
            scope=ADDRESS_SCOPE,
            methods=["POST"],
            deduct_when=deduct_when,
        )(view)
        return limiter.shared_limit(
            lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
            scope=ACCOUNT_SCOPE,
            key_func=account_key,
            methods=["POST"],
            deduct_when=deduct_when,
        )(view)

    return decorate


def _sign_in(person) -> None:
    token = sessions.start_session(
        person,
        now=utcnow(),
        address=request.remote_addr,
        user_agent=request.headers.get("User-Agent"),
    )
    person.current_session_token = token
    session.clear()
    login_user(person)


@bp.route("/login", methods=["GET", "POST"])
@_guess_limits(_login_account_key, _failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        person = services.authenticate(form.email.data, form.password.data)
        if person is not None:
            _sign_in(person)
            return redirect(safe_next(form.next.data) or url_for("home.index"), code=303)
        # One answer for an unknown account and a wrong password.
        form.password.errors = [_("E-mail or password is incorrect.")]
        return render_view("auth/login.html", form=form, status=422)
    status = 422 if request.method == "POST" else 200
    return render_view("auth/login.html", form=form, status=status)


@bp.post("/logout")
@login_required
def logout():
    token = current_user.current_session_token
    sessions.sign_out(current_user, token, now=utcnow())
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return hx_redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@_guess_limits(_own_account_key, _wrong_current_password)
@login_required
def password_change():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                current_user, form.current_password.data, form.new_password.data, now=utcnow()
            )
        except ValidationFailed as error:
            g.wrong_current_password = "current_password" in error.field_errors
            for field, messages in error.field_errors.items():
                getattr(form, field).errors = list(messages)
            return render_view("auth/password_change.html", form=form, status=422)
        _sign_in(current_user._get_current_object())
        flash(_("Your password was changed. Your other sessions were ended."), "success")
        return hx_redirect(url_for("auth.session_list"))
    status = 422 if request.method == "POST" else 200
    return render_view("auth/password_change.html", form=form, status=status)


@bp.get("/sessions")
@login_required
def session_list():
    rows = sessions.open_sessions_of(current_user)
    current_id = current_user.__dict__.get("_session_id")
    return render_view("auth/session_list.html", rows=rows, current_id=current_id, form=EmptyForm())


@bp.post("/sessions/<int:session_id>/end")
@login_required
def session_end(session_id: int):
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.end_session(current_user, current_user, session_id, now=utcnow())
        flash(_("The session was ended."), "success")
    return hx_redirect(url_for("auth.session_list"))
