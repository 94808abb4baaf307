"""The seed scenario, the donations part: a company gives 3,000 protective suits, 11,000
N95 masks and 3,500 bottles of alcohol (about ¥180,000) through the district Red Cross.
The goods are received as three lines at the logistics group's warehouse, the donor is
thanked by text, two shipments go out to a street and a community, and the donor's trace
accounts for every unit: received = shipped + in stock. A pledge to deliver straight to
a community store is refused with the logistics group's contact, and receiving more than
pledged without a reason writes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lifeline.accounts.models import Role
from lifeline.core import clock
from lifeline.core.errors import ServiceError
from lifeline.core.models import OutboxMessage
from lifeline.supplies.models import (
    EntryKind,
    ForWhom,
    LedgerEntry,
    Lot,
    Need,
    Pledge,
    PledgeLine,
    PledgeStatus,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
)
from lifeline.supplies.selectors.trace import donor_trace, need_trace
from lifeline.supplies.services import donations, ledger
from lifeline.supplies.services.ledger import Ref
from lifeline.supplies.tests.scope_cases_donations import (
    EXPIRY,
    DonationsWorld,
    item,
    make_donations_world,
)
from lifeline.testing.factories import SmallCity, make_user

D = Decimal


@pytest.fixture
def w(city: SmallCity) -> DonationsWorld:
    return make_donations_world(city)


def red_cross_pledge(w: DonationsWorld) -> Pledge:
    return donations.pledge_create(
        actor=w.officer_b,
        donor=w.donor_b,
        warehouse=w.warehouse_b,
        channel=w.red_cross,
        value="180000",
        lines=[
            (item("protective_suit"), "3000", None, None),
            (item("n95"), "550", "n95_box20", None),  # 11,000 masks in boxes of 20
            (item("alcohol_500ml"), "3500", "bottle", None),
        ],
    )


def receipt(line: PledgeLine, received: str, **extra: str) -> dict[str, object]:
    return {
        "line_id": line.pk,
        "received": received,
        "lot_no": f"L-{line.item.code}",
        "expires_on": EXPIRY,
        **extra,
    }


def ship(w: DonationsWorld, need: Need, lot: Lot, quantity: str, *, delivered: bool) -> Shipment:
    """A shipment made by hand, as the allocation approval makes one: the line and its
    ISSUE entry referring to the shipment."""
    shipment = Shipment.objects.create(
        waybill_no=f"WB-TEST-{Shipment.objects.count() + 1}",
        from_warehouse=w.warehouse_b,
        unit=w.logistics_b,
        to_area=need.area,
        area_path=need.area_path,
        to_label=need.for_label,
        contact_name=need.contact_name,
        contact_phone=need.contact_phone,
        status=ShipmentStatus.DELIVERED if delivered else ShipmentStatus.DISPATCHED,
        created_by=w.officer_b,
        created_at=clock.now(),
        delivered_at=clock.now() if delivered else None,
        received_by=need.contact_name if delivered else "",
    )
    ShipmentLine.objects.create(
        shipment=shipment,
        need=need,
        lot=lot,
        item=lot.item,
        quantity=D(quantity),
        received=D(quantity) if delivered else None,
    )
    ledger.post(
        lot,
        -D(quantity),
        EntryKind.ISSUE,
        actor=w.officer_b,
        ref=Ref("supplies.shipment", shipment.pk),
    )
    return shipment


def make_need(w: DonationsWorld, area, code: str, quantity: str, for_whom: str, label: str) -> Need:
    return Need.objects.create(
        unit=w.city.units["committee"],
        area=area,
        area_path=area.path,
        item=item(code),
        quantity=D(quantity),
        needed_by=clock.today() + dt.timedelta(days=1),
        for_whom=for_whom,
        for_label=label,
        contact_name="赵主任",
        contact_phone="13700001234",
        created_by=w.officer_b,
        created_at=clock.now(),
    )


def test_red_cross_pledge_is_received_as_three_lines_thanked_once_and_traced(w):
    # given the company's pledge through the district Red Cross
    pledge = red_cross_pledge(w)
    suits, masks, alcohol = pledge.lines.order_by("pk")
    assert [line.quantity for line in (suits, masks, alcohol)] == [D(3000), D(11000), D(3500)]
    assert pledge.value == D(180000) and pledge.channel == w.red_cross
    # when the first truck arrives: 2,000 suits, every mask and every bottle
    donations.pledge_receive(
        actor=w.officer_b,
        pledge=pledge,
        lines=[receipt(suits, "2000"), receipt(masks, "11000"), receipt(alcohol, "3500")],
    )
    # then the pledge is partly received, each line a lot of its own, and the donor thanked
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.PARTLY_RECEIVED and pledge.thanked_at is not None
    lots = Lot.objects.filter(pledge_line__pledge=pledge)
    assert sorted(lot.on_hand for lot in lots) == [D(2000), D(3500), D(11000)]
    assert set(lots.values_list("warehouse", flat=True)) == {w.warehouse_b.pk}
    entries = LedgerEntry.objects.filter(ref_type="supplies.pledge", ref_id=str(pledge.pk))
    assert entries.count() == 3 and {e.kind for e in entries} == {EntryKind.RECEIPT}
    (text,) = OutboxMessage.objects.filter(recipient="13812345678")
    assert "某科技有限公司" in text.body
    for words in ("防护服 2000 件", "N95口罩 11000 件", "酒精 500ml 3500 瓶"):
        assert words in text.body, text.body
    # when the last 1,000 suits arrive
    donations.pledge_receive(actor=w.officer_b, pledge=pledge, lines=[receipt(suits, "1000")])
    # then the pledge is received and no second thank-you is queued
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.RECEIVED
    assert OutboxMessage.objects.filter(recipient="13812345678").count() == 1

    # given two shipments made by hand: suits to the street, masks to the community
    street_need = make_need(
        w, w.city.street, "protective_suit", "1200", ForWhom.STREET, "嵩山路街道"
    )
    post_need = make_need(w, w.city.community, "n95", "5000", ForWhom.POST, "泰山路卡口")
    first_suits = Lot.objects.get(pledge_line=suits, on_hand=D(2000))
    mask_lot = Lot.objects.get(pledge_line=masks)
    ship(w, street_need, first_suits, "1200", delivered=True)
    ship(w, post_need, mask_lot, "5000", delivered=False)

    # when the donor's trace is read
    trace = donor_trace(w.officer_b, w.donor_b)
    # then every unit is accounted for: received = shipped + in stock, nothing left over
    assert trace.balanced
    lines = {t.line.item.code: t for p in trace.pledges for t in p.lines}
    assert (lines["protective_suit"].received, lines["protective_suit"].shipped) == (3000, 1200)
    assert lines["protective_suit"].in_stock == 1800
    assert (lines["n95"].shipped, lines["n95"].in_stock) == (5000, 6000)
    assert (lines["alcohol_500ml"].shipped, lines["alcohol_500ml"].in_stock) == (0, 3500)
    for t in lines.values():
        assert t.received == t.shipped + t.issued_otherwise + t.adjusted + t.in_stock
        assert t.remainder == 0
    # and each shipment says where, for whom and who received it
    (street,) = lines["protective_suit"].destinations
    assert (street.street, street.community) == ("嵩山路街道", "")
    assert street.shipment.received_by == "赵主任" and street.line.quantity == 1200
    (post,) = lines["n95"].destinations
    assert (post.street, post.community) == ("嵩山路街道", "泰山路社区")
    assert post.need is not None and post.need.for_label == "泰山路卡口"

    # and the street's need traces back to the donor, the pledge line and the warehouse
    street_staff = make_user("street_staff", role=Role.STREET_STAFF, area=w.city.street)
    sources = need_trace(street_staff, street_need).sources
    assert [(s.donor, s.pledge_line, s.warehouse, s.quantity) for s in sources] == [
        (w.donor_b, suits, w.warehouse_b, D(1200))
    ]


def test_a_unit_lost_from_the_trace_is_shown_not_hidden(w):
    # given a received line whose recorded total disagrees with the ledger
    pledge = red_cross_pledge(w)
    suits = pledge.lines.order_by("pk")[0]
    donations.pledge_receive(actor=w.officer_b, pledge=pledge, lines=[receipt(suits, "100")])
    PledgeLine.objects.filter(pk=suits.pk).update(received=D(101))
    # when the trace is read, then the missing unit is shown as a remainder
    trace = donor_trace(w.officer_b, w.donor_b)
    line = next(t for t in trace.pledges[-1].lines if t.line.pk == suits.pk)
    assert line.remainder == 1 and not trace.balanced


def test_a_pledge_to_a_community_store_is_refused_with_the_logistics_groups_contact(w, settings):
    before = (Pledge.objects.count(), PledgeLine.objects.count())
    # when the donor wants to deliver straight to the community's store
    with pytest.raises(ServiceError) as refused:
        donations.pledge_create(
            actor=w.officer_b,
            donor=w.donor_b,
            warehouse=w.community_store,
            lines=[(item("n95"), "1000", None, None)],
        )
    # then it is refused, naming the logistics group, its contact and phone; nothing written
    message = str(refused.value.message)
    assert refused.value.code == "direct_delivery"
    for words in ("指挥部物资保障组", "区物资保障仓库", "王保障", "0731-22334455"):
        assert words in message, message
    assert (Pledge.objects.count(), PledgeLine.objects.count()) == before
    # and when the city allows direct deliveries, the same pledge is taken
    settings.LIFELINE_DONATIONS_DIRECT = True
    pledge = donations.pledge_create(
        actor=w.officer_b,
        donor=w.donor_b,
        warehouse=w.community_store,
        lines=[(item("n95"), "1000", None, None)],
    )
    assert pledge.warehouse == w.community_store


def test_receiving_more_than_pledged_needs_a_reason_and_writes_nothing_without_one(w):
    pledge = red_cross_pledge(w)
    suits, masks, _alcohol = pledge.lines.order_by("pk")
    # when 3,001 suits are received against 3,000 pledged, with the masks, and no reason
    with pytest.raises(ServiceError) as refused:
        donations.pledge_receive(
            actor=w.officer_b,
            pledge=pledge,
            lines=[receipt(masks, "11000"), receipt(suits, "3001")],
        )
    # then nothing at all is written: no lot, no line total, no text, status unchanged
    assert f"line_{suits.pk}_reason" in refused.value.fields
    assert "3001" in refused.value.fields[f"line_{suits.pk}_reason"][0]
    assert not Lot.objects.filter(pledge_line__pledge=pledge).exists()
    suits.refresh_from_db()
    pledge.refresh_from_db()
    assert (suits.received, pledge.status, pledge.thanked_at) == (0, PledgeStatus.PLEDGED, None)
    assert not OutboxMessage.objects.filter(recipient="13812345678").exists()
    # when the reason is given, the extra suit is taken in and the reason recorded
    donations.pledge_receive(
        actor=w.officer_b, pledge=pledge, lines=[receipt(suits, "3001", reason="多送一套")]
    )
    suits.refresh_from_db()
    assert suits.received == 3001 and "多送一套" in suits.discrepancy


def test_short_and_damaged_goods_are_recorded_on_the_line(w):
    pledge = red_cross_pledge(w)
    _suits, _masks, alcohol = pledge.lines.order_by("pk")
    # when 3,400 bottles arrive whole and 60 broken, 40 never came
    donations.pledge_receive(
        actor=w.officer_b,
        pledge=pledge,
        lines=[receipt(alcohol, "3400", damaged="60", reason="运输破损，少40瓶")],
    )
    alcohol.refresh_from_db()
    # then only the whole bottles are in stock; the damage and the reason are on the line
    assert (alcohol.received, alcohol.damaged) == (3400, 60)
    assert Lot.objects.get(pledge_line=alcohol).on_hand == 3400
    assert "运输破损" in alcohol.discrepancy
    trace = donor_trace(w.officer_b, w.donor_b)
    line = next(t for p in trace.pledges for t in p.lines if t.line.pk == alcohol.pk)
    assert (line.short, line.in_stock, line.remainder) == (40, 3400, 0)


@pytest.mark.parametrize(
    "quantity,unit,field",
    [
        ("0", None, "quantity"),
        ("-5", None, "quantity"),
        ("10", "furlong", "unit"),
        ("2", "kg", "unit"),
    ],
)
def test_a_bad_pledge_line_is_refused_and_nothing_written(w, quantity, unit, field):
    before = (Pledge.objects.count(), PledgeLine.objects.count())
    with pytest.raises(ServiceError) as refused:
        donations.pledge_create(
            actor=w.officer_b,
            donor=w.donor_b,
            warehouse=w.warehouse_b,
            lines=[(item("rice"), "5", None, None), (item("n95"), quantity, unit, None)],
        )
    assert f"lines.1.{field}" in refused.value.fields, refused.value.fields
    assert (Pledge.objects.count(), PledgeLine.objects.count()) == before


def test_only_the_donors_group_records_and_only_its_warehouse_receives(w, city):
    from lifeline.core.errors import NotFound, PermissionDenied

    worker = make_user("grid_worker", role=Role.GRID_WORKER, area=city.grid_b)
    for actor in (w.officer_a, worker):
        with pytest.raises((NotFound, PermissionDenied)):
            donations.pledge_create(
                actor=actor,
                donor=w.donor_b,
                warehouse=w.warehouse_b,
                lines=[(item("n95"), "1", None, None)],
            )
        with pytest.raises((NotFound, PermissionDenied)):
            donations.pledge_receive(
                actor=actor,
                pledge=w.pledge_b,
                lines=[receipt(w.pledge_b.lines.first(), "1")],
            )
        with pytest.raises((NotFound, PermissionDenied)):
            donor_trace(actor, w.donor_b)
    # the command centre's staff hold donations over the groups under the centre
    command = make_user("command_b", role=Role.COMMAND_STAFF, unit=w.command)
    assert donor_trace(command, w.donor_b).donor == w.donor_b


def test_money_is_recorded_with_its_use(w):
    money = donations.money_record(
        actor=w.officer_b, donor=w.donor_b, amount="180000.00", received_on=clock.today()
    )
    donations.money_use_set(actor=w.officer_b, money=money, use="采购蔬菜包")
    money.refresh_from_db()
    assert (money.amount, money.use) == (D(180000), "采购蔬菜包")
    for amount in ("0", "-1", "abc", "1.001"):
        with pytest.raises(ServiceError):
            donations.money_record(
                actor=w.officer_b, donor=w.donor_b, amount=amount, received_on=clock.today()
            )
    with pytest.raises(ServiceError):
        donations.money_record(
            actor=w.officer_b,
            donor=w.donor_b,
            amount="10",
            received_on=clock.today() + dt.timedelta(days=2),
        )
