"""GET /healthz: is the service up, and can it reach its database and Redis."""
from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Report the state of the database and Redis; 503 when either is down."""
    state = current_app.extensions["shubbak"].health()
    ok = all(v == "ok" for v in state.values())
    return jsonify(status="ok" if ok else "degraded", **state), (200 if ok else 503)
