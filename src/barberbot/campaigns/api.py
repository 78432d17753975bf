"""The campaigns REST API: customers, segments (with a live count), campaigns, results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.campaigns import segments, service
from barberbot.campaigns.errors import Invalid
from barberbot.campaigns.links import Links
from barberbot.campaigns.results import results
from barberbot.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignSettingsRead,
    ConsentEventRead,
    CustomerDetail,
    CustomerRead,
    MessagePreview,
    Results,
    RulePreview,
    SegmentCreate,
    SegmentPreview,
    SegmentRead,
    SendRequest,
    TestSendRequest,
)
from barberbot.campaigns.testsend import send_test
from barberbot.core.addresses import AddressInvalid
from barberbot.core.deps import SessionDep, SettingsDep
from barberbot.core.params import RowId, RowIdQuery
from barberbot.customers import service as customers
from barberbot.forms.deps import AnswerStoreDep
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.models import Campaign, Channel, ConsentEvent, Customer, Role, Segment, Shop, User
from barberbot.shops.deps import MemberShop

router = APIRouter(prefix="/api/v1/shops/{slug}", tags=["campaigns"])


def invalid(error: Invalid) -> InquiryInvalid:
    """The app's one 422 shape: {"detail", "errors": {field: message}}."""
    return InquiryInvalid(error.errors)


def links_for(request: Request, settings: SettingsDep) -> Links:
    base = settings.public_url or str(request.base_url)
    return Links(settings.resolved_secret_key, base)


LinksDep = Annotated[Links, Depends(links_for)]


def owner_only(user: User, shop: Shop) -> None:
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the shop's owners can do this.")


def _segment(session: Session, shop: Shop, segment_id: int) -> Segment:
    found = segments.get(session, shop, segment_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such segment in this shop.")
    return found


def _campaign(session: Session, shop: Shop, campaign_id: int) -> Campaign:
    found = service.get(session, shop, campaign_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such campaign in this shop.")
    return found


def _preview(session: Session, shop: Shop, raw: object, in_sql: bool) -> SegmentPreview:
    try:
        rule = segments.parse(session, shop, raw, answers_in_sql=in_sql)
    except Invalid as error:
        raise invalid(error) from None
    customers.sync_for_reading(session, shop)
    found = segments.preview(session, shop, rule, answers_in_sql=in_sql)
    return SegmentPreview(
        count=found.count, sample=[CustomerRead.model_validate(c) for c in found.sample]
    )


@router.get("/customers", response_model=list[CustomerRead], summary="Customers, latest first")
def list_customers(
    shop: MemberShop, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[CustomerRead]:
    customers.sync_for_reading(session, shop)
    rows = session.scalars(
        select(Customer)
        .where(Customer.shop_id == shop.id)
        .order_by(Customer.last_inquiry_at.desc(), Customer.id.desc())
        .limit(limit)
    )
    return [CustomerRead.model_validate(c) for c in rows]


@router.get("/customers/{customer_id}", response_model=CustomerDetail)
def read_customer(customer_id: RowId, shop: MemberShop, session: SessionDep) -> CustomerDetail:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.shop_id != shop.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such customer in this shop.")
    events = session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.customer_id == customer.id)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
    return CustomerDetail(
        **CustomerRead.model_validate(customer).model_dump(),
        consent_history=[ConsentEventRead.model_validate(e) for e in events],
    )


@router.get("/segments", response_model=list[SegmentRead])
def list_segments(shop: MemberShop, session: SessionDep) -> list[SegmentRead]:
    return [SegmentRead.model_validate(s) for s in segments.all_of(session, shop)]


@router.post("/segments/preview", response_model=SegmentPreview, summary="Count a rule")
def preview_rule(
    body: RulePreview, shop: MemberShop, session: SessionDep, store: AnswerStoreDep
) -> SegmentPreview:
    """The live count and a sample of the customers a rule matches, without saving it."""
    return _preview(session, shop, body.rule, store.in_database)


@router.post("/segments", response_model=SegmentRead, status_code=status.HTTP_201_CREATED)
def create_segment(
    body: SegmentCreate, shop: MemberShop, session: SessionDep, store: AnswerStoreDep
) -> SegmentRead:
    in_sql = store.in_database
    try:
        return SegmentRead.model_validate(
            segments.create(session, shop, body.name, body.rule, answers_in_sql=in_sql)
        )
    except Invalid as error:
        raise invalid(error) from None


@router.get("/segments/{segment_id}", response_model=SegmentRead)
def read_segment(segment_id: RowId, shop: MemberShop, session: SessionDep) -> SegmentRead:
    return SegmentRead.model_validate(_segment(session, shop, segment_id))


@router.put("/segments/{segment_id}", response_model=SegmentRead)
def update_segment(
    segment_id: RowId,
    body: SegmentCreate,
    shop: MemberShop,
    session: SessionDep,
    store: AnswerStoreDep,
) -> SegmentRead:
    segment = _segment(session, shop, segment_id)
    in_sql = store.in_database
    try:
        return SegmentRead.model_validate(
            segments.update(session, segment, body.name, body.rule, answers_in_sql=in_sql)
        )
    except Invalid as error:
        raise invalid(error) from None


@router.get("/segments/{segment_id}/preview", response_model=SegmentPreview)
def preview_segment(
    segment_id: RowId, shop: MemberShop, session: SessionDep, store: AnswerStoreDep
) -> SegmentPreview:
    rule = _segment(session, shop, segment_id).rule
    return _preview(session, shop, rule, store.in_database)


@router.get("/campaigns", response_model=list[CampaignRead])
def list_campaigns(shop: MemberShop, session: SessionDep) -> list[CampaignRead]:
    return [CampaignRead.model_validate(c) for c in service.all_of(session, shop)]


@router.post("/campaigns", response_model=CampaignRead, status_code=status.HTTP_201_CREATED)
def create_campaign(body: CampaignCreate, shop: MemberShop, session: SessionDep) -> CampaignRead:
    try:
        return CampaignRead.model_validate(service.create(session, shop, body))
    except Invalid as error:
        raise invalid(error) from None


@router.get("/campaigns/{campaign_id}", response_model=CampaignRead)
def read_campaign(campaign_id: RowId, shop: MemberShop, session: SessionDep) -> CampaignRead:
    return CampaignRead.model_validate(_campaign(session, shop, campaign_id))


@router.post("/campaigns/{campaign_id}/preview", response_model=MessagePreview)
def preview_message(
    campaign_id: RowId,
    shop: MemberShop,
    session: SessionDep,
    links: LinksDep,
    customer_id: RowIdQuery = None,
) -> MessagePreview:
    """The message as one real customer would get it (the segment's first, by default)."""
    campaign = _campaign(session, shop, campaign_id)
    customers.sync_for_reading(session, shop)
    try:
        customer = service.sample_customer(session, shop, campaign, customer_id)
    except Invalid as error:
        raise invalid(error) from None
    rendered = service.render_for(shop, campaign, customer, links)
    return MessagePreview(
        customer_id=customer.id,
        to=service.address_of(customer, campaign.channel),
        subject=rendered.subject,
        body=rendered.body,
    )


@router.post("/campaigns/{campaign_id}/test", response_model=MessagePreview)
def send_test_message(
    campaign_id: RowId,
    body: TestSendRequest,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    links: LinksDep,
) -> MessagePreview:
    """Send the message, made for a real customer, to you (not to the customer)."""
    campaign = _campaign(session, shop, campaign_id)
    to = body.to or (user.email if campaign.channel == Channel.EMAIL else None)
    if not to:
        raise InquiryInvalid({"to": "Give the phone number to send the test SMS to."})
    if auth.role_in(user, shop) != Role.OWNER and to.strip().casefold() != user.email:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Staff can send a test only to their own e-mail address."
        )
    customers.sync_for_reading(session, shop)
    try:
        customer = service.sample_customer(session, shop, campaign, body.customer_id)
    except Invalid as error:
        raise invalid(error) from None
    rendered = service.render_for(shop, campaign, customer, links)
    try:
        send_test(settings, shop, campaign.channel, to, rendered)
    except AddressInvalid as error:
        raise InquiryInvalid({"to": str(error)}) from None
    except (SendFailed, Unavailable) as error:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"The test was not sent: {error}"
        ) from None
    return MessagePreview(
        customer_id=customer.id, to=to, subject=rendered.subject, body=rendered.body
    )


