import pytest

from lifeline.core.errors import NotFound, ServiceError
from lifeline.core.models import AuditRecord, OutboxMessage
from lifeline.workorders import selectors
from lifeline.workorders.models import Channel, EventKind, Priority, Status, WorkOrder
from lifeline.workorders.services import workorder_create


def test_request_is_routed_to_the_community_committee_and_dispatched(
    city, ladder, categories, grid_worker_a
):
    # given a grid worker and a household of grid A that is not vulnerable
    person = city.people_a[1]
    # when food is requested for it
    intake = workorder_create(
        actor=grid_worker_a,
        category_code="food_supplies",
        description="家里没菜了",
        person=person,
        extra={"items": "蔬菜", "people": "2"},
    )
    # then it is dispatched to the community committee, with its clocks and timeline
    order = intake.order
    assert order.responsible_unit == ladder["committee"]
    assert order.status == Status.DISPATCHED
    assert order.priority == Priority.NORMAL
    assert order.area_path == city.grid_a.path
    assert order.extra == {"items": "蔬菜", "people": 2}
    assert order.number and order.number.endswith(f"{order.pk:07d}")
    assert order.due_response_at < order.due_resolution_at
    assert [e.kind for e in order.events.all()] == [EventKind.CREATED, EventKind.DISPATCHED]
    assert AuditRecord.objects.filter(object_id=str(order.pk), action="workorder.created").exists()
    assert OutboxMessage.objects.filter(recipient=person.phone, object_id=str(order.pk)).exists()
    assert intake.call_120 is False


def test_vulnerable_person_and_medical_category_raise_priority_and_shorten_targets(
    city, ladder, categories, grid_worker_a
):
    # given an elder living alone (grid A, person 0) and a neighbour who is not vulnerable
    elder, neighbour = city.people_a[0], city.people_a[1]
    # when both ask for medicine
    urgent = workorder_create(
        actor=grid_worker_a,
        category_code="medicine",
        person=elder,
        description="降糖药没了",
        extra={"drug": "二甲双胍"},
    ).order
    usual = workorder_create(
        actor=grid_worker_a,
        category_code="medicine",
        person=neighbour,
        description="降压药没了",
        extra={"drug": "氨氯地平"},
    ).order
    food = workorder_create(
        actor=grid_worker_a,
        category_code="food_supplies",
        person=neighbour,
        description="买菜",
        extra={"items": "米"},
    ).order
    # then medicine is raised one step, and the elder's one step more, with shorter targets
    assert food.priority == Priority.NORMAL
    assert usual.priority == Priority.HIGH
    assert urgent.priority == Priority.CRITICAL
    assert (urgent.due_resolution_at - urgent.created_at) < (
        usual.due_resolution_at - usual.created_at
    )


@pytest.mark.parametrize(
    "words",
    [
        "老伴胸痛得厉害",
        "我爸叫不醒了，昏迷",
        "My wife is in labour",
        "he has chest pain",
        "老婆要生了",
    ],
)
def test_emergency_words_make_a_critical_medical_order_and_say_call_120(
    city, ladder, categories, hotline_operator, words
):
    # when a caller's words describe an emergency, whatever category was picked
    intake = workorder_create(
        actor=hotline_operator,
        category_code="food_supplies",
        channel="hotline",
        description=words,
        household=city.people_b[1].household,
    )
    # then the page must say "call 120 now" and the order is critical and medical
    assert intake.call_120 is True
    assert intake.order.category.code == "medical_care"
    assert intake.order.priority == Priority.CRITICAL
    assert intake.order.emergency is True


def test_labor_dispute_is_no_emergency_but_the_word_stroke_always_is(
    city, ladder, categories, hotline_operator
):
    intake = workorder_create(
        actor=hotline_operator,
        category_code="other",
        channel="hotline",
        description="labor dispute with the landlord about the stroke of midnight curfew",
        area=city.community,
    )
    # "stroke" is matched as a word on purpose (generous); "labor dispute" is not labour
    assert intake.call_120 is True
    intake2 = workorder_create(
        actor=hotline_operator,
        category_code="other",
        channel="hotline",
        description="labor dispute with the landlord",
        area=city.community,
    )
    assert intake2.call_120 is False


def test_second_open_request_of_a_household_links_to_the_first(
    city, ladder, categories, grid_worker_a
):
    # given an open food order of a household
    household = city.people_a[1].household
    first = workorder_create(
        actor=grid_worker_a,
        category_code="food_supplies",
        household=household,
        description="没米了",
        extra={"items": "米"},
    ).order
    # when the same household asks again for the same category
    again = workorder_create(
        actor=grid_worker_a,
        category_code="food_supplies",
        household=household,
        description="还是没米",
        extra={"items": "米"},
    )
    # then no new work is created: the new order is a cancelled duplicate of the first
    assert again.duplicate_of == first
    assert again.order.status == Status.CANCELLED
    assert again.order.duplicate_of_id == first.pk
    assert first.events.filter(kind=EventKind.DUPLICATE).count() == 1
    assert WorkOrder.objects.filter(household=household, duplicate_of__isnull=True).count() == 1


