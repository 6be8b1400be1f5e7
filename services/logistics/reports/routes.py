"""``/v1/logistics/warehouses/{id}/reports`` — monthly warehouse reports, JSON, CSV and XLSX."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from services.logistics.calendar import business_day
from services.logistics.reports import render, service
from services.logistics.reports.repository import ReportRepository
from services.logistics.reports.schemas import FileIn, FilingOut, ReportListItem, ReportOut, ReportPage
from services.logistics.warehouses import service as warehouses
from shared.identity import CurrentIdentity
from shared.kit.pagination import PageParams
from shared.kit.responses import COMMON_PROBLEMS, problems, raw_response
from shared.service import DbSession, RuntimeDep
from shared.sqltypes import utcnow

router = APIRouter(prefix="/v1/logistics/warehouses", tags=["warehouse reports"])
Month = Annotated[str, Path(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM, Beijing calendar")]


async def _report(session: DbSession, identity: CurrentIdentity, warehouse_id: str, month: str) -> ReportOut:
    warehouse = await service.readable(session, identity, warehouse_id)
    month = service.parse_month(month, utcnow())
    current = month == f"{business_day(utcnow()):%Y-%m}"
    stored = await ReportRepository(session).get(warehouse.id, month)
    filing = (
        None
        if stored is None
        else FilingOut(
            revision=stored.revision,
            filed_by=stored.filed_by,  # type: ignore[arg-type]  # platform or operator
            filed_at=stored.filed_at,
            complete=stored.complete,
        )
    )
    if stored is not None and not current:
        return ReportOut(
            warehouse_id=warehouse.id,
            month=month,
            complete=True,
            filing=filing,
            figures=service.filed_figures(stored),
        )
    return ReportOut(
        warehouse_id=warehouse.id,
        month=month,
        complete=not current,
        filing=filing,
        figures=await service.figures(session, warehouse, month, stored.area_used_m2 if stored else None),
    )


@router.get(
    "/{warehouse_id}/reports",
    response_model=ReportPage,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="A warehouse's filed months",
)
async def list_reports(
    warehouse_id: str, identity: CurrentIdentity, session: DbSession, page: PageParams
) -> ReportPage:
    """Filed monthly reports, newest first (the operator and regulators)."""
    warehouse = await service.readable(session, identity, warehouse_id)
    items, cursor = await ReportRepository(session).filed_page(warehouse.id, page)
    return ReportPage(items=[ReportListItem.model_validate(r) for r in items], next_cursor=cursor)


@router.get(
    "/{warehouse_id}/reports/{month}",
    response_model=ReportOut,
    responses=problems(*COMMON_PROBLEMS, 404),
    summary="A warehouse's month",
)
async def read_report(
    warehouse_id: str, month: Month, identity: CurrentIdentity, session: DbSession
) -> ReportOut:
    """Inbound and outbound volumes, customers, SKUs, area use, stock age, order-to-ship time."""
    return await _report(session, identity, warehouse_id, month)


@router.post(
    "/{warehouse_id}/reports/{month}",
    response_model=ReportOut,
    responses=problems(*COMMON_PROBLEMS, 404, 409),
    summary="File a month's report (the current one: provisional)",
)
async def file_report(
    warehouse_id: str,
    month: Month,
    data: FileIn,
    identity: CurrentIdentity,
    session: DbSession,
    runtime: RuntimeDep,
) -> ReportOut:
    """The operator files (e.g. with the area it used); statistics get the new revision. The platform
    files every past month by itself; the current month filed now is provisional."""
    warehouse = await warehouses.managed(session, identity, warehouse_id)
    month = service.parse_month(month, utcnow())
    await service.file(
        session, runtime.publisher, warehouse, month, by=identity, area_used_m2=data.area_used_m2
    )
    return await _report(session, identity, warehouse_id, month)


@router.get(
    "/{warehouse_id}/reports/{month}/export.csv",
    response_class=Response,
    responses=raw_response({render.CSV_TYPE: "\ufeff...,指标,Measure,值 Value\r\n"})
    | problems(*COMMON_PROBLEMS, 404),
    summary="A warehouse's month as CSV",
)
async def export_csv(
    warehouse_id: str, month: Month, identity: CurrentIdentity, session: DbSession
) -> Response:
    """The report for a spreadsheet (UTF-8 with BOM, Chinese and English labels)."""
    report = await _report(session, identity, warehouse_id, month)
    body = render.to_csv(_title(report), report.figures)
    return Response(body, media_type=render.CSV_TYPE, headers=_attachment(report, "csv"))


@router.get(
    "/{warehouse_id}/reports/{month}/export.xlsx",
    response_class=Response,
    responses=raw_response({render.XLSX_TYPE: None}) | problems(*COMMON_PROBLEMS, 404),
    summary="A warehouse's month as XLSX",
)
async def export_xlsx(
    warehouse_id: str, month: Month, identity: CurrentIdentity, session: DbSession
) -> Response:
    """The report as a workbook."""
    report = await _report(session, identity, warehouse_id, month)
    body = render.to_xlsx(_title(report), report.figures)
    return Response(body, media_type=render.XLSX_TYPE, headers=_attachment(report, "xlsx"))


def _title(report: ReportOut) -> tuple[str, ...]:
    state = (
        "已报送 filed"
        if report.filing
        else ("进行中 in progress" if not report.complete else "未报送 not filed")
    )
    revision = f"rev {report.filing.revision}" if report.filing else ""
    return (
        "海外仓月度报告 Overseas warehouse monthly report",
        report.warehouse_id,
        report.month,
        state,
        revision,
    )


def _attachment(report: ReportOut, ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{report.warehouse_id}-{report.month}.{ext}"'}
