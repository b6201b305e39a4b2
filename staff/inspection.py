"""The inspector's page: processing time per office and stage of their province, late orders, orders per day."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, g, render_template, request

from orders_core.lifecycle import Role

from . import charts, figures
from .access import allow, services
from .presentation import hours, local_today, t

__all__ = ["bp", "PERIODS"]

bp = Blueprint("inspection", __name__)
PERIODS = (7, 30, 90)  # days the figures may cover


@bp.get("/inspection")
@allow(Role.INSPECTOR)
def overview():
    """Median and 90th-percentile time per office and stage, late orders, and orders per day."""
    days = request.args.get("days", type=int)
    days = days if days in PERIODS else 30
    zone = services().settings.timezone
    with services().uow() as uow:
        now, today = uow.now(), local_today()
        offices = figures.province_offices(uow, g.staff.province_code)
        codes = [office.code for office in offices]
        per_office, overall = figures.stage_times(uow, codes, now - timedelta(days=days))
        late = figures.late_orders(uow, codes, now)
        per_day = figures.orders_per_day(uow, codes, today - timedelta(days=days - 1), today, zone)
        return render_template(
            "staff/inspection.html", offices={office.code: office for office in offices}, per_office=per_office,
            overall=overall, late=late, days=days, periods=PERIODS,
            day_chart=charts.columns([(d.strftime("%d/%m"), n) for d, n in per_day]),
            stage_chart=charts.bars([(t(f"staff.status.{row.stage}"), row.median_hours) for row in overall],
                                    fmt=hours),
        )
