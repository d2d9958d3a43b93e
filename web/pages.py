"""Static pages: `/over` (how this assistant works, what it stores and for how long)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("pages", __name__)


@bp.get("/over")
def about():
    return render_template("about.html", retention_days=current_app.config["HELPDESK_RETENTION_DAYS"])
