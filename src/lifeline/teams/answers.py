"""The API's answers, built from rows: plain dicts in the shapes of ``schemas``
(times of day as ``HH:MM``, planned seconds turned into moments of the plan's day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lifeline.teams.models import (
    Appointment,
    Delivery,
    Plan,
    PlanRoute,
    PlanStop,
    PlanUnserved,
    Team,
    Vehicle,
    VisitSnapshot,
)
from lifeline.teams.planner.model import DAY_END
from lifeline.teams.schemas import PlanOut


def hhmm(value: dt.time) -> str:
    return value.strftime("%H:%M")


def team_out(team: Team) -> dict[str, Any]:
    return {
        "id": team.pk,
        "name": team.name,
        "unit_id": team.unit_id,
        "unit_name": team.unit.name,
        "area_path": team.area_path,
        "helps_neighbours": team.helps_neighbours,
        "active": team.active,
    }


def vehicle_out(vehicle: Vehicle) -> dict[str, Any]:
    return {
        "id": vehicle.pk,
        "team_id": vehicle.team_id,
        "name": vehicle.name,
        "capacity": vehicle.capacity,
        "depot_lat": vehicle.depot_lat,
        "depot_lng": vehicle.depot_lng,
        "shift_start": hhmm(vehicle.shift_start),
        "shift_end": hhmm(vehicle.shift_end),
        "cost_per_km": float(vehicle.cost_per_km),
        "skills": list(vehicle.skills or []),
        "serves": [t.pk for t in vehicle.serves.all()],
        "active": vehicle.active,
    }


def team_detail_out(team: Team) -> dict[str, Any]:
    return {
        **team_out(team),
        "areas": [{"id": a.pk, "name": a.name, "path": a.path} for a in team.areas.all()],
        "vehicles": [vehicle_out(v) for v in team.vehicles.all()],
        "members": [
            {
                "id": m.pk,
                "user_id": m.user_id,
                "name": str(m.user),
                "vehicle_id": m.vehicle_id,
                "skills": list(m.skills or []),
            }
            for m in team.members.all()
        ],
        "shifts": [
            {"weekday": s.weekday, "date": s.date, "start": hhmm(s.start), "end": hhmm(s.end)}
            for s in team.shifts.all()
        ],
    }


def _visit(row: VisitSnapshot, plan: Plan) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "ref_id": row.ref_id,
        "label": row.label,
        "address": row.address,
        "area_path": row.area_path,
        "lat": row.lat,
        "lng": row.lng,
        "window_from": plan.at(row.earliest),
        "window_until": plan.at(row.latest) if row.latest < DAY_END else None,
        "service_minutes": round(row.service / 60, 1),
        "skill": row.skill,
        "size": row.size,
        "priority": row.priority,
    }


def stop_out(stop: PlanStop, plan: Plan, vehicle_id: int) -> dict[str, Any]:
    return {
        **_visit(stop, plan),
        "id": stop.pk,
        "seq": stop.seq,
        "vehicle_id": vehicle_id,
        "eta": plan.at(stop.start),
        "planned_km": stop.planned_km,
        "arrived_at": stop.arrived_at,
        "arrived_km": stop.arrived_km,
        "completed_at": stop.completed_at,
        "outcome": stop.outcome,
        "note": stop.note,
        "late": stop.late,
    }


def route_out(route: PlanRoute, plan: Plan) -> dict[str, Any]:
    return {
        "id": route.pk,
        "vehicle_id": route.vehicle_id,
        "vehicle_name": route.vehicle.name,
        "capacity": route.capacity,
        "load": route.load,
        "km": route.km,
        "leaves_at": plan.at(route.shift_start),
        "back_at": plan.at(route.end),
        "stops": [stop_out(s, plan, route.vehicle_id) for s in route.stops.all()],
    }


def plan_out(plan: Plan) -> dict[str, Any]:
    names = [f for f in PlanOut.model_fields if f not in ("km_saved", "missed_saved")]
    data = {name: getattr(plan, name) for name in names if name not in ("unit_id", "team_id")}
    return {
        **data,
        "id": plan.pk,
        "unit_id": plan.unit_id,
        "team_id": plan.team_id,
        "km_saved": plan.km_saved,
        "missed_saved": plan.missed_saved,
    }


def plan_detail_out(plan: Plan, routes: list[PlanRoute]) -> dict[str, Any]:
    unserved: list[PlanUnserved] = list(plan.unserved.all())
    return {
        **plan_out(plan),
        "km": round(sum(r.distance for r in routes) / 1000, 1),
        "routes": [route_out(r, plan) for r in routes],
        "unserved": [
            {**_visit(u, plan), "id": u.pk, "reason": u.reason, "detail": u.detail}
            for u in unserved
        ],
    }


def appointment_out(item: Appointment) -> dict[str, Any]:
    return {
        "id": item.pk,
        "work_order_id": item.work_order_id,
        "area_path": item.area_path,
        "day": item.day,
        "start": hhmm(item.start),
        "end": hhmm(item.end),
    }


def delivery_out(item: Delivery) -> dict[str, Any]:
    return {
        "id": item.pk,
        "household_id": item.household_id,
        "address": item.address,
        "unit_id": item.unit_id,
        "area_path": item.area_path,
        "day": item.day,
        "start": hhmm(item.start),
        "end": hhmm(item.end),
        "what": item.what,
        "size": item.size,
        "skill": item.skill,
        "status": item.status,
    }