def test_extra_fields_are_validated_and_nothing_is_written(city, ladder, categories, grid_worker_a):
    with pytest.raises(ServiceError) as caught:
        workorder_create(
            actor=grid_worker_a,
            category_code="gas",
            household=city.people_a[1].household,
            description="气不够",
            extra={"remaining_m3": "-3", "colour": "red"},
        )
    fields = caught.value.fields
    assert set(fields) == {"extra.account", "extra.remaining_m3", "extra.colour"}
    assert WorkOrder.objects.count() == 0


def test_location_is_required_for_categories_that_need_it(
    city, ladder, categories, hotline_operator
):
    with pytest.raises(ServiceError) as caught:
        workorder_create(
            actor=hotline_operator,
            category_code="elderly_care",
            channel="hotline",
            area=city.community,
            description="需要照护",
            extra={"need": "送餐"},
        )
    assert "address" in caught.value.fields


def test_grid_worker_cannot_file_for_another_grid(city, ladder, categories, grid_worker_a):
    with pytest.raises(NotFound):
        workorder_create(
            actor=grid_worker_a,
            category_code="other",
            household=city.people_b[1].household,
            description="x",
        )


def test_anonymous_resident_form_needs_a_phone_and_no_registry_rows(city, ladder, categories):
    with pytest.raises(ServiceError) as caught:
        workorder_create(
            actor=None, channel="form", area=city.grid_a, category_code="other", description="有事"
        )
    assert "contact_phone" in caught.value.fields
    with pytest.raises(ServiceError):
        workorder_create(
            actor=None,
            channel="form",
            household=city.people_a[1].household,
            category_code="other",
            description="有事",
            contact_phone="13912345678",
        )
    intake = workorder_create(
        actor=None,
        channel="form",
        area=city.grid_a,
        category_code="psychological",
        description="睡不着很焦虑",
        contact_phone="13912345678",
    )
    assert intake.order.status == Status.DISPATCHED
    assert intake.order.contact_phone_masked != "13912345678"


def test_category_is_suggested_from_the_words_when_not_given(
    city, ladder, categories, hotline_operator
):
    intake = workorder_create(
        actor=hotline_operator,
        channel="hotline",
        area=city.community,
        description="村口的围挡被推倒了",
        address="泰山路村口",
    )
    assert intake.order.category.code == "incident"
    assert intake.order.responsible_unit == ladder["street"]


def test_routing_and_clock_changes_apply_to_the_next_order_at_once(
    city, ladder, categories, grid_worker_a, command_staff
):
    """Intake keeps routing and clock configuration in memory; a new rule, a policy switch
    or a unit's new area must still take effect for the very next order."""
    from lifeline.registry.models import Unit
    from lifeline.workorders.models import RoutingRule, SlaPolicyVersion
    from lifeline.workorders.services import sla_policy_activate, workorder_create

    def create():
        return workorder_create(
            actor=grid_worker_a,
            description="要买菜",
            category_code="food_supplies",
            area=city.grid_a,
            address="1号",
            extra={"items": "蔬菜"},
        ).order

    assert create().responsible_unit == ladder["committee"]  # warms the copy
    team = Unit.objects.create(code="U-FOOD", name="保供专班", kind=Unit.Kind.VOLUNTEER_AGENCY)
    RoutingRule.objects.create(
        category=categories["food_supplies"],
        area=city.grid_a,
        area_path=city.grid_a.path,
        unit=team,
    )
    assert create().responsible_unit == team

    surge = SlaPolicyVersion.objects.exclude(active=True).first()
    assert surge is not None, "the seed has a normal and a lockdown-surge policy"
    sla_policy_activate(actor=command_staff, code=surge.code)
    assert create().sla_version == surge


def test_internal_categories_are_not_offered_or_taken_from_residents(categories, city):
    # Given the internal category a lifeline unit's problem is filed in
    assert categories["lifeline_problem"].internal
    # Then the resident form and Open311 do not offer it
    assert "lifeline_problem" not in {c.code for c in selectors.category_list()}
    assert "lifeline_problem" in {c.code for c in selectors.category_list(internal=True)}
    # and an anonymous filing in it is refused as an unknown category, writing nothing
    with pytest.raises(ServiceError) as refused:
        workorder_create(
            actor=None,
            description="煤不够了",
            category_code="lifeline_problem",
            channel=Channel.FORM,
            area=city.grid_a,
            contact_phone="13900001234",
        )
    assert "category" in refused.value.fields
    assert not WorkOrder.objects.exists()