@router.post("/campaigns/{campaign_id}/send", response_model=CampaignRead)
def send_campaign(
    campaign_id: RowId, body: SendRequest, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> CampaignRead:
    """Schedule it: the background sender (`barberbot campaigns run`) does the sending."""
    owner_only(user, shop)
    campaign = _campaign(session, shop, campaign_id)
    try:
        service.schedule(session, shop, campaign, body.send_at)
    except Invalid as error:
        raise invalid(error) from None
    return CampaignRead.model_validate(campaign)


@router.post("/campaigns/{campaign_id}/cancel", response_model=CampaignRead)
def cancel_campaign(
    campaign_id: RowId, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> CampaignRead:
    owner_only(user, shop)
    campaign = _campaign(session, shop, campaign_id)
    try:
        service.cancel(session, campaign)
    except Invalid as error:
        raise invalid(error) from None
    return CampaignRead.model_validate(campaign)


@router.get("/campaigns/{campaign_id}/results", response_model=Results)
def campaign_results(campaign_id: RowId, shop: MemberShop, session: SessionDep) -> Results:
    return results(session, _campaign(session, shop, campaign_id))


@router.get("/campaign-settings", response_model=CampaignSettingsRead)
def read_settings(shop: MemberShop, session: SessionDep) -> CampaignSettingsRead:
    found = service.settings_of(session, shop)
    return CampaignSettingsRead(
        email_double_opt_in=found.email_double_opt_in, reply_to=found.reply_to
    )


@router.put("/campaign-settings", response_model=CampaignSettingsRead)
def update_settings(
    body: CampaignSettingsRead, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> CampaignSettingsRead:
    owner_only(user, shop)
    found = service.settings_of(session, shop)
    found.email_double_opt_in = body.email_double_opt_in
    found.reply_to = body.reply_to
    session.flush()
    return body
